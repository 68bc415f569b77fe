// The mailed links in the browser, on a server that confirms addresses before sign-in and
// mails with its zero-configuration mailer (each mail an .eml file in <data>/mail/, read
// here): register, the confirmation link, sign in; forgot password, the reset link, the new
// password; a new e-mail address, confirmed by the link mailed there.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";

import { freePort } from "../../../tests/faces/lib/oidc.mjs";
import { screenshot } from "../lib/browser.mjs";
import { Scene } from "../lib/scene.mjs";
import { STEP, signIn, ui } from "../lib/ui.mjs";

/**
 * The link to `path` in a mail not seen yet, waiting for the mailer (which sends off the
 * request path) to write it. Mails with other links stay unseen for a later call.
 */
async function mailedLink(dataDir, path, seen) {
  const folder = join(dataDir, "mail");
  const pattern = new RegExp(`https?://[^\\s"<>]*${path}\\?token=[A-Za-z0-9_-]+`);
  for (let tries = 0; tries < 100; tries += 1) {
    let names = [];
    try {
      names = readdirSync(folder).filter((name) => name.endsWith(".eml") && !seen.has(name));
    } catch {
      // The folder appears with the first mail.
    }
    // Newest first: the names are time-ordered ids.
    for (const name of names.sort().reverse()) {
      // Undo quoted-printable: soft line breaks and escaped "=".
      const text = readFileSync(join(folder, name), "utf8").replace(/=\r?\n/g, "").replace(/=3D/g, "=");
      const link = text.match(pattern);
      if (link) {
        seen.add(name);
        return link[0];
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no mail with a ${path} link was written`);
}

describe("mailed links", () => {
  let scene;
  const seen = new Set();
  const PASSWORD = "a first password";

  before(async () => {
    const port = await freePort();
    scene = await Scene.start({
      listen: `127.0.0.1:${port}`,
      env: {
        HEARTH_PUBLIC_URL: `http://127.0.0.1:${port}`,
        HEARTH_AUTH__REQUIRE_EMAIL_VERIFICATION: "true",
      },
    });
  });

  after(async () => {
    await scene?.stop();
  });

  test("a new account confirms its address by the mailed link before signing in", async () => {
    const { page } = await scene.person();
    await page.goto("/");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByRole("textbox", { name: "Username", exact: true }).fill("mira");
    await page.getByRole("textbox", { name: "E-mail", exact: true }).fill("mira@example.org");
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByRole("status").filter({ hasText: "We mailed a confirmation link" }).waitFor({ timeout: STEP });

    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.getByRole("alert").filter({ hasText: "confirm your e-mail" }).waitFor({ timeout: STEP });
    await page.getByRole("button", { name: "Send a new confirmation link" }).click();
    await page.getByRole("status").filter({ hasText: "A new confirmation link" }).waitFor({ timeout: STEP });

    const link = await mailedLink(scene.server.dataDir, "/verify-email", seen);
    await page.goto(link);
    await page.getByRole("status").filter({ hasText: "Your address is confirmed" }).waitFor({ timeout: STEP });
    await screenshot(page, "email-confirmed");
    await page.getByRole("button", { name: "Back to sign in" }).click();
    await signIn(page, "mira", PASSWORD);
  });

  test("a forgotten password is reset by the mailed link", async () => {
    const { page } = await scene.person();
    await page.goto("/");
    await page.getByRole("button", { name: "Forgot password?" }).click();
    await page.getByRole("textbox", { name: "Username or e-mail", exact: true }).fill("mira@example.org");
    await page.getByRole("button", { name: "Send reset link" }).click();
    await page.getByRole("status").filter({ hasText: "reset link is on its way" }).waitFor({ timeout: STEP });

    const link = await mailedLink(scene.server.dataDir, "/reset-password", seen);
    await page.goto(link);
    await page.getByLabel("New password", { exact: true }).fill("a second password");
    await page.getByRole("button", { name: "Set password" }).click();
    await page.getByRole("status").filter({ hasText: "Your password is set" }).waitFor({ timeout: STEP });
    await screenshot(page, "password-reset");
    await page.getByRole("button", { name: "Back to sign in" }).click();
    await signIn(page, "mira", "a second password");
    await ui.conversations(page).waitFor({ timeout: STEP });
  });

  test("a new e-mail address is taken once the link mailed there is followed", async () => {
    const { page } = await scene.person();
    await signIn(page, "mira", "a second password");
    await page.getByRole("button", { name: "Account" }).click();
    await page.getByRole("menuitem", { name: "Profile and privacy" }).click();
    const dialog = page.getByRole("dialog", { name: "Profile and privacy" });
    await dialog.getByRole("textbox", { name: "New e-mail address" }).fill("mira.new@example.org");
    await dialog.getByLabel("Current password", { exact: true }).fill("a second password");
    await dialog.getByRole("button", { name: "Send confirmation link" }).click();
    await dialog.getByRole("status").filter({ hasText: "A confirmation link was sent to mira.new@example.org" }).waitFor({ timeout: STEP });

    const link = await mailedLink(scene.server.dataDir, "/verify-email", seen);
    await page.goto(link);
    await page.getByRole("status").filter({ hasText: "Your address is confirmed" }).waitFor({ timeout: STEP });
    // The account is found by its new address now.
    const reset = await scene.person();
    await reset.page.goto("/");
    await reset.page.getByRole("button", { name: "Forgot password?" }).click();
    await reset.page.getByRole("textbox", { name: "Username or e-mail", exact: true }).fill("mira.new@example.org");
    await reset.page.getByRole("button", { name: "Send reset link" }).click();
    await mailedLink(scene.server.dataDir, "/reset-password", seen);
  });

  test("a used reset link is an alert", async () => {
    const { page } = await scene.person();
    await page.goto("/reset-password?token=not-a-real-token");
    await page.getByLabel("New password", { exact: true }).fill("a third password");
    await page.getByRole("button", { name: "Set password" }).click();
    await page.getByRole("alert").waitFor({ timeout: STEP });
  });

  test("no request left the page's origin and no page failed", () => {
    scene.assertClean();
  });
});
