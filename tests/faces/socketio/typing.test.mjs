// typing:start / typing:stop reach the conversation's other members' sockets, named by the
// typist's display name, and never any of the typist's own sockets.
import { describe, it } from "node:test";
import assert from "node:assert/strict";

import { serveHearth } from "../lib/harness.mjs";
import { memberAddedAfterConnecting } from "../lib/scenarios.mjs";
import { connect, count, next, request } from "../lib/sio.mjs";

describe("typing:start and typing:stop", () => {
  const hearth = serveHearth();

  it("tells the other member, and none of the typist's own sockets", async () => {
    const alice = await hearth.rest.user("alice", { displayName: "Alice" });
    const bob = await hearth.rest.user("bob", { displayName: "Bob" });
    const dm = await hearth.rest.direct(alice, bob);
    const [alicePhone, aliceLaptop, bobSocket] = await Promise.all([
      connect(hearth.base, alice),
      connect(hearth.base, alice, { transport: "polling" }),
      connect(hearth.base, bob),
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
    const { alice, bob, dm } = await hearth.rest.pair();
    const [aliceSocket, bobSocket] = await Promise.all([connect(hearth.base, alice), connect(hearth.base, bob)]);

    await request(aliceSocket, "typing:start", { conversationId: dm });
    await next(bobSocket, "typing:start");
    const stopAck = await request(aliceSocket, "typing:stop", { conversationId: dm });
    const stopped = await next(bobSocket, "typing:stop");

    assert.deepEqual(stopAck, { ok: true });
    assert.deepEqual(stopped, { conversationId: dm, userId: alice.id, userName: alice.displayName });
    aliceSocket.close();
    bobSocket.close();
  });

  it("names the typist by their display name as it is now, after a rename mid-session", async () => {
    const { alice, bob, dm } = await hearth.rest.pair();
    const [aliceSocket, bobSocket] = await Promise.all([connect(hearth.base, alice), connect(hearth.base, bob)]);

    await hearth.rest.rename(alice, "Alice Renamed");
    await request(aliceSocket, "typing:start", { conversationId: dm });
    const typing = await next(bobSocket, "typing:start");

    assert.equal(typing.userName, "Alice Renamed");
    aliceSocket.close();
    bobSocket.close();
  });

  it("works in a conversation the user joined after connecting", async () => {
    const { carol, group, ownerSocket, carolSocket } = await memberAddedAfterConnecting(hearth);

    const ack = await request(carolSocket, "typing:start", { conversationId: group });
    const typing = await next(ownerSocket, "typing:start", (t) => t.userId === carol.id);

    assert.deepEqual(ack, { ok: true });
    assert.equal(typing.conversationId, group);
    ownerSocket.close();
    carolSocket.close();
  });
});
