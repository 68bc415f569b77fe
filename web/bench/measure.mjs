// The web client's four performance figures, measured in Debian's Chromium against the real
// `hearth serve`. Each reads a performance mark that the client sets when there is one
// (MARKS), and otherwise measures from the outside with an observer injected into the page
// before any of the client's scripts run. Nothing here asserts a budget: run.mjs reports.
import { gzipSync } from "node:zlib";
import { ui } from "../e2e/lib/ui.mjs";

/** The marks the client sets (web/src/perf.ts, same names); the fallbacks below stand in for missing ones. */
export const MARKS = {
  listRendered: "hearth:conversations-rendered",
  caughtUp: "hearth:caught-up",
};

/**
 * Installed before the client's own scripts: records when the conversation list first shows a
 * conversation, and every long task.
 */
function pageProbe(marks) {
  window.__bench = { listAt: null, longTasks: [] };
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) window.__bench.longTasks.push(entry.duration);
  }).observe({ type: "longtask", buffered: true });
  const seen = () => document.querySelector('nav[aria-label="Conversations"] a');
  new MutationObserver((_, observer) => {
    if (seen()) {
      window.__bench.listAt ??= performance.now();
      observer.disconnect();
    }
  }).observe(document, { childList: true, subtree: true });
  window.__benchMark = (name) => performance.getEntriesByName(marks[name] ?? name)[0]?.startTime ?? null;
}

export async function probe(context) {
  await context.addInitScript(pageProbe, MARKS);
}

/** Gzipped bytes of the JavaScript the page loads before it first settles (not sw.js). */
export async function initialScriptBytes(page) {
  const bodies = [];
  const onResponse = async (response) => {
    const request = response.request();
    if (request.resourceType() === "script" && !request.serviceWorker()) {
      bodies.push(response.body().catch(() => Buffer.alloc(0)));
    }
  };
  page.on("response", onResponse);
  await page.goto("/", { waitUntil: "networkidle" });
  page.off("response", onResponse);
  const scripts = await Promise.all(bodies);
  return { gzip: scripts.reduce((sum, body) => sum + gzipSync(body).length, 0), files: scripts.length };
}

/** Milliseconds from navigation start to the first conversation in the list, on a reload. */
export async function listRenderAfterReload(page) {
  await page.reload({ waitUntil: "load" });
  await ui.conversations(page).getByRole("link").first().waitFor();
  return page.evaluate(() => window.__benchMark("listRendered") ?? window.__bench.listAt);
}

/** Opens `title` and scrolls up through `steps` screens; the long tasks seen meanwhile. */
export async function openAndScroll(page, title, steps) {
  await page.evaluate(() => {
    window.__bench.longTasks = [];
  });
  await ui.conversation(page, title).first().click();
  await ui.articles(page).first().waitFor();
  const log = ui.log(page);
  await log.hover();
  for (let step = 0; step < steps; step += 1) {
    await page.mouse.wheel(0, -1500);
    // Let the list render what scrolled in before the next wheel (two frames).
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  }
  // Long tasks are reported after they end: one more idle moment collects the last one.
  await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 200)));
  return page.evaluate(() => window.__bench.longTasks);
}

/**
 * Milliseconds from navigation start until the local store holds `conversationId` up to
 * `lastSeq` (its sync cursor in IndexedDB `hearth-<userId>`): the page comes back (from a blank
 * page) to a warm store that missed everything written meanwhile.
 */
export async function catchUp(page, userId, conversationId, lastSeq) {
  await page.goto("/", { waitUntil: "commit" });
  return page.evaluate(
    async ({ name, conversationId, lastSeq }) => {
      const marked = () => window.__benchMark("caughtUp");
      const cursor = () =>
        new Promise((resolve) => {
          const open = indexedDB.open(name);
          open.onerror = () => resolve(0);
          open.onsuccess = () => {
            const db = open.result;
            if (!db.objectStoreNames.contains("cursors")) {
              db.close();
              resolve(0);
              return;
            }
            const get = db.transaction("cursors").objectStore("cursors").get(conversationId);
            get.onsuccess = () => {
              db.close();
              resolve(get.result?.seq ?? 0);
            };
            get.onerror = () => {
              db.close();
              resolve(0);
            };
          };
        });
      for (;;) {
        if ((await cursor()) >= lastSeq) return marked() ?? performance.now();
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    { name: `hearth-${userId}`, conversationId, lastSeq },
  );
}
