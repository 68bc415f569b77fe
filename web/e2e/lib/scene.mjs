// One scene per test file: a fresh server, one Chromium, and the people in it, torn down in
// reverse. Every file ends by checking that no page asked another origin for anything and
// that no page broke (an uncaught error or a CSP violation).
import assert from "node:assert/strict";
import { Api } from "./api.mjs";
import { launchBrowser, openUser } from "./browser.mjs";
import { HearthServer } from "./server.mjs";

export class Scene {
  /** @param {{ env?: Record<string, string>, listen?: string }} [server] the server's options */
  static async start(server) {
    const scene = new Scene();
    scene.server = await new HearthServer(server).start();
    scene.api = new Api(scene.server.base);
    scene.browser = await launchBrowser();
    return scene;
  }

  constructor() {
    this.people = [];
  }

  /** A new browser context for one person; `{ context, page, foreign, errors }`. */
  async person(options) {
    const person = await openUser(this.browser, this.server.base, options);
    this.people.push(person);
    return person;
  }

  /** Asserts that no page reached past its origin and none failed. */
  assertClean() {
    for (const { foreign, errors } of this.people) {
      assert.deepEqual(foreign, [], "requests that left the page's origin");
      assert.deepEqual(errors, [], "page errors or CSP violations");
    }
  }

  async stop() {
    await this.browser?.close();
    await this.server?.dispose();
  }
}
