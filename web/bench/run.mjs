#!/usr/bin/env node
// The web client's benchmark (issue 15's budgets), in Debian's Chromium against the real
// `hearth serve`; prints the median of each figure beside its budget.
//
//   node web/bench/run.mjs [--runs N] [--messages N]     full run (defaults: 5 runs, 10,000)
//   node web/bench/run.mjs --smoke                        1 run, 200 messages: proves it works
//
// Use a release server for figures worth recording (HEARTH_BIN=target/release/hearth); the
// client it serves is the one embedded in that binary. Needs `npm ci` in web/e2e (playwright-core).
// It asserts nothing: the lead records the figures in docs/performance.md.
import { parseArgs } from "node:util";
import { Api, uniqueName } from "../e2e/lib/api.mjs";
import { launchBrowser, openUser } from "../e2e/lib/browser.mjs";
import { HearthServer } from "../e2e/lib/server.mjs";
import { signIn } from "../e2e/lib/ui.mjs";
import { catchUp, initialScriptBytes, listRenderAfterReload, openAndScroll, probe } from "./measure.mjs";

const { values } = parseArgs({
  options: {
    smoke: { type: "boolean", default: false },
    runs: { type: "string" },
    messages: { type: "string" },
  },
});
const runs = Number(values.runs ?? (values.smoke ? 1 : 5));
const messages = Number(values.messages ?? (values.smoke ? 200 : 10_000));

/** Sends `count` messages from `who`, `parallel` at a time (the server orders them by seq). */
async function seed(api, who, conversationId, count, prefix, parallel = 16) {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const n = (next += 1);
      await api.send(who, conversationId, `${prefix} ${n} — a line of history to scroll through`);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
}

const median = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

const server = await new HearthServer().start();
const browser = await launchBrowser();
const figures = { js: [], list: [], longest: [], over50: [], catchUp: [] };
try {
  const api = new Api(server.base);
  for (let run = 0; run < runs; run += 1) {
    const reader = await api.register(uniqueName("reader"), "Reader");
    const writer = await api.register(uniqueName("writer"), `Writer ${run}`);
    const conversationId = await api.direct(writer, reader);
    await api.send(writer, conversationId, "hello");

    const { context, page } = await openUser(browser, server.base);
    await probe(context);
    const js = await initialScriptBytes(page);
    figures.js.push(js.gzip);
    await signIn(page, reader.username);

    // Catching up: the client is away (a blank page) while the history is written, then
    // comes back with the store it had.
    await page.goto("about:blank");
    await seed(api, writer, conversationId, messages, `run ${run}`);
    const { last_seq: lastSeq } = await api.call("GET", `/v1/conversations/${conversationId}`, reader.access);
    figures.catchUp.push(await catchUp(page, reader.id, conversationId, lastSeq));

    figures.list.push(await listRenderAfterReload(page));
    const longTasks = await openAndScroll(page, `Writer ${run}`, values.smoke ? 5 : 40);
    figures.longest.push(Math.max(0, ...longTasks));
    figures.over50.push(longTasks.filter((d) => d > 50).length);
    await context.close();
  }
} finally {
  await browser.close();
  await server.dispose();
}

const rows = [
  ["initial JavaScript, gzipped", `${(median(figures.js) / 1024).toFixed(1)} KB`, "≤ 150 KB"],
  ["first render of the conversation list (warm store)", `${median(figures.list).toFixed(0)} ms`, "≤ 300 ms"],
  [`open + scroll ${messages} messages: longest task`, `${median(figures.longest).toFixed(0)} ms`, "≤ 50 ms"],
  [`open + scroll ${messages} messages: tasks over 50 ms`, `${median(figures.over50)}`, "0"],
  [`catch up ${messages} missed messages into IndexedDB`, `${median(figures.catchUp).toFixed(0)} ms`, "≤ 3000 ms"],
];
console.log(`web client benchmark: median of ${runs} run(s), server ${server.base}`);
for (const [what, value, budget] of rows) console.log(`${what.padEnd(56)} ${value.padStart(10)}   ${budget}`);
if (Object.values(figures).some((xs) => xs.some((x) => typeof x !== "number" || Number.isNaN(x)))) {
  console.error("a figure is missing: see the client's marks in web/bench/measure.mjs");
  process.exit(1);
}
