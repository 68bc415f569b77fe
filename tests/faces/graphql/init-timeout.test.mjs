// A websocket that never sends `connection_init` is closed with 4408 once
// `realtime.auth_timeout_secs` has passed (graphql-ws: Connection initialisation timeout).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { once } from "node:events";
import WebSocket from "ws";

import { serveHearth } from "../lib/harness.mjs";
import { wsUrl } from "../lib/gql.mjs";

describe("GraphQL websocket without connection_init", () => {
  const hearth = serveHearth({ env: { HEARTH_REALTIME__AUTH_TIMEOUT_SECS: "1" } });

  it("closes with 4408 after the auth timeout", async () => {
    const socket = new WebSocket(wsUrl(hearth.base), "graphql-transport-ws");
    await once(socket, "open");
    assert.equal(socket.protocol, "graphql-transport-ws");

    const [code] = await once(socket, "close");

    assert.equal(code, 4408);
  });

  it("refuses a websocket that does not ask for graphql-transport-ws", async () => {
    const socket = new WebSocket(wsUrl(hearth.base));
    const [error] = await once(socket, "error");

    assert.match(error.message, /400/);
  });
});
