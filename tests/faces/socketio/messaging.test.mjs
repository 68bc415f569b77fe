// Seed 002's criterion C: a message sent with `message:send` is acknowledged, and every
// member's sockets — the sender's own included — receive it as `message:new`; on both
// transports, and for messages sent on REST too.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";

import { HearthServer } from "../lib/server.mjs";
import { Rest } from "../lib/rest.mjs";
import { connect, next, request } from "../lib/sio.mjs";

const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

describe("message:send and message:new", () => {
  let server;
  let rest;
  before(async () => {
    server = await new HearthServer().start();
    rest = new Rest(server.base);
  });
  after(() => server.dispose());

  for (const transport of ["websocket", "polling"]) {
    it(`acks the sender and delivers to the other member over ${transport}`, async () => {
      const alice = await rest.user("alice", { displayName: "Alice A." });
      const bob = await rest.user("bob");
      const dm = await rest.direct(alice, bob);
      const [aliceSocket, bobSocket] = await Promise.all([
        connect(server.base, alice, { transport }),
        connect(server.base, bob, { transport }),
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
        },
      );
      assert.equal(typeof delivered.seq, "number");
      aliceSocket.close();
      bobSocket.close();
    });
  }

  it("delivers to every socket of the sender too, the sending one included (multi-device)", async () => {
    const alice = await rest.user("alice");
    const bob = await rest.user("bob");
    const dm = await rest.direct(alice, bob);
    const [phone, laptop] = await Promise.all([connect(server.base, alice), connect(server.base, alice, { transport: "polling" })]);
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
    const alice = await rest.user("alice");
    const bob = await rest.user("bob");
    const dm = await rest.direct(alice, bob);
    const bobSocket = await connect(server.base, bob);

    const sent = await rest.send(alice, dm, "sent over REST");

    const delivered = await next(bobSocket, "message:new", (m) => m.messageId === sent.id);
    assert.equal(delivered.body, "sent over REST");
    assert.equal(delivered.senderId, alice.id);
    assert.equal(delivered.clientMsgId, sent.client_message_id);
    bobSocket.close();
  });

  it("names the sender by their display name, and by the new one after a rename", async () => {
    const alice = await rest.user("alice", { displayName: "Alice" });
    const bob = await rest.user("bob");
    const dm = await rest.direct(alice, bob);
    const [aliceSocket, bobSocket] = await Promise.all([connect(server.base, alice), connect(server.base, bob)]);
    const first = randomUUID();
    await request(aliceSocket, "message:send", { conversationId: dm, clientMsgId: first, body: "before" });
    const before = await next(bobSocket, "message:new", (m) => m.clientMsgId === first);

    await rest.rename(alice, "Alice Liddell");
    const second = randomUUID();
    await request(aliceSocket, "message:send", { conversationId: dm, clientMsgId: second, body: "after" });
    const renamed = await next(bobSocket, "message:new", (m) => m.clientMsgId === second);

    assert.equal(before.senderName, "Alice");
    assert.equal(renamed.senderName, "Alice Liddell");
    aliceSocket.close();
    bobSocket.close();
  });

  it("delivers a group's messages to a member added after connecting, and no more once removed", async () => {
    const owner = await rest.user("owner");
    const carol = await rest.user("carol");
    const group = await rest.group(owner, []);
    const [ownerSocket, carolSocket] = await Promise.all([connect(server.base, owner), connect(server.base, carol)]);

    await rest.addMember(owner, group, carol);
    const welcome = randomUUID();
    await request(ownerSocket, "message:send", { conversationId: group, clientMsgId: welcome, body: "welcome" });
    const received = await next(carolSocket, "message:new", (m) => m.clientMsgId === welcome);

    await rest.removeMember(owner, group, carol);
    const secret = randomUUID();
    await request(ownerSocket, "message:send", { conversationId: group, clientMsgId: secret, body: "after carol left" });
    // Carol's direct conversation with the owner is a later delivery on the same queue: once
    // it arrives, the group message, published before it, would have arrived first.
    const dm = await rest.direct(owner, carol);
    const marker = await rest.send(owner, dm, "marker");
    await next(carolSocket, "message:new", (m) => m.messageId === marker.id);

    assert.equal(received.body, "welcome");
    assert.equal(
      carolSocket.received.some((r) => r.event === "message:new" && r.payload.clientMsgId === secret),
      false,
    );
    ownerSocket.close();
    carolSocket.close();
  });
});
