// The graphql-transport-ws handshake at /graphql: `connection_init` with an
// `Authorization: Bearer` or a `token` payload is acknowledged; a bad or missing token closes
// the socket with 4403.
import { describe, it } from "node:test";
import assert from "node:assert/strict";

import { serveHearth } from "../lib/harness.mjs";
import { connectGql } from "../lib/gql.mjs";

describe("GraphQL websocket handshake", () => {
  const hearth = serveHearth();

  it("acknowledges connection_init with an Authorization: Bearer payload", async () => {
    const alice = await hearth.rest.user("alice");
    const client = await connectGql(hearth.base, alice);
    await client.dispose();
  });

  it("acknowledges connection_init with a token payload", async () => {
    const alice = await hearth.rest.user("alice");
    const client = await connectGql(hearth.base, null, { connectionParams: { token: alice.token } });
    await client.dispose();
  });

  it("closes a bad token with 4403", async () => {
    await assert.rejects(connectGql(hearth.base, null, { connectionParams: { token: "not-a-token" } }), {
      code: 4403,
    });
  });

  it("closes connection_init without a token with 4403", async () => {
    await assert.rejects(connectGql(hearth.base, null, { connectionParams: {} }), { code: 4403 });
  });

  it("counts its connections per face in /metrics", async () => {
    const alice = await hearth.rest.user("alice");
    const client = await connectGql(hearth.base, alice);
    const metrics = await hearth.rest.metrics();
    await client.dispose();
    assert.match(metrics, /hearth_face_connections_total\{face="graphql"\} [1-9]/);
  });
});
