// A GraphQL websocket ends with its access token: once the token expires the server closes the
// socket with 4403, and the client connects again with a fresh token.
import { describe, it } from "node:test";
import assert from "node:assert/strict";

import { serveHearth } from "../lib/harness.mjs";
import { connectGql } from "../lib/gql.mjs";

describe("GraphQL websocket and the access token's lifetime", () => {
  const hearth = serveHearth({ env: { HEARTH_AUTH__ACCESS_TOKEN_TTL_SECS: "3" } });

  it("closes with 4403 when the token expires", async () => {
    const alice = await hearth.rest.user("alice");
    const client = await connectGql(hearth.base, alice);

    const closed = await client.closed;

    assert.equal(closed.code, 4403);
    assert.match(closed.reason, /expired/);
  });
});
