// Profile: changing one's display name in Profile and privacy, a refused name, and the new
// name reaching the other person of a direct conversation when they open it; a profile
// picture chosen, seen by the other person beside the messages, and removed.
import { after, before, describe, test } from "node:test";
import { screenshot } from "../lib/browser.mjs";
import { Scene } from "../lib/scene.mjs";
import { STEP, loadedWidth as pictureWidth, openConversation, signIn, ui, visible } from "../lib/ui.mjs";

describe("profile", () => {
  let scene, grace, ada;

  before(async () => {
    scene = await Scene.start();
    const graceUser = await scene.api.register("grace", "Grace Hopper");
    const adaUser = await scene.api.register("ada", "Ada Lovelace");
    const conversationId = await scene.api.direct(graceUser, adaUser);
    await scene.api.send(graceUser, conversationId, "Found the bug: a moth");
    grace = await scene.person();
    ada = await scene.person();
    await signIn(grace.page, "grace");
    // Ada's device has stored the conversation (and Grace's old name) before the change.
    await signIn(ada.page, "ada");
    await ui.conversation(ada.page, "Grace Hopper").waitFor({ timeout: STEP });
  });

  after(async () => {
    await scene?.stop();
  });

  const openProfile = async (page) => {
    await page.getByRole("button", { name: "Account" }).click();
    await page.getByRole("menuitem", { name: "Profile and privacy" }).click();
    return page.getByRole("dialog", { name: "Profile and privacy" });
  };

  test("a display name of only spaces is refused with an alert", async () => {
    const dialog = await openProfile(grace.page);
    await dialog.getByRole("textbox", { name: "Display name" }).fill("   ");
    await dialog.getByRole("button", { name: "Save name" }).click();
    await visible(dialog.getByRole("alert").filter({ hasText: /display_name|characters/ }), grace.page);
    await dialog.getByRole("button", { name: "Close" }).click();
  });

  test("a new display name is saved and shown in the account menu", async () => {
    const dialog = await openProfile(grace.page);
    const name = dialog.getByRole("textbox", { name: "Display name" });
    await visible(name, grace.page);
    if ((await name.inputValue()) !== "Grace Hopper") throw new Error(`the field shows ${await name.inputValue()}`);
    await name.fill("Admiral Hopper");
    await dialog.getByRole("button", { name: "Save name" }).click();
    await visible(dialog.getByRole("status").filter({ hasText: "Name saved." }), grace.page);
    await screenshot(grace.page, "profile");
    await dialog.getByRole("button", { name: "Close" }).click();
    await visible(grace.page.getByRole("button", { name: "Account" }).getByText("Admiral Hopper"), grace.page);
  });

  test("an about text is saved and the other person reads it in the details", async () => {
    const dialog = await openProfile(grace.page);
    await dialog.getByRole("textbox", { name: "About you" }).fill("Rear admiral.\nCompiler pioneer.");
    await dialog.getByRole("button", { name: "Save about" }).click();
    await visible(dialog.getByRole("status").filter({ hasText: "About saved." }), grace.page);
    await dialog.getByRole("button", { name: "Close" }).click();
  });

  test("the other person sees the new name once they open the conversation", async () => {
    await openConversation(ada.page, "Grace Hopper");
    await visible(ui.message(ada.page, "Found the bug").getByText("Admiral Hopper"), ada.page);
    await visible(ui.conversation(ada.page, "Admiral Hopper"), ada.page);
  });

  test("the other person reads the about text in the conversation's details", async () => {
    await ada.page.getByRole("button", { name: "Details", exact: true }).click();
    await visible(ada.page.getByLabel("About Admiral Hopper").filter({ hasText: "Compiler pioneer." }), ada.page);
  });

  /** A 320 × 200 PNG drawn in the page (a canvas), as a file to choose. */
  const picture = async (page) => {
    const url = await page.evaluate(() => {
      const canvas = document.createElement("canvas");
      canvas.width = 320;
      canvas.height = 200;
      const draw = canvas.getContext("2d");
      draw.fillStyle = "#c03";
      draw.fillRect(0, 0, 320, 200);
      return canvas.toDataURL("image/png");
    });
    return { name: "me.png", mimeType: "image/png", buffer: Buffer.from(url.split(",")[1], "base64") };
  };

  /** The width the browser decoded the first picture in `scope` at, once it has loaded. */
  const loadedWidth = (scope) => pictureWidth(scope.locator("img").first(), "attached");

  test("a profile picture is chosen and shown in the account menu", async () => {
    const dialog = await openProfile(grace.page);
    await dialog.getByLabel("Profile picture").setInputFiles(await picture(grace.page));
    await visible(dialog.getByRole("status").filter({ hasText: "Picture saved." }), grace.page);
    await dialog.getByRole("button", { name: "Close" }).click();
    const width = await loadedWidth(grace.page.getByRole("button", { name: "Account" }));
    if (width !== 256) throw new Error(`the account menu's picture is ${width} px wide, not the server's 256`);
  });

  test("the other person sees the picture beside the messages", async () => {
    await ada.page.reload();
    await openConversation(ada.page, "Admiral Hopper");
    const width = await loadedWidth(ui.message(ada.page, "Found the bug"));
    if (width !== 256) throw new Error(`the message's picture is ${width} px wide`);
  });

  test("the picture is removed with Remove picture", async () => {
    const dialog = await openProfile(grace.page);
    await dialog.getByRole("button", { name: "Remove picture" }).click();
    await visible(dialog.getByRole("status").filter({ hasText: "Picture removed." }), grace.page);
    await dialog.getByRole("button", { name: "Close" }).click();
    const pictures = await grace.page.getByRole("button", { name: "Account" }).locator("img").count();
    if (pictures !== 0) throw new Error("the account menu still shows a picture");
  });

  test("no request left the page's origin and no page failed", () => {
    scene.assertClean();
  });
});
