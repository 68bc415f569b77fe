// Signing in with an identity provider in Chromium: the "Sign in with …" button, the real
// OpenID Connect provider (panva's oidc-provider on loopback, from tests/faces), the server's
// callback, and back in the client with a session; and a failed return shown as an alert.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { followToCallback, freePort, startOidcProvider } from "../../../tests/faces/lib/oidc.mjs";
import { screenshot } from "../lib/browser.mjs";
import { Scene } from "../lib/scene.mjs";
import { STEP, signIn, ui } from "../lib/ui.mjs";

describe("signing in with an identity provider", () => {
  let scene, provider, base;

  before(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    provider = await startOidcProvider([`${base}/v1/auth/providers/test/callback`]);
    scene = await Scene.start({
      listen: `127.0.0.1:${port}`,
      env: {
        HEARTH_PUBLIC_URL: base,
        HEARTH_IDENTITY_PROVIDERS__TEST__ISSUER: provider.issuer,
        HEARTH_IDENTITY_PROVIDERS__TEST__DISPLAY_NAME: "Test ID",
        HEARTH_IDENTITY_PROVIDERS__TEST__CLIENT_ID: "hearth",
        HEARTH_IDENTITY_PROVIDERS__TEST__CLIENT_SECRET: "hearth-secret",
      },
    });
  });

  after(async () => {
    await scene?.stop();
    await provider?.close();
  });

  test("the provider's button signs a new person in and shows their conversations", async () => {
    provider.signInAs("quinn");
    const { page } = await scene.person();
    await page.goto("/");
    const button = page.getByRole("button", { name: "Sign in with Test ID" });
    await button.waitFor({ timeout: STEP });
    await screenshot(page, "sign-in-with-provider");
    await button.click();
    await ui.conversations(page).waitFor({ timeout: STEP });
    assert.equal(new URL(page.url()).hash, "", "the one-time code is gone from the address bar");
    await page.getByRole("button", { name: "Account" }).click();
    await page.getByText("Quinn Example").first().waitFor({ timeout: STEP });
  });

  test("a failed return from the provider is an alert on the sign-in screen", async () => {
    const { page } = await scene.person();
    // A callback without the flow's cookie, as another browser would land it.
    provider.signInAs("mallory");
    const flow = await scene.api.call("POST", "/v1/auth/providers/test/authorize", null, {});
    const reached = await followToCallback(flow.authorization_url, `${base}/v1/auth/providers/test/callback`);
    await page.goto(reached);
    await page.getByRole("alert").filter({ hasText: /another browser/ }).waitFor({ timeout: STEP });
    await page.getByRole("button", { name: "Sign in", exact: true }).waitFor({ timeout: STEP });
  });

  test("a signed-in person links the provider in settings, then signs in with it", async () => {
    const ivy = await scene.api.register("ivy", "Ivy Password");
    const { page } = await scene.person();
    await signIn(page, "ivy");
    await page.getByRole("button", { name: "Account" }).click();
    await page.getByRole("menuitem", { name: "Profile and privacy" }).click();
    provider.signInAs("ivy-at-provider");
    await page.getByRole("button", { name: "Link Test ID" }).click();
    // Back from the provider, signed in still, the settings say so.
    await page.getByRole("status").filter({ hasText: "Test ID is linked" }).waitFor({ timeout: STEP });
    await page.getByRole("button", { name: "Unlink Test ID" }).waitFor({ timeout: STEP });

    const other = await scene.person();
    await other.page.goto("/");
    await other.page.getByRole("button", { name: "Sign in with Test ID" }).click();
    await ui.conversations(other.page).waitFor({ timeout: STEP });
    await other.page.getByRole("button", { name: "Account" }).click();
    await other.page.getByText("Ivy Password").first().waitFor({ timeout: STEP });
    assert.ok(ivy.id);
  });

  test("only the provider was reached besides the server, and no page failed", () => {
    const { origin } = new URL(provider.issuer);
    for (const person of scene.people) {
      person.foreign = person.foreign.filter((url) => new URL(url).origin !== origin);
    }
    scene.assertClean();
  });
});
