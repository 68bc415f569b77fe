// The handshake: a token in `auth.token` or an `Authorization: Bearer` header lets a socket
// in, on either transport; a missing or bad one is refused with `connect_error`
// `unauthorized`.
import { describe, it } from "node:test";
import assert from "node:assert/strict";

import { serveHearth } from "../lib/harness.mjs";
import { connect } from "../lib/sio.mjs";

describe("Socket.IO handshake", () => {
  const hearth = serveHearth();

  for (const transport of ["websocket", "polling"]) {
    it(`accepts auth.token over ${transport}`, async () => {
      const alice = await hearth.rest.user("alice");
      const socket = await connect(hearth.base, alice, { transport });
      assert.equal(socket.connected, true);
      assert.equal(socket.io.engine.transport.name, transport);
      socket.close();
    });

    it(`accepts an Authorization: Bearer header over ${transport}`, async () => {
      const alice = await hearth.rest.user("alice");
      const socket = await connect(hearth.base, null, {
        transport,
        auth: {},
        extraHeaders: { authorization: `Bearer ${alice.token}` },
      });
      assert.equal(socket.connected, true);
      socket.close();
    });

    it(`refuses a bad token with connect_error unauthorized over ${transport}`, async () => {
      await assert.rejects(connect(hearth.base, null, { transport, auth: { token: "not-a-token" } }), {
        message: "unauthorized",
      });
    });

    it(`refuses a handshake without a token over ${transport}`, async () => {
      await assert.rejects(connect(hearth.base, null, { transport, auth: {} }), { message: "unauthorized" });
    });
  }

  it("answers its HTTP requests under the server's middleware (request id, security headers)", async () => {
    const response = await fetch(`${hearth.base}/socket.io/?EIO=4&transport=polling`);
    await response.text();

    assert.equal(response.status, 200);
    assert.match(response.headers.get("x-request-id") ?? "", /^[0-9a-f-]{36}$/);
    assert.equal(response.headers.get("x-content-type-options"), "nosniff");
  });

  it("counts its connections per face in /metrics", async () => {
    const alice = await hearth.rest.user("alice");
    const socket = await connect(hearth.base, alice);
    // The client hears `connect` before the server's connect handler has counted it (the
    // earlier tests' sockets are counted and gone): read until this one is counted, bounded.
    let metrics = "";
    for (let attempt = 0; attempt < 50; attempt += 1) {
      metrics = await hearth.rest.metrics();
      if (/hearth_face_connections\{face="socketio"\} [1-9]/.test(metrics)) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    socket.close();
    assert.match(metrics, /hearth_face_connections_total\{face="socketio"\} [1-9]/);
    assert.match(metrics, /hearth_face_connections\{face="socketio"\} [1-9]/);
  });
});
