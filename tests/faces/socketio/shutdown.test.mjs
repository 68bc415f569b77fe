// A server that is told to stop (SIGTERM) disconnects its Socket.IO clients and exits 0.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { once } from "node:events";

import { HearthServer } from "../lib/server.mjs";
import { Rest } from "../lib/rest.mjs";
import { connect } from "../lib/sio.mjs";

describe("shutdown", () => {
  it("disconnects connected sockets and exits 0", async () => {
    const server = await new HearthServer().start();
    const rest = new Rest(server.base);
    const alice = await rest.user("alice");
    const [websocket, polling] = await Promise.all([
      connect(server.base, alice),
      connect(server.base, alice, { transport: "polling" }),
    ]);
    const disconnected = Promise.all([once(websocket, "disconnect"), once(polling, "disconnect")]);

    await server.dispose();

    const [[websocketReason], [pollingReason]] = await disconnected;
    assert.ok(websocketReason, "the websocket client was told");
    assert.ok(pollingReason, "the polling client was told");
  });
});
