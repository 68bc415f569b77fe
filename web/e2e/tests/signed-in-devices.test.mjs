// Signed-in devices: the settings list every session of the account with its device, and
// "Sign out all other devices" ends the others — the other browser is back at sign-in.
import { after, before, describe, test } from "node:test";
import { screenshot } from "../lib/browser.mjs";
import { Scene } from "../lib/scene.mjs";
import { STEP, signIn, visible, waitForCount } from "../lib/ui.mjs";

describe("signed-in devices", () => {
  let scene, laptop, phone;

  before(async () => {
    scene = await Scene.start();
    await scene.api.register("grace", "Grace Hopper");
    laptop = await scene.person();
    phone = await scene.person();
    await signIn(laptop.page, "grace");
    await signIn(phone.page, "grace");
  });

  after(async () => {
    await scene?.stop();
  });

  const devices = async (page) => {
    await page.getByRole("button", { name: "Account" }).click();
    await page.getByRole("menuitem", { name: "Profile and privacy" }).click();
    const dialog = page.getByRole("dialog", { name: "Profile and privacy" });
    return { dialog, list: dialog.getByRole("list", { name: "Signed-in devices" }) };
  };

  test("every session is listed with its device, this one marked", async () => {
    const { dialog, list } = await devices(laptop.page);
    await waitForCount(list.getByRole("listitem"), 3);
    await visible(list.getByRole("listitem").filter({ hasText: "This device" }), laptop.page);
    await waitForCount(list.getByRole("listitem").filter({ hasText: "Chrome on Linux" }), 2);
    await waitForCount(dialog.getByRole("button", { name: /^Sign out / }), 3);
    await screenshot(laptop.page, "signed-in-devices");
  });

  test("signing out the other devices sends the other browser back to sign-in", async () => {
    const dialog = laptop.page.getByRole("dialog", { name: "Profile and privacy" });
    await dialog.getByRole("button", { name: "Sign out all other devices" }).click();
    await visible(dialog.getByRole("status").filter({ hasText: "2 other devices are signed out." }), laptop.page);
    await waitForCount(dialog.getByRole("list", { name: "Signed-in devices" }).getByRole("listitem"), 1);

    await phone.page.reload();
    await phone.page.getByRole("button", { name: "Sign in", exact: true }).waitFor({ timeout: STEP });
  });
});
