// Seed 001's MessengerService with the stock grpc-js client: each RPC, the idempotency key
// shared with REST, and a gRPC send arriving on another face.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";

import { serveHearth } from "../lib/harness.mjs";
import { call, client, packages } from "../lib/grpc.mjs";

const { hearth: v1 } = packages();

describe("MessengerService", () => {
  const hearth = serveHearth();
  const messenger = () => client(v1.MessengerService, hearth.base);

  it("SendMessage stores the message and answers its id and time", async () => {
    const { alice, bob, dm } = await hearth.rest.pair();
    const stub = messenger();

    const sent = await call(
      stub,
      "SendMessage",
      { conversation_id: dm, sender_id: alice.id, content: "hello over gRPC", client_message_id: randomUUID() },
      alice.token,
    );

    assert.match(sent.message_id, /^[0-9a-f-]{36}$/);
    assert.ok(sent.sent_at.seconds > 0);
    assert.equal(sent.replayed, false);
    const page = await hearth.rest.call("GET", `/v1/conversations/${dm}/messages`, { token: bob.token });
    assert.equal(page.messages.at(-1).id, sent.message_id);
    assert.equal(page.messages.at(-1).content, "hello over gRPC");
    stub.close();
  });

  it("SendMessage with a key already used on REST answers the original", async () => {
    const { alice, dm } = await hearth.rest.pair();
    const key = randomUUID();
    const original = await hearth.rest.call("POST", `/v1/conversations/${dm}/messages`, {
      token: alice.token,
      body: { client_message_id: key, content: "once" },
    });
    const stub = messenger();

    const replay = await call(
      stub,
      "SendMessage",
      { conversation_id: dm, sender_id: alice.id, content: "once", client_message_id: key },
      alice.token,
    );

    assert.equal(replay.message_id, original.id);
    assert.equal(replay.replayed, true);
    stub.close();
  });

  it("CreateConversation makes a group with its participants", async () => {
    const alice = await hearth.rest.user("alice");
    const bob = await hearth.rest.user("bob");
    const stub = messenger();

    const group = await call(
      stub,
      "CreateConversation",
      { creator_id: alice.id, participant_ids: [bob.id], is_group: true, group_name: "Book club" },
      alice.token,
    );

    assert.equal(group.is_group, true);
    assert.equal(group.group_name, "Book club");
    assert.deepEqual(group.participants.map((p) => p.user_id).sort(), [alice.id, bob.id].sort());
    stub.close();
  });

  it("CreateConversation opens the pair's one direct conversation", async () => {
    const { alice, bob, dm } = await hearth.rest.pair();
    const stub = messenger();

    const direct = await call(
      stub,
      "CreateConversation",
      { creator_id: alice.id, participant_ids: [bob.id], is_group: false },
      alice.token,
    );

    assert.equal(direct.id, dm);
    assert.equal(direct.is_group, false);
    stub.close();
  });

  it("GetConversationHistory pages the history in seq order", async () => {
    const { alice, bob, dm } = await hearth.rest.pair();
    for (const content of ["one", "two", "three"]) {
      await hearth.rest.call("POST", `/v1/conversations/${dm}/messages`, {
        token: alice.token,
        body: { client_message_id: randomUUID(), content },
      });
    }
    const stub = messenger();

    const page = await call(stub, "GetConversationHistory", { conversation_id: dm, requester_id: bob.id, limit: 2 }, bob.token);

    assert.deepEqual(page.messages.map((m) => m.content), ["one", "two"]);
    assert.equal(page.has_more, true);
    assert.ok(page.messages[0].seq < page.messages[1].seq);
    stub.close();
  });

  it("UpdatePresence ONLINE holds the user online until its end", async () => {
    const alice = await hearth.rest.user("alice");
    const stub = messenger();

    const update = await call(stub, "UpdatePresence", { user_id: alice.id, status: "PRESENCE_STATUS_ONLINE", ttl_seconds: 30 }, alice.token);

    assert.equal(update.status, "PRESENCE_STATUS_ONLINE");
    assert.ok(update.expires_at.seconds - update.updated_at.seconds >= 29);
    const offline = await call(stub, "UpdatePresence", { user_id: alice.id, status: "PRESENCE_STATUS_OFFLINE" }, alice.token);
    assert.equal(offline.status, "PRESENCE_STATUS_OFFLINE");
    stub.close();
  });
});
