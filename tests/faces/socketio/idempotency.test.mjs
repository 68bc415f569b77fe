// Seed 002's criterion E: a retried clientMsgId is one message — on the same socket, on
// another device, and across faces (the idempotency store is the send use case's).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";

import { serveHearth } from "../lib/harness.mjs";
import { connect, count, next, request } from "../lib/sio.mjs";

describe("clientMsgId idempotency", () => {
  const hearth = serveHearth();

  it("stores a message sent twice with one clientMsgId once, and delivers it once", async () => {
    const { alice, bob, dm } = await hearth.rest.pair();
    const [aliceSocket, bobSocket] = await Promise.all([connect(hearth.base, alice), connect(hearth.base, bob)]);
    const clientMsgId = randomUUID();
    const send = { conversationId: dm, clientMsgId, body: "Test message" };

    const [first, second] = await Promise.all([request(aliceSocket, "message:send", send), request(aliceSocket, "message:send", send)]);
    // A later message: once Bob has it, any second copy of the first would have come before.
    const later = randomUUID();
    await request(aliceSocket, "message:send", { conversationId: dm, clientMsgId: later, body: "later" });
    await next(bobSocket, "message:new", (m) => m.clientMsgId === later);

    assert.equal(second.messageId, first.messageId);
    assert.equal(second.createdAt, first.createdAt);
    assert.equal(count(bobSocket, "message:new", (m) => m.clientMsgId === clientMsgId), 1);
    const stored = (await hearth.rest.history(bob, dm)).filter((m) => m.client_message_id === clientMsgId);
    assert.equal(stored.length, 1);
    aliceSocket.close();
    bobSocket.close();
  });

  it("acks a REST send replayed on Socket.IO with the original message", async () => {
    const { alice, bob, dm } = await hearth.rest.pair();
    const key = randomUUID();
    const original = await hearth.rest.send(alice, dm, "sent on REST first", key);
    const socket = await connect(hearth.base, alice, { transport: "polling" });

    const replay = await request(socket, "message:send", { conversationId: dm, clientMsgId: key, body: "sent on REST first" });

    assert.equal(replay.messageId, original.id);
    assert.equal(replay.clientMsgId, key);
    assert.equal((await hearth.rest.history(alice, dm)).length, 1);
    socket.close();
  });

  it("answers conflict for a clientMsgId reused with another body", async () => {
    const { alice, bob, dm } = await hearth.rest.pair();
    const socket = await connect(hearth.base, alice);
    const clientMsgId = randomUUID();
    await request(socket, "message:send", { conversationId: dm, clientMsgId, body: "first" });

    const clash = await request(socket, "message:send", { conversationId: dm, clientMsgId, body: "something else" });

    assert.equal(clash.error.code, "conflict");
    socket.close();
  });
});
