// Files on messages over Socket.IO (Hearth's additions to seed 002's events): `message:send`
// takes `attachments` (media ids), and its ack, `message:ack` and `message:new` carry them.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";

import { PNG } from "../lib/files.mjs";
import { serveHearth } from "../lib/harness.mjs";
import { connect, next, request } from "../lib/sio.mjs";

describe("attachments on Socket.IO", () => {
  const hearth = serveHearth();

  it("message:send with attachments acks and delivers them, and the member downloads the file", async () => {
    const { alice, bob, dm } = await hearth.rest.pair();
    const file = await hearth.rest.upload(alice, "pixel.png", PNG);
    const [aliceSocket, bobSocket] = await Promise.all([connect(hearth.base, alice), connect(hearth.base, bob)]);
    const clientMsgId = randomUUID();

    const ack = await request(aliceSocket, "message:send", {
      conversationId: dm,
      clientMsgId,
      body: "",
      attachments: [file.id],
    });
    const delivered = await next(bobSocket, "message:new", (m) => m.clientMsgId === clientMsgId);

    assert.deepEqual(ack.attachments.map((a) => a.id), [file.id]);
    assert.equal(delivered.body, "");
    assert.deepEqual(delivered.attachments, ack.attachments);
    assert.equal(delivered.attachments[0].file_name, "pixel.png");
    assert.equal(delivered.attachments[0].kind, "image");
    const download = await hearth.rest.download(bob, file.id);
    assert.equal(download.status, 200);
    assert.deepEqual(download.bytes, PNG);
    aliceSocket.close();
    bobSocket.close();
  });
});
