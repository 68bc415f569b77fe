// Subscriptions with the stock graphql-ws client: messageReceived delivers messages sent on
// another face (REST) to the conversation's members, and presenceUpdated tells when someone
// comes online and goes offline.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";

import { serveHearth } from "../lib/harness.mjs";
import { connectGql, live, next, subscribe } from "../lib/gql.mjs";

const MESSAGE_RECEIVED = `subscription($c: ID!) {
  messageReceived(conversationId: $c) { id content conversationId clientMessageId status sentAt sender { id username displayName } }
}`;
const PRESENCE_UPDATED = `subscription($u: ID!) { presenceUpdated(userId: $u) { userId online lastSeenAt } }`;

describe("GraphQL subscriptions", () => {
  const hearth = serveHearth();

  /** Makes `sub` (on `conversation`) live by sending probes as `sender` over REST. */
  const probed = (sub, sender, conversation) =>
    live(
      sub,
      async (attempt) => (await hearth.rest.send(sender, conversation, `probe ${attempt}`)).client_message_id,
      (value, key) => value.data?.messageReceived?.clientMessageId === key,
    );

  it("messageReceived delivers a message sent over REST", async () => {
    const { alice, bob, dm } = await hearth.rest.pair();
    const client = await connectGql(hearth.base, bob);
    const sub = subscribe(client, MESSAGE_RECEIVED, { c: dm });
    await probed(sub, alice, dm);

    const key = randomUUID();
    const sent = await hearth.rest.send(alice, dm, "hello over REST", key);
    const received = await next(sub, (v) => v.data?.messageReceived?.clientMessageId === key);
    await client.dispose();

    const message = received.data.messageReceived;
    assert.equal(message.id, sent.id);
    assert.equal(message.content, "hello over REST");
    assert.equal(message.conversationId, dm);
    assert.equal(message.status, "SENT");
    assert.equal(message.sender.id, alice.id);
    assert.equal(message.sender.username, alice.username);
  });

  it("messageReceived for someone else's conversation is forbidden", async () => {
    const { dm } = await hearth.rest.pair();
    const carol = await hearth.rest.user("carol");
    const client = await connectGql(hearth.base, carol);
    const sub = subscribe(client, MESSAGE_RECEIVED, { c: dm });

    // The server answers the subscription with its error (as a `next` payload with `errors`, or
    // as an `error` message), and nothing else.
    const answer = await next(sub).catch((error) => ({ errors: JSON.parse(error.message) }));
    await client.dispose();

    assert.equal(answer.data ?? null, null);
    assert.equal(answer.errors[0].extensions.code, "forbidden");
  });

  it("messageReceived carries only the conversation asked for", async () => {
    const { alice, bob, dm } = await hearth.rest.pair();
    const group = await hearth.rest.group(alice, [bob]);
    const client = await connectGql(hearth.base, bob);
    const sub = subscribe(client, MESSAGE_RECEIVED, { c: dm });
    await probed(sub, alice, dm);

    await hearth.rest.send(alice, group, "in the group");
    const after = randomUUID();
    await hearth.rest.send(alice, dm, "after it", after);
    await next(sub, (v) => v.data?.messageReceived?.clientMessageId === after);
    await client.dispose();

    assert.ok(sub.values.every((v) => v.data.messageReceived.conversationId === dm));
  });

  it("presenceUpdated tells a contact coming online and going offline", async () => {
    const { alice, bob } = await hearth.rest.pair();
    const watcher = await connectGql(hearth.base, alice);
    const sub = subscribe(watcher, PRESENCE_UPDATED, { u: bob.id });

    // Bob connects until the (not acknowledged) subscription is live and hears him.
    const online = (v) => v.data?.presenceUpdated?.online === true;
    let bobClient = null;
    for (let attempt = 0; attempt < 20 && !sub.values.some(online); attempt += 1) {
      if (bobClient) {
        await bobClient.dispose();
        await bobClient.closed;
        await next(sub, (v) => v.data?.presenceUpdated?.online === false, 500).catch(() => {});
      }
      bobClient = await connectGql(hearth.base, bob);
      await next(sub, online, 500).catch(() => {});
    }
    const cameOnline = await next(sub, online);
    const offlineBefore = sub.values.filter((v) => v.data.presenceUpdated.online === false).length;
    await bobClient.dispose();
    const wentOffline = await next(
      sub,
      (v) => v.data?.presenceUpdated?.online === false && sub.values.filter((x) => x.data.presenceUpdated.online === false).indexOf(v) >= offlineBefore,
    );
    await watcher.dispose();

    assert.equal(cameOnline.data.presenceUpdated.userId, bob.id);
    assert.equal(wentOffline.data.presenceUpdated.userId, bob.id);
    assert.ok(Date.parse(wentOffline.data.presenceUpdated.lastSeenAt) > 0);
  });
});
