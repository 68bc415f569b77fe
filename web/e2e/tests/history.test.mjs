// One person and a long history: scrolling up pages older messages in, search finds a
// message and jumps to it, and a message full of markup stays text.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { screenshot } from "../lib/browser.mjs";
import { Scene } from "../lib/scene.mjs";
import { STEP, openConversation, signIn, ui } from "../lib/ui.mjs";

const HISTORY = 150;
const label = (n) => `history ${String(n).padStart(3, "0")}`;
/** The one message with a word nothing else has, far back in the history. */
const NEEDLE = 23;
const needleText = `${label(NEEDLE)} the pineapple is ripe`;
const SCRIPT = `<script>window.__pwned = 1</script><img src="x" onerror="window.__pwned = 2">`;

describe("a long history", () => {
  let scene, carol, carolUser, daveUser, conversationId;

  before(async () => {
    scene = await Scene.start();
    carolUser = await scene.api.register("carol", "Carol Danvers");
    daveUser = await scene.api.register("dave", "Dave Grohl");
    conversationId = await scene.api.direct(carolUser, daveUser);
    for (let n = 1; n <= HISTORY; n += 1) {
      await scene.api.send(daveUser, conversationId, n === NEEDLE ? needleText : label(n));
    }
    carol = await scene.person();
    await signIn(carol.page, carolUser.username);
    await openConversation(carol.page, "Dave Grohl");
  });

  after(async () => {
    await scene?.stop();
  });

  test("scrolling up loads older messages", async () => {
    await ui.message(carol.page, label(HISTORY)).waitFor({ timeout: STEP });
    assert.equal(await ui.message(carol.page, label(1)).count(), 0, "the oldest is not loaded at first");
    const oldest = ui.message(carol.page, label(1));
    const deadline = Date.now() + 30_000;
    while ((await oldest.count()) === 0) {
      assert.ok(Date.now() < deadline, "scrolling up never reached the first message");
      await ui.log(carol.page).evaluate((log) => {
        log.scrollTop = 0;
        log.dispatchEvent(new Event("scroll"));
      });
      await carol.page.waitForTimeout(100);
    }
    await oldest.waitFor({ timeout: STEP });
  });

  test("search finds a message and jumps to it", async () => {
    // Back to the bottom, so the jump has somewhere to go.
    await ui.log(carol.page).evaluate((log) => {
      log.scrollTop = log.scrollHeight;
    });
    await carol.page.getByRole("button", { name: "Search messages" }).click();
    await carol.page.getByRole("searchbox", { name: "Search" }).or(carol.page.getByRole("textbox", { name: "Search", exact: true })).fill("pineapple");
    const results = carol.page.getByRole("list", { name: "Search results" });
    const hit = results.getByRole("listitem").filter({ hasText: /pineapple/i }).first();
    await hit.waitFor({ timeout: STEP });
    await screenshot(carol.page, "search");
    await (await clickable(hit)).click();
    const target = ui.message(carol.page, needleText);
    await target.waitFor({ state: "visible", timeout: STEP });
    const [box, log] = [await target.boundingBox(), await ui.log(carol.page).boundingBox()];
    assert.ok(box && log && box.y + box.height > log.y && box.y < log.y + log.height, "the found message is in view");
  });

  test("a message with markup renders as text", async () => {
    // A deep link opens the conversation at its latest message, where the new one lands.
    await carol.page.goto(`/c/${conversationId}`);
    await ui.message(carol.page, label(HISTORY)).waitFor({ timeout: STEP });
    await scene.api.send(daveUser, conversationId, SCRIPT);
    const article = ui.message(carol.page, "window.__pwned");
    await article.waitFor({ timeout: STEP });
    assert.ok((await article.innerText()).includes(SCRIPT), "the markup shows as typed");
    assert.equal(await article.locator("script, img[src='x']").count(), 0, "no element was made from it");
    assert.equal(await carol.page.evaluate(() => window.__pwned), undefined, "nothing of it ran");
  });

  test("no request left the page's origin and no page failed", () => {
    scene.assertClean();
  });
});

/** A search result is a list item holding a link or button; the control to activate it. */
async function clickable(item) {
  const control = item.getByRole("button").or(item.getByRole("link")).first();
  return (await control.count()) > 0 ? control : item;
}
