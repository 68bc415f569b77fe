// One real server per test file (or per `describe`): started before its tests, stopped by
// PID and removed after them. `hearth.base` is its origin and `hearth.rest` a REST client.
import { after, before } from "node:test";

import { HearthServer } from "./server.mjs";
import { Rest } from "./rest.mjs";

/** @param {{ env?: Record<string, string>, listen?: string }} [options] */
export function serveHearth(options) {
  const hearth = { server: null, base: null, rest: null };
  before(async () => {
    hearth.server = await new HearthServer(options).start();
    hearth.base = hearth.server.base;
    hearth.rest = new Rest(hearth.base);
  });
  after(() => hearth.server.dispose());
  return hearth;
}
