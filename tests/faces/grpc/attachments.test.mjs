// Files on messages over gRPC: `SendMessageRequest.attachment_ids` and `Message.attachments`
// (Hearth's fields, new numbers).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";

import { PNG } from "../lib/files.mjs";
import { call, client, packages } from "../lib/grpc.mjs";
import { serveHearth } from "../lib/harness.mjs";

const { hearth: v1 } = packages();

describe("attachments on gRPC", () => {
  const hearth = serveHearth();

  it("SendMessage attaches files and GetConversationHistory carries them", async () => {
    const { alice, bob, dm } = await hearth.rest.pair();
    const file = await hearth.rest.upload(alice, "pixel.png", PNG);
    const stub = client(v1.MessengerService, hearth.base);

    const sent = await call(
      stub,
      "SendMessage",
      { conversation_id: dm, sender_id: alice.id, content: "", client_message_id: randomUUID(), attachment_ids: [file.id] },
      alice.token,
    );
    assert.equal(sent.attachments.length, 1);
    assert.equal(sent.attachments[0].id, file.id);

    const history = await call(stub, "GetConversationHistory", { conversation_id: dm, requester_id: bob.id, limit: 10 }, bob.token);
    const message = history.messages.at(-1);
    assert.equal(message.id, sent.message_id);
    assert.deepEqual(
      message.attachments.map(({ id, kind, file_name, content_type, size, download_path }) => ({
        id,
        kind,
        file_name,
        content_type,
        size,
        download_path,
      })),
      [
        {
          id: file.id,
          kind: "image",
          file_name: "pixel.png",
          content_type: "image/png",
          size: PNG.length,
          download_path: `/v1/media/${file.id}/content`,
        },
      ],
    );
    stub.close();
  });
});
