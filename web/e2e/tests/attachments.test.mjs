// Attachments: Grace attaches a picture and a document with "Attach files", sees each
// upload's progress finish, sends them with a caption; Ada sees the picture's thumbnail in the
// message, opens it large in a lightbox, and downloads the document.
import { after, before, describe, test } from "node:test";
import { screenshot } from "../lib/browser.mjs";
import { Scene } from "../lib/scene.mjs";
import { STEP, loadedWidth, openConversation, signIn, ui, visible, waitGone } from "../lib/ui.mjs";

describe("attachments", () => {
  let scene, grace, ada;

  before(async () => {
    scene = await Scene.start();
    const graceUser = await scene.api.register("grace", "Grace Hopper");
    const adaUser = await scene.api.register("ada", "Ada Lovelace");
    await scene.api.direct(graceUser, adaUser);
    grace = await scene.person();
    ada = await scene.person();
    await signIn(grace.page, "grace");
    await signIn(ada.page, "ada");
    await openConversation(grace.page, "Ada Lovelace");
    await openConversation(ada.page, "Grace Hopper");
  });

  after(async () => {
    await scene?.stop();
  });

  /** A 900 × 600 PNG drawn in the page (a canvas), as a file to choose. */
  const picture = async (page) => {
    const url = await page.evaluate(() => {
      const canvas = document.createElement("canvas");
      canvas.width = 900;
      canvas.height = 600;
      const draw = canvas.getContext("2d");
      draw.fillStyle = "#1d6fa5";
      draw.fillRect(0, 0, 900, 600);
      draw.fillStyle = "#f5c518";
      draw.fillRect(300, 200, 300, 200);
      return canvas.toDataURL("image/png");
    });
    return { name: "moth.png", mimeType: "image/png", buffer: Buffer.from(url.split(",")[1], "base64") };
  };

  test("files chosen with Attach files upload with a progress bar and go with the message", async () => {
    const page = grace.page;
    const notes = { name: "logbook.txt", mimeType: "text/plain", buffer: Buffer.from("9/9 1545 Relay #70 Panel F (moth) in relay.\n") };
    await page.getByLabel("Attach files").setInputFiles([await picture(page), notes]);
    const tray = page.getByRole("list", { name: "Attachments" });
    await visible(tray.getByRole("listitem").filter({ hasText: "moth.png" }), page);
    await visible(tray.getByRole("button", { name: "Remove logbook.txt" }), page);
    // Each upload's progress bar goes once its file is stored.
    await waitGone(page.getByRole("progressbar", { name: "Uploading moth.png" }));
    await waitGone(page.getByRole("progressbar", { name: "Uploading logbook.txt" }));
    await ui.composer(page).fill("First actual case of bug being found");
    await page.getByRole("button", { name: "Send", exact: true }).click();
    await waitGone(tray);
    const sent = ui.message(page, "First actual case of bug");
    await visible(sent.getByRole("button", { name: "Download logbook.txt" }), page);
    await visible(sent.getByRole("img", { name: "moth.png" }), page);
  });

  test("the other person sees the picture's thumbnail, not the whole file", async () => {
    const message = ui.message(ada.page, "First actual case of bug");
    // The medium thumbnail fits within 480 px; the file is 900 px wide. A message read the
    // moment it was sent may show the file until the server has made its thumbnails.
    const deadline = Date.now() + STEP;
    let width = 0;
    while (Date.now() < deadline) {
      width = await loadedWidth(message.getByRole("img", { name: "moth.png" }));
      if (width === 480) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (width !== 480) throw new Error(`the picture shown is ${width} px wide, not the 480 px thumbnail`);
    await screenshot(ada.page, "attachments");
  });

  test("the picture opens large in a lightbox", async () => {
    await ui.message(ada.page, "First actual case of bug").getByRole("link", { name: "moth.png" }).click();
    const lightbox = ada.page.getByRole("dialog", { name: "moth.png" });
    const width = await loadedWidth(lightbox.getByRole("img", { name: "moth.png" }));
    if (width !== 900) throw new Error(`the lightbox shows ${width} px, not the large thumbnail (the whole 900 px)`);
    await lightbox.getByRole("button", { name: "Close" }).click();
  });

  test("the document downloads with its name", async () => {
    const downloading = ada.page.waitForEvent("download", { timeout: STEP });
    await ui.message(ada.page, "First actual case of bug").getByRole("button", { name: "Download logbook.txt" }).click();
    const file = await downloading;
    if (file.suggestedFilename() !== "logbook.txt") throw new Error(`downloaded as ${file.suggestedFilename()}`);
  });

  test("a picture sent without text is previewed by its name in the conversation list", async () => {
    const page = grace.page;
    await page.getByLabel("Attach files").setInputFiles([{ ...(await picture(page)), name: "relay70.png" }]);
    await waitGone(page.getByRole("progressbar", { name: "Uploading relay70.png" }));
    await page.getByRole("button", { name: "Send", exact: true }).click();
    await visible(ui.articles(ada.page).getByRole("img", { name: "relay70.png" }).first(), ada.page);
    await visible(ui.conversation(ada.page, "Grace Hopper").and(ada.page.getByRole("link", { name: /relay70\.png/ })), ada.page);
  });

  test("no request left the page's origin and no page failed", () => {
    scene.assertClean();
  });
});
