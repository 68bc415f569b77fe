// Each socket's outbound queue is bounded: a client that stops reading is disconnected (it
// never slows anyone else) and catches up with sync:request once it is back. The client that
// stops reading is a bare engine.io polling session that simply does not poll.
import { describe, it } from "node:test";
import assert from "node:assert/strict";

import { serveHearth } from "../lib/harness.mjs";
import { connect, request } from "../lib/sio.mjs";

/** Opens an engine.io v4 polling session and connects it to the default namespace. */
async function pollingSession(base, token) {
  const url = `${base}/socket.io/?EIO=4&transport=polling`;
  const open = await (await fetch(url)).text();
  const { sid } = JSON.parse(open.slice(1));
  const session = `${url}&sid=${sid}`;
  const connected = await fetch(session, { method: "POST", body: `40${JSON.stringify({ token })}` });
  assert.equal(connected.status, 200);
  return session;
}

/** Polls until the server closes the session ("1", or the session is unknown); at most `polls`. */
async function pollUntilClosed(session, polls) {
  const answers = [];
  for (let i = 0; i < polls; i += 1) {
    const response = await fetch(session);
    const text = await response.text();
    answers.push(`${response.status} ${text}`);
    if (response.status === 400 || text.split("\x1e").includes("1")) return answers;
  }
  throw new Error(`the session stayed open: ${JSON.stringify(answers)}`);
}

describe("a slow consumer", () => {
  const hearth = serveHearth({ env: { HEARTH_REALTIME__QUEUE_CAPACITY: "2" } });

  it("is disconnected once its queue is full, and catches up by sync", async () => {
    const { alice, bob, dm } = await hearth.rest.pair();
    const stalled = await pollingSession(hearth.base, bob.token);
    const watcher = await connect(hearth.base, alice);

    const sent = [];
    for (let i = 0; i < 10; i += 1) sent.push(await hearth.rest.send(alice, dm, `m${i}`));

    await pollUntilClosed(stalled, 4);
    const metrics = await hearth.rest.metrics();
    assert.match(metrics, /hearth_realtime_slow_consumers_total [1-9]/);
    // The sender's own socket kept up the whole time.
    assert.equal(watcher.connected, true);
    const back = await connect(hearth.base, bob);
    const batch = await request(back, "sync:request", { conversationId: dm });
    assert.deepEqual(
      batch.messages.map((m) => m.messageId),
      sent.map((m) => m.id),
    );
    watcher.close();
    back.close();
  });
});
