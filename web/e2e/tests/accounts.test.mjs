// The account forms through the UI: create an account (which signs in), sign out, a failed
// sign-in, and signing in again; with screenshots of the first screens, also at 360 px.
import { after, before, describe, test } from "node:test";
import { screenshot } from "../lib/browser.mjs";
import { PASSWORD } from "../lib/api.mjs";
import { Scene } from "../lib/scene.mjs";
import { STEP, signIn, ui } from "../lib/ui.mjs";

describe("accounts", () => {
  let scene, erin;
  const username = "erin";

  before(async () => {
    scene = await Scene.start();
    erin = await scene.person();
  });

  after(async () => {
    await scene?.stop();
  });

  test("creating an account signs the new person in", async () => {
    const { page } = erin;
    await page.goto("/");
    await page.getByRole("button", { name: "Sign in", exact: true }).waitFor({ timeout: STEP });
    await screenshot(page, "sign-in");
    await page.getByRole("link", { name: "Create account" }).or(page.getByRole("button", { name: "Create account" })).first().click();
    await page.getByRole("textbox", { name: "Username", exact: true }).fill(username);
    await page.getByRole("textbox", { name: "Display name", exact: true }).fill("Erin Brockovich");
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await page.getByRole("button", { name: "Create account" }).click();
    await ui.conversations(page).waitFor({ timeout: STEP });
    await screenshot(page, "conversations");
  });

  test("signing out returns to the sign-in form", async () => {
    const { page } = erin;
    await page.getByRole("button", { name: "Account" }).click();
    await page.getByRole("menuitem", { name: "Sign out" }).or(page.getByRole("button", { name: "Sign out" })).first().click();
    await page.getByRole("button", { name: "Sign in", exact: true }).waitFor({ timeout: STEP });
  });

  test("a wrong password shows an alert", async () => {
    const { page } = erin;
    await page.getByRole("textbox", { name: "Username", exact: true }).fill(username);
    await page.getByLabel("Password", { exact: true }).fill("not the password");
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.getByRole("alert").waitFor({ timeout: STEP });
  });

  test("signing in shows the conversation list, also at 360 px wide", async () => {
    await signIn(erin.page, username);
    const narrow = await scene.person({ width: 360, height: 740 });
    await signIn(narrow.page, username);
    await screenshot(narrow.page, "conversations-360");
  });

  test("no request left the page's origin and no page failed", () => {
    scene.assertClean();
  });
});
