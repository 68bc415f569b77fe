// Seed 002's criterion C: a message sent with `message:send` is acknowledged, and every
// member's sockets — the sender's own included — receive it as `message:new`; on both
// transports, and for messages sent on REST too.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";

import { serveHearth } from "../lib/harness.mjs";
import { memberAddedAfterConnecting } from "../lib/scenarios.mjs";
import { solidPng } from "../lib/files.mjs";
import { connect, next, request } from "../lib/sio.mjs";

const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

describe("message:send and message:new", () => {
  const hearth = serveHearth();

  for (const transport of ["websocket", "polling"]) {
    it(`acks the sender and delivers to the other member over ${transport}`, async () => {
      const alice = await hearth.rest.user("alice", { displayName: "Alice A." });
      const bob = await hearth.rest.user("bob");
      const dm = await hearth.rest.direct(alice, bob);
      const [aliceSocket, bobSocket] = await Promise.all([
        connect(hearth.base, alice, { transport }),
        connect(hearth.base, bob, { transport }),
      ]);
      const clientMsgId = randomUUID();

      const ack = await request(aliceSocket, "message:send", { conversationId: dm, clientMsgId, body: "hello bob" });
      const delivered = await next(bobSocket, "message:new", (m) => m.clientMsgId === clientMsgId);
      const copy = await next(aliceSocket, "message:ack", (m) => m.clientMsgId === clientMsgId);

      assert.equal(ack.clientMsgId, clientMsgId);
      assert.match(ack.messageId, /^[0-9a-f-]{36}$/);
      assert.match(ack.createdAt, RFC3339);
      assert.deepEqual(copy, ack);
      assert.deepEqual(
        { ...delivered, seq: undefined },
        {
          messageId: ack.messageId,
          conversationId: dm,
          senderId: alice.id,
          senderName: "Alice A.",
          senderAvatar: null,
          clientMsgId,
          body: "hello bob",
          createdAt: ack.createdAt,
          seq: undefined,
          attachments: [],
        },
      );
      assert.equal(typeof delivered.seq, "number");
      aliceSocket.close();
      bobSocket.close();
    });
  }

  it("names the sender's profile picture as senderAvatar, an address served without a token", async () => {
    const { alice, bob, dm } = await hearth.rest.pair();
    const upload = await hearth.rest.upload(alice, "me.png", solidPng(64, 48));
    const { avatar_url: avatarUrl } = await hearth.rest.setAvatar(alice, upload.id);
    const bobSocket = await connect(hearth.base, bob);
    const clientMsgId = randomUUID();
    await hearth.rest.send(alice, dm, "with my face", clientMsgId);
    const delivered = await next(bobSocket, "message:new", (m) => m.clientMsgId === clientMsgId);
    assert.equal(delivered.senderAvatar, avatarUrl);
    const picture = await fetch(`${hearth.base}${delivered.senderAvatar}`);
    assert.equal(picture.status, 200);
    assert.equal(picture.headers.get("content-type"), "image/jpeg");
    bobSocket.close();
  });

  it("delivers to every socket of the sender too, the sending one included (multi-device)", async () => {
    const { alice, bob, dm } = await hearth.rest.pair();
    const [phone, laptop] = await Promise.all([connect(hearth.base, alice), connect(hearth.base, alice, { transport: "polling" })]);
    const clientMsgId = randomUUID();

    const ack = await request(phone, "message:send", { conversationId: dm, clientMsgId, body: "from my phone" });

    const onLaptop = await next(laptop, "message:new", (m) => m.clientMsgId === clientMsgId);
    const onPhone = await next(phone, "message:new", (m) => m.clientMsgId === clientMsgId);
    assert.equal(onLaptop.messageId, ack.messageId);
    assert.equal(onPhone.messageId, ack.messageId);
    phone.close();
    laptop.close();
  });

  it("delivers a message sent on REST as message:new", async () => {
    const { alice, bob, dm } = await hearth.rest.pair();
    const bobSocket = await connect(hearth.base, bob);

    const sent = await hearth.rest.send(alice, dm, "sent over REST");

    const delivered = await next(bobSocket, "message:new", (m) => m.messageId === sent.id);
    assert.equal(delivered.body, "sent over REST");
    assert.equal(delivered.senderId, alice.id);
    assert.equal(delivered.clientMsgId, sent.client_message_id);
    bobSocket.close();
  });

  it("names the sender by their display name, and by the new one after a rename", async () => {
    const alice = await hearth.rest.user("alice", { displayName: "Alice" });
    const bob = await hearth.rest.user("bob");
    const dm = await hearth.rest.direct(alice, bob);
    const [aliceSocket, bobSocket] = await Promise.all([connect(hearth.base, alice), connect(hearth.base, bob)]);
    const first = randomUUID();
    await request(aliceSocket, "message:send", { conversationId: dm, clientMsgId: first, body: "before" });
    const before = await next(bobSocket, "message:new", (m) => m.clientMsgId === first);

    await hearth.rest.rename(alice, "Alice Liddell");
    const second = randomUUID();
    await request(aliceSocket, "message:send", { conversationId: dm, clientMsgId: second, body: "after" });
    const renamed = await next(bobSocket, "message:new", (m) => m.clientMsgId === second);

    assert.equal(before.senderName, "Alice");
    assert.equal(renamed.senderName, "Alice Liddell");
    aliceSocket.close();
    bobSocket.close();
  });

  it("delivers a group's messages to a member added after connecting, and no more once removed", async () => {
    const { owner, carol, group, ownerSocket, carolSocket, welcome } = await memberAddedAfterConnecting(hearth);

    await hearth.rest.removeMember(owner, group, carol);
    const secret = randomUUID();
    await request(ownerSocket, "message:send", { conversationId: group, clientMsgId: secret, body: "after carol left" });
    // Carol's direct conversation with the owner is a later delivery on the same queue: once
    // it arrives, the group message, published before it, would have arrived first.
    const dm = await hearth.rest.direct(owner, carol);
    const marker = await hearth.rest.send(owner, dm, "marker");
    await next(carolSocket, "message:new", (m) => m.messageId === marker.id);

    assert.equal(welcome.body, "welcome");
    assert.equal(welcome.conversationId, group);
    assert.equal(
      carolSocket.received.some((r) => r.event === "message:new" && r.payload.clientMsgId === secret),
      false,
    );
    ownerSocket.close();
    carolSocket.close();
  });
});
