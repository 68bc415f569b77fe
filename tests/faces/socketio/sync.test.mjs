// Seed 002's criterion D: a user who was offline catches up with `sync:request` →
// `sync:batch`: up to 100 messages after their cursor, in conversation order, from what
// they may see (history visibility).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";

import { serveHearth } from "../lib/harness.mjs";
import { connect, next, request } from "../lib/sio.mjs";

describe("sync:request and sync:batch", () => {
  const hearth = serveHearth();

  it("brings a user who was offline every missed message, in order", async () => {
    const { alice, bob, dm } = await hearth.rest.pair();
    const aliceSocket = await connect(hearth.base, alice);
    const seen = await request(aliceSocket, "message:send", { conversationId: dm, clientMsgId: randomUUID(), body: "seen" });
    // Bob is offline while Alice sends five more.
    const missed = [];
    for (let i = 1; i <= 5; i += 1) {
      missed.push(await request(aliceSocket, "message:send", { conversationId: dm, clientMsgId: randomUUID(), body: `missed ${i}` }));
    }

    const bobSocket = await connect(hearth.base, bob);
    const ack = await request(bobSocket, "sync:request", { conversationId: dm, afterMessageId: seen.messageId });
    const batch = await next(bobSocket, "sync:batch", (b) => b.conversationId === dm);

    assert.deepEqual(ack, batch);
    assert.deepEqual(
      batch.messages.map((m) => [m.messageId, m.body]),
      missed.map((m, i) => [m.messageId, `missed ${i + 1}`]),
    );
    assert.equal(batch.hasMore, false);
    const [first] = batch.messages;
    assert.equal(first.senderId, alice.id);
    assert.equal(first.senderName, alice.displayName);
    assert.equal(first.senderAvatar, null);
    assert.equal(first.conversationId, dm);
    aliceSocket.close();
    bobSocket.close();
  });

  it("starts from the beginning without a cursor", async () => {
    const { alice, bob, dm } = await hearth.rest.pair();
    const sent = [await hearth.rest.send(alice, dm, "one"), await hearth.rest.send(bob, dm, "two")];
    const socket = await connect(hearth.base, bob, { transport: "polling" });

    const batch = await request(socket, "sync:request", { conversationId: dm });

    assert.deepEqual(
      batch.messages.map((m) => m.messageId),
      sent.map((m) => m.id),
    );
    socket.close();
  });

  it("carries at most 100 messages, and says when more follow", async () => {
    const { alice, bob, dm } = await hearth.rest.pair();
    for (let i = 0; i < 105; i += 1) await hearth.rest.send(alice, dm, `m${i}`);
    const socket = await connect(hearth.base, bob);

    const first = await request(socket, "sync:request", { conversationId: dm });
    const last = first.messages.at(-1);
    const rest5 = await request(socket, "sync:request", { conversationId: dm, afterMessageId: last.messageId });

    assert.equal(first.messages.length, 100);
    assert.equal(first.hasMore, true);
    assert.deepEqual(
      [...first.messages, ...rest5.messages].map((m) => m.body),
      Array.from({ length: 105 }, (_, i) => `m${i}`),
    );
    assert.equal(rest5.hasMore, false);
    socket.close();
  });

  it("honours history visibility: a member who joined later sees only what followed", async () => {
    const owner = await hearth.rest.user("owner");
    const carol = await hearth.rest.user("carol");
    const group = await hearth.rest.group(owner, [], { history_visibility: "member_join_date" });
    await hearth.rest.send(owner, group, "before carol");
    await hearth.rest.addMember(owner, group, carol);
    const after = await hearth.rest.send(owner, group, "after carol");
    const socket = await connect(hearth.base, carol);

    const batch = await request(socket, "sync:request", { conversationId: group });

    assert.deepEqual(
      batch.messages.map((m) => m.body),
      ["after carol"],
    );
    assert.equal(batch.messages[0].messageId, after.id);
    socket.close();
  });

  it("answers not_found for a cursor that is not a message of the conversation", async () => {
    const { alice, bob, dm } = await hearth.rest.pair();
    const socket = await connect(hearth.base, bob);

    const ack = await request(socket, "sync:request", { conversationId: dm, afterMessageId: randomUUID() });

    assert.equal(ack.error.code, "not_found");
    socket.close();
  });
});
