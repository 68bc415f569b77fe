// typing:start / typing:stop reach the conversation's other members' sockets, named by the
// typist's display name, and never any of the typist's own sockets.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";

import { HearthServer } from "../lib/server.mjs";
import { Rest } from "../lib/rest.mjs";
import { connect, count, next, request } from "../lib/sio.mjs";

describe("typing:start and typing:stop", () => {
  let server;
  let rest;
  before(async () => {
    server = await new HearthServer().start();
    rest = new Rest(server.base);
  });
  after(() => server.dispose());

  it("tells the other member, and none of the typist's own sockets", async () => {
    const alice = await rest.user("alice", { displayName: "Alice" });
    const bob = await rest.user("bob", { displayName: "Bob" });
    const dm = await rest.direct(alice, bob);
    const [alicePhone, aliceLaptop, bobSocket] = await Promise.all([
      connect(server.base, alice),
      connect(server.base, alice, { transport: "polling" }),
      connect(server.base, bob),
    ]);

    alicePhone.emit("typing:start", { conversationId: dm });
    const started = await next(bobSocket, "typing:start");
    // Bob types back: each of Alice's sockets gets it, and had Alice's own indicator been sent
    // to them it would have arrived first (one queue per socket, in publish order).
    bobSocket.emit("typing:start", { conversationId: dm });
    await next(alicePhone, "typing:start", (t) => t.userId === bob.id);
    await next(aliceLaptop, "typing:start", (t) => t.userId === bob.id);

    assert.deepEqual(started, { conversationId: dm, userId: alice.id, userName: "Alice" });
    assert.equal(count(alicePhone, "typing:start", (t) => t.userId === alice.id), 0);
    assert.equal(count(aliceLaptop, "typing:start", (t) => t.userId === alice.id), 0);
    for (const socket of [alicePhone, aliceLaptop, bobSocket]) socket.close();
  });

  it("tells the other member when the typist stops", async () => {
    const alice = await rest.user("alice");
    const bob = await rest.user("bob");
    const dm = await rest.direct(alice, bob);
    const [aliceSocket, bobSocket] = await Promise.all([connect(server.base, alice), connect(server.base, bob)]);

    await request(aliceSocket, "typing:start", { conversationId: dm });
    await next(bobSocket, "typing:start");
    const stopAck = await request(aliceSocket, "typing:stop", { conversationId: dm });
    const stopped = await next(bobSocket, "typing:stop");

    assert.deepEqual(stopAck, { ok: true });
    assert.deepEqual(stopped, { conversationId: dm, userId: alice.id, userName: alice.displayName });
    aliceSocket.close();
    bobSocket.close();
  });

  it("works in a conversation the user joined after connecting", async () => {
    const owner = await rest.user("owner");
    const carol = await rest.user("carol");
    const group = await rest.group(owner, []);
    const [ownerSocket, carolSocket] = await Promise.all([connect(server.base, owner), connect(server.base, carol)]);
    await rest.addMember(owner, group, carol);
    // The welcome is published after the membership: once Carol has it, her socket has
    // followed the group.
    const welcome = randomUUID();
    await request(ownerSocket, "message:send", { conversationId: group, clientMsgId: welcome, body: "welcome" });
    await next(carolSocket, "message:new", (m) => m.clientMsgId === welcome);

    const ack = await request(carolSocket, "typing:start", { conversationId: group });
    const typing = await next(ownerSocket, "typing:start", (t) => t.userId === carol.id);

    assert.deepEqual(ack, { ok: true });
    assert.equal(typing.conversationId, group);
    ownerSocket.close();
    carolSocket.close();
  });
});
