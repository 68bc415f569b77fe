// Debian's Chromium driven by playwright-core: never a downloaded browser. Each user gets
// their own browser context (own storage, IndexedDB and service worker), and every page is
// watched for requests that leave its origin.
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const ARTIFACTS = resolve(import.meta.dirname, "../artifacts");

/** Launches headless Chromium (playwright gives each launch a fresh, temporary profile). */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/**
 * A fresh context for one person on `base`, and its first page. `foreign` collects every
 * request a page of the context made to another origin (there must be none), and `errors`
 * every uncaught page error and CSP violation reported on the console.
 */
export async function openUser(browser, base, { width = 1280, height = 800 } = {}) {
  const context = await browser.newContext({ baseURL: base, viewport: { width, height } });
  const { origin, host } = new URL(base);
  const foreign = [];
  const errors = [];
  const check = (address) => {
    const url = new URL(address);
    const sameOrigin = url.origin === origin || (url.protocol === "ws:" && url.host === host);
    if (!sameOrigin && !["data:", "blob:", "about:"].includes(url.protocol)) foreign.push(address);
  };
  // Context-wide: the pages' requests and the service worker's.
  context.on("request", (request) => check(request.url()));
  context.on("page", (page) => {
    page.on("websocket", (socket) => check(socket.url()));
    page.on("pageerror", (error) => errors.push(`page error: ${error.message}`));
    page.on("console", (message) => {
      if (message.type() === "error" && /Content Security Policy/i.test(message.text())) {
        errors.push(`csp: ${message.text()}`);
      }
    });
  });
  const page = await context.newPage();
  return { context, page, foreign, errors };
}

/** Saves a screenshot of `page` as artifacts/<name>.png and returns its path. */
export async function screenshot(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path });
  return path;
}
