// Failures answer in the event's ack as `{error: {code, message, details?}}` with the codes
// of the one table, or as an `error` event when no ack was asked for; the socket stays usable.
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";

import { serveHearth } from "../lib/harness.mjs";
import { connect, next, request } from "../lib/sio.mjs";

describe("Socket.IO errors", () => {
  const hearth = serveHearth();
  let alice;
  let bob;
  let mallory;
  let dm;
  before(async () => {
    [alice, bob, mallory] = await Promise.all([hearth.rest.user("alice"), hearth.rest.user("bob"), hearth.rest.user("mallory")]);
    dm = await hearth.rest.direct(alice, bob);
  });

  it("refuses a non-member's message:send with forbidden in the ack, and sends no message:ack", async () => {
    const socket = await connect(hearth.base, mallory);
    const clientMsgId = randomUUID();

    const ack = await request(socket, "message:send", { conversationId: dm, clientMsgId, body: "let me in" });

    assert.equal(ack.error.code, "forbidden");
    assert.equal(typeof ack.error.message, "string");
    assert.equal(socket.received.some((r) => r.event === "message:ack"), false);
    assert.deepEqual(await hearth.rest.history(alice, dm), []);
    socket.close();
  });

  it("refuses a non-member's sync:request and typing with forbidden", async () => {
    const socket = await connect(hearth.base, mallory);

    const sync = await request(socket, "sync:request", { conversationId: dm });
    const typing = await request(socket, "typing:start", { conversationId: dm });

    assert.equal(sync.error.code, "forbidden");
    assert.equal(typing.error.code, "forbidden");
    socket.close();
  });

  it("answers an error event when no ack was asked for", async () => {
    const socket = await connect(hearth.base, mallory);

    socket.emit("message:send", { conversationId: dm, clientMsgId: randomUUID(), body: "no callback" });

    const error = await next(socket, "error");
    assert.equal(error.code, "forbidden");
    assert.equal(typeof error.message, "string");
    socket.close();
  });

  it("names a missing field with validation_failed", async () => {
    const socket = await connect(hearth.base, alice);

    const ack = await request(socket, "message:send", { conversationId: dm, clientMsgId: randomUUID() });

    assert.equal(ack.error.code, "validation_failed");
    assert.match(JSON.stringify(ack.error), /body/);
    socket.close();
  });

  it("refuses an empty body with validation_failed naming the content", async () => {
    const socket = await connect(hearth.base, alice);

    const ack = await request(socket, "message:send", { conversationId: dm, clientMsgId: randomUUID(), body: "" });

    assert.equal(ack.error.code, "validation_failed");
    assert.ok(ack.error.details, "details name the failing field");
    socket.close();
  });

  it("answers bad_request for a payload that is not an object", async () => {
    const socket = await connect(hearth.base, alice);

    const ack = await request(socket, "message:send", "hello");

    assert.equal(ack.error.code, "bad_request");
    socket.close();
  });

  it("answers not_found for an unknown or malformed conversation id", async () => {
    const socket = await connect(hearth.base, alice);

    const unknown = await request(socket, "message:send", { conversationId: randomUUID(), clientMsgId: randomUUID(), body: "x" });
    const malformed = await request(socket, "sync:request", { conversationId: "not-a-uuid" });

    assert.equal(unknown.error.code, "not_found");
    assert.equal(malformed.error.code, "not_found");
    socket.close();
  });

  it("answers bad_request for an event seed 002 does not have, and stays usable", async () => {
    const socket = await connect(hearth.base, alice);

    const unknown = await request(socket, "message:fly", {});
    const clientMsgId = randomUUID();
    const ack = await request(socket, "message:send", { conversationId: dm, clientMsgId, body: "still here" });

    assert.equal(unknown.error.code, "bad_request");
    assert.equal(ack.clientMsgId, clientMsgId);
    socket.close();
  });
});

describe("Socket.IO rate limits", () => {
  const hearth = serveHearth({ env: { HEARTH_LIMITS__SENDS_PER_USER_PER_MINUTE: "2" } });

  it("counts sends across faces and answers rate_limited with retryAfterMs", async () => {
    const { alice, bob, dm } = await hearth.rest.pair();
    await hearth.rest.send(alice, dm, "one on REST");
    const socket = await connect(hearth.base, alice);
    await request(socket, "message:send", { conversationId: dm, clientMsgId: randomUUID(), body: "two" });

    const third = await request(socket, "message:send", { conversationId: dm, clientMsgId: randomUUID(), body: "three" });

    assert.equal(third.error.code, "rate_limited");
    assert.ok(third.error.details.retryAfterMs > 0);
    socket.close();
  });
});
