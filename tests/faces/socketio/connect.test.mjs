// The handshake: a token in `auth.token` or an `Authorization: Bearer` header lets a socket
// in, on either transport; a missing or bad one is refused with `connect_error`
// `unauthorized`.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";

import { HearthServer } from "../lib/server.mjs";
import { Rest } from "../lib/rest.mjs";
import { connect } from "../lib/sio.mjs";

describe("Socket.IO handshake", () => {
  let server;
  let rest;
  before(async () => {
    server = await new HearthServer().start();
    rest = new Rest(server.base);
  });
  after(() => server.dispose());

  for (const transport of ["websocket", "polling"]) {
    it(`accepts auth.token over ${transport}`, async () => {
      const alice = await rest.user("alice");
      const socket = await connect(server.base, alice, { transport });
      assert.equal(socket.connected, true);
      assert.equal(socket.io.engine.transport.name, transport);
      socket.close();
    });

    it(`accepts an Authorization: Bearer header over ${transport}`, async () => {
      const alice = await rest.user("alice");
      const socket = await connect(server.base, null, {
        transport,
        auth: {},
        extraHeaders: { authorization: `Bearer ${alice.token}` },
      });
      assert.equal(socket.connected, true);
      socket.close();
    });

    it(`refuses a bad token with connect_error unauthorized over ${transport}`, async () => {
      await assert.rejects(connect(server.base, null, { transport, auth: { token: "not-a-token" } }), {
        message: "unauthorized",
      });
    });

    it(`refuses a handshake without a token over ${transport}`, async () => {
      await assert.rejects(connect(server.base, null, { transport, auth: {} }), { message: "unauthorized" });
    });
  }

  it("counts its connections per face in /metrics", async () => {
    const alice = await rest.user("alice");
    const socket = await connect(server.base, alice);
    const metrics = await rest.metrics();
    socket.close();
    assert.match(metrics, /hearth_face_connections_total\{face="socketio"\} [1-9]/);
    assert.match(metrics, /hearth_face_connections\{face="socketio"\} [1-9]/);
  });
});
