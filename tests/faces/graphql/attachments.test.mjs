// Files on messages over GraphQL: `sendMessage(…, attachments: [ID!])` (Hearth's optional
// argument) and `Message.attachments: [MediaReference!]!` with seed 001's fields.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";

import { PNG } from "../lib/files.mjs";
import { gql } from "../lib/gql.mjs";
import { serveHearth } from "../lib/harness.mjs";

const SEND = `mutation($c: ID!, $content: String!, $key: String, $files: [ID!]) {
  sendMessage(conversationId: $c, content: $content, clientMessageId: $key, attachments: $files) {
    id content attachments { id mediaType storageLocation thumbnail { id } fileName contentType size }
  }
}`;

describe("attachments on GraphQL", () => {
  const hearth = serveHearth();

  it("sendMessage attaches files and a member reads them as MediaReferences", async () => {
    const { alice, bob, dm } = await hearth.rest.pair();
    const file = await hearth.rest.upload(alice, "pixel.png", PNG);

    const sent = await gql(hearth.base, alice, SEND, { c: dm, content: "look", key: randomUUID(), files: [file.id] });

    assert.equal(sent.errors, undefined, JSON.stringify(sent.errors));
    assert.deepEqual(sent.data.sendMessage.attachments, [
      {
        id: file.id,
        mediaType: "image",
        storageLocation: `/v1/media/${file.id}/content`,
        thumbnail: null,
        fileName: "pixel.png",
        contentType: "image/png",
        size: String(PNG.length),
      },
    ]);
    const read = await gql(
      hearth.base,
      bob,
      `query($c: ID!) { conversation(id: $c) { messages(first: 10) { edges { node { id attachments { id mediaType } } } } } }`,
      { c: dm },
    );
    assert.equal(read.errors, undefined, JSON.stringify(read.errors));
    const node = read.data.conversation.messages.edges.at(-1).node;
    assert.deepEqual(node.attachments, [{ id: file.id, mediaType: "image" }]);
  });

  it("sendMessage naming someone else's file is not_found", async () => {
    const { alice, bob, dm } = await hearth.rest.pair();
    const bobs = await hearth.rest.upload(bob, "bobs.png", PNG);
    const refused = await gql(hearth.base, alice, SEND, { c: dm, content: "x", key: randomUUID(), files: [bobs.id] });
    assert.equal(refused.errors[0].extensions.code, "not_found");
  });
});
