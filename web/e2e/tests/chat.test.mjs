// Two people in two browser contexts: realtime chat with typing and read receipts, sends
// while offline, a server restart under open pages, and a reload.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { screenshot } from "../lib/browser.mjs";
import { Scene } from "../lib/scene.mjs";
import { STEP, openConversation, sendMessage, signIn, ui, visible, waitForCount, waitGone } from "../lib/ui.mjs";

describe("two people chatting", () => {
  let scene, alice, bob, aliceUser, bobUser, conversationId;

  before(async () => {
    scene = await Scene.start();
    aliceUser = await scene.api.register("alice", "Alice Liddell");
    bobUser = await scene.api.register("bob", "Bob Marley");
    conversationId = await scene.api.direct(aliceUser, bobUser);
    alice = await scene.person();
    bob = await scene.person();
    await signIn(alice.page, aliceUser.username);
    await signIn(bob.page, bobUser.username);
    await openConversation(alice.page, "Bob Marley");
    await openConversation(bob.page, "Alice Liddell");
  });

  after(async () => {
    await scene?.stop();
  });

  test("a message, its typing indicator and its read receipt arrive in real time", async () => {
    await ui.composer(alice.page).fill("Hello");
    await bob.page.getByText(/Alice Liddell.*typing/i).first().waitFor({ timeout: STEP });

    await sendMessage(alice.page, "Hello Bob, how are you?");
    await visible(ui.message(bob.page, "Hello Bob, how are you?"), bob.page);
    // Bob has it on screen, so it is read; Alice sees that on her message.
    await visible(ui.message(alice.page, "Hello Bob, how are you?").getByText("Read", { exact: true }), alice.page);

    await sendMessage(bob.page, "Fine, thanks!");
    await visible(ui.message(alice.page, "Fine, thanks!"), alice.page);
    await screenshot(alice.page, "conversation");
  });

  test("three messages sent offline show Sending, then arrive once and in order", async () => {
    await alice.context.setOffline(true);
    await ui.offline(alice.page).waitFor({ timeout: 5_000 });
    const texts = ["offline one", "offline two", "offline three"];
    for (const text of texts) await sendMessage(alice.page, text);
    for (const text of texts) {
      await visible(ui.message(alice.page, text).getByText("Sending", { exact: true }), alice.page);
    }
    await screenshot(alice.page, "offline-sending");

    await alice.context.setOffline(false);
    await waitGone(ui.offline(alice.page));
    for (const text of texts) await visible(ui.message(bob.page, text), bob.page);
    for (const text of texts) await waitForCount(ui.message(bob.page, text), 1);
    const order = await ui.articles(bob.page).allInnerTexts();
    const positions = texts.map((text) => order.findIndex((article) => article.includes(text)));
    assert.deepEqual([...positions].sort((a, b) => a - b), positions, `out of order: ${order.join(" | ")}`);
    await waitForCount(ui.articles(alice.page).filter({ hasText: "Sending" }), 0);

    const stored = (await scene.api.messages(aliceUser, conversationId)).map((m) => m.content);
    assert.deepEqual(stored.filter((c) => texts.includes(c)), texts, "the server holds each once, in order");
  });

  test("after a server restart both pages catch up by themselves", async () => {
    await scene.server.restart();
    // Written behind the pages' backs: only a reconnect and a sync can show it.
    await scene.api.send(bobUser, conversationId, "sent while you were reconnecting");
    await visible(ui.message(alice.page, "sent while you were reconnecting"), alice.page, 30_000);
    await visible(ui.message(bob.page, "sent while you were reconnecting"), bob.page, 30_000);
    await sendMessage(alice.page, "back after the restart");
    await visible(ui.message(bob.page, "back after the restart"), bob.page);
  });

  test("a reload keeps the history", async () => {
    await alice.page.reload();
    await ui.log(alice.page).waitFor({ timeout: STEP });
    for (const text of ["Hello Bob, how are you?", "offline three", "back after the restart"]) {
      await visible(ui.message(alice.page, text), alice.page);
    }
  });

  test("a reload while offline shows the cached conversation", async () => {
    // The service worker serves the app shell; the local store, the history.
    await alice.context.setOffline(true);
    try {
      await alice.page.reload();
      await ui.log(alice.page).waitFor({ timeout: STEP });
      await visible(ui.message(alice.page, "back after the restart"), alice.page);
      await ui.offline(alice.page).waitFor({ timeout: 5_000 });
    } finally {
      await alice.context.setOffline(false);
    }
  });

  test("no request left the page's origin and no page failed", () => {
    scene.assertClean();
  });
});
