// Your data: "Download my data" saves the account's archive, and "Delete account" (with the
// password) deletes it — the browser is back at sign-in and the account cannot sign in again.
import { readFile } from "node:fs/promises";
import { after, before, describe, test } from "node:test";
import { PASSWORD } from "../lib/api.mjs";
import { Scene } from "../lib/scene.mjs";
import { STEP, signIn, visible } from "../lib/ui.mjs";

describe("your data", () => {
  let scene, grace;

  before(async () => {
    scene = await Scene.start();
    const graceUser = await scene.api.register("grace", "Grace Hopper");
    const adaUser = await scene.api.register("ada", "Ada Lovelace");
    const conversationId = await scene.api.direct(graceUser, adaUser);
    await scene.api.send(graceUser, conversationId, "Nanoseconds are this long");
    grace = await scene.person();
    await signIn(grace.page, "grace");
  });

  after(async () => {
    await scene?.stop();
  });

  const yourData = async (page) => {
    await page.getByRole("button", { name: "Account" }).click();
    await page.getByRole("menuitem", { name: "Profile and privacy" }).click();
    return page.getByRole("dialog", { name: "Profile and privacy" });
  };

  test("the archive of my data downloads with my messages in it", async () => {
    const dialog = await yourData(grace.page);
    const [download] = await Promise.all([
      grace.page.waitForEvent("download", { timeout: STEP }),
      dialog.getByRole("button", { name: "Download my data" }).click(),
    ]);
    if (download.suggestedFilename() !== "hearth-grace-export.json") {
      throw new Error(`downloaded ${download.suggestedFilename()}`);
    }
    const archive = JSON.parse(await readFile(await download.path(), "utf8"));
    if (archive.user.username !== "grace") throw new Error(`archive of ${archive.user.username}`);
    if (!archive.messages.some((m) => m.content === "Nanoseconds are this long")) {
      throw new Error(`the archive lacks the message: ${JSON.stringify(archive.messages)}`);
    }
  });

  test("a wrong password does not delete the account", async () => {
    const dialog = grace.page.getByRole("dialog", { name: "Profile and privacy" });
    await dialog.getByRole("button", { name: "Delete account" }).click();
    await dialog.getByLabel("Password", { exact: true }).fill("not my password");
    await dialog.getByRole("button", { name: "Delete my account permanently" }).click();
    await visible(dialog.getByRole("alert").filter({ hasText: /password/ }), grace.page);
  });

  test("deleting with the password signs out, and the account cannot sign in again", async () => {
    const dialog = grace.page.getByRole("dialog", { name: "Profile and privacy" });
    await dialog.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await dialog.getByRole("button", { name: "Delete my account permanently" }).click();
    await grace.page.getByRole("button", { name: "Sign in", exact: true }).waitFor({ timeout: STEP });

    await grace.page.getByRole("textbox", { name: "Username", exact: true }).fill("grace");
    await grace.page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await grace.page.getByRole("button", { name: "Sign in", exact: true }).click();
    await grace.page.getByRole("alert").waitFor({ timeout: STEP });
  });
});
