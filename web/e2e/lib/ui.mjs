// The web client driven the way a person with a screen reader uses it: only by the roles and
// accessible names that DESIGN.md lists ("The web client: names that screen readers and
// tests use"). Nothing here knows the client's markup or classes.
import { PASSWORD } from "./api.mjs";

/** How long a step may take before it counts as a failure (a realtime hop is milliseconds). */
export const STEP = 15_000;

export const ui = {
  conversations: (page) => page.getByRole("navigation", { name: "Conversations" }),
  /** A conversation's link: its name starts with the title. */
  conversation: (page, title) =>
    ui.conversations(page).getByRole("link", { name: new RegExp(`^${escape(title)}`) }),
  log: (page) => page.getByRole("log", { name: "Messages" }),
  articles: (page) => ui.log(page).getByRole("article"),
  message: (page, text) => ui.articles(page).filter({ hasText: text }),
  composer: (page) => page.getByRole("textbox", { name: "Message", exact: true }),
  offline: (page) => page.getByRole("status").filter({ hasText: /^\s*Offline/ }),
};

/** Signs in through the sign-in form and waits for the conversation list. */
export async function signIn(page, username, password = PASSWORD) {
  await page.goto("/");
  await page.getByRole("textbox", { name: "Username", exact: true }).fill(username);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await ui.conversations(page).waitFor({ timeout: STEP });
}

/** Opens the conversation named `title` from the list and waits for its messages. */
export async function openConversation(page, title) {
  await ui.conversation(page, title).first().click({ timeout: STEP });
  await ui.log(page).waitFor({ timeout: STEP });
}

/** Types `text` into the composer and sends it with Enter. */
export async function sendMessage(page, text) {
  const composer = ui.composer(page);
  await composer.fill(text);
  await composer.press("Enter");
}

/** Waits until `locator` matches exactly `count` elements. */
export async function waitForCount(locator, count, timeout = STEP) {
  const deadline = Date.now() + timeout;
  let seen = -1;
  while (Date.now() < deadline) {
    seen = await locator.count();
    if (seen === count) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`expected ${count} of ${locator}, saw ${seen}`);
}

/** Waits until `locator` no longer matches anything visible. */
export async function waitGone(locator, timeout = STEP) {
  await locator.first().waitFor({ state: "hidden", timeout });
}

/**
 * The width the browser decoded the picture `img` at, once it has loaded or failed (0), or
 * after a second if its element was replaced meanwhile: never waits on a load event forever.
 */
export async function loadedWidth(img, state = "visible") {
  await img.waitFor({ state, timeout: STEP });
  return img.evaluate(
    (i) =>
      new Promise((done) => {
        const settle = () => done(i.naturalWidth);
        if (i.complete) return settle();
        i.addEventListener("load", settle, { once: true });
        i.addEventListener("error", settle, { once: true });
        setTimeout(settle, 1_000);
      }),
    undefined,
    { timeout: STEP },
  );
}

function escape(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Waits for `locator` to be visible; on a timeout the error also says what the open
 * conversation showed on `page`, so a failure can be read without a rerun.
 */
export async function visible(locator, page, timeout = STEP) {
  try {
    await locator.first().waitFor({ state: "visible", timeout });
  } catch (error) {
    const shown = await ui.articles(page).allInnerTexts().catch(() => []);
    const texts = shown.map((text) => text.replace(/\s+/g, " ").trim());
    error.message += `\nthe log showed ${texts.length} message(s): ${JSON.stringify(texts)}`;
    throw error;
  }
}
