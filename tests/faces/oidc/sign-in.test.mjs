// Sign-in through an OpenID Connect provider and a plain OAuth 2.0 provider, end to end: the
// real `hearth serve` and a real provider (panva's oidc-provider) on loopback, driven as a
// browser drives them (the provider's redirects and cookies, our callback's cookie and its
// redirect into the web client with the outcome in the fragment).
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";

import { HearthServer } from "../lib/server.mjs";
import { Rest } from "../lib/rest.mjs";
import { followToCallback, freePort, startOidcProvider } from "../lib/oidc.mjs";

const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const callback = (id) => `${base}/v1/auth/providers/${id}/callback`;
let provider;
let hearth;
let rest;

before(async () => {
  provider = await startOidcProvider([callback("test"), callback("plain")]);
  const { issuer } = provider;
  hearth = await new HearthServer({
    listen: `127.0.0.1:${port}`,
    env: {
      HEARTH_PUBLIC_URL: base,
      HEARTH_IDENTITY_PROVIDERS__TEST__ISSUER: issuer,
      HEARTH_IDENTITY_PROVIDERS__TEST__DISPLAY_NAME: "Test ID",
      HEARTH_IDENTITY_PROVIDERS__TEST__CLIENT_ID: "hearth",
      HEARTH_IDENTITY_PROVIDERS__TEST__CLIENT_SECRET: "hearth-secret",
      HEARTH_IDENTITY_PROVIDERS__PLAIN__AUTHORIZATION_URL: `${issuer}/auth`,
      HEARTH_IDENTITY_PROVIDERS__PLAIN__TOKEN_URL: `${issuer}/token`,
      HEARTH_IDENTITY_PROVIDERS__PLAIN__USERINFO_URL: `${issuer}/me`,
      HEARTH_IDENTITY_PROVIDERS__PLAIN__CLIENT_ID: "hearth",
      HEARTH_IDENTITY_PROVIDERS__PLAIN__CLIENT_SECRET: "hearth-secret",
    },
  }).start();
  rest = new Rest(hearth.base);
});

after(async () => {
  await hearth?.dispose();
  await provider?.close();
});

/** Starts a flow on our server (with `token`: a link to that account): `{url, cookie, state}`. */
async function authorize(id, { token, returnTo } = {}) {
  const headers = { "content-type": "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  const body = {};
  if (returnTo) body.return_to = returnTo;
  const path = token ? `/v1/users/me/identities/${id}` : `/v1/auth/providers/${id}/authorize`;
  const response = await fetch(`${base}${path}`, {
    method: "POST",
    headers,
    body: JSON.stringify(body),
  });
  const text = await response.text();
  assert.equal(response.status, 200, text);
  const cookie = response.headers.getSetCookie().find((c) => c.startsWith("hearth_sign_in="));
  assert.ok(cookie, "the flow's cookie is set");
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Lax/);
  const url = JSON.parse(text).data.authorization_url;
  return { url, cookie: cookie.split(";")[0], state: new URL(url).searchParams.get("state") };
}

/** GETs our callback as the browser would; the fragment of the redirect it answers. */
async function land(callbackUrl, cookie) {
  const response = await fetch(callbackUrl, { redirect: "manual", headers: cookie ? { cookie } : {} });
  assert.equal(response.status, 303, await response.text());
  const location = response.headers.get("location");
  assert.ok(location.startsWith("/"), `stays on this site: ${location}`);
  const [path, fragment = ""] = location.split("#");
  return { path, outcome: Object.fromEntries(new URLSearchParams(fragment)) };
}

/** A whole sign-in as `sub` with provider `id`: the session, or the fragment on failure. */
async function signIn(sub, id = "test", options = {}) {
  provider.signInAs(sub);
  const flow = await authorize(id, options);
  const landed = await land(await followToCallback(flow.url, callback(id)), flow.cookie);
  if (!landed.outcome.sign_in) return { landed };
  const session = await rest.call("POST", "/v1/auth/providers/handoff", { body: { code: landed.outcome.sign_in } });
  return { landed, session };
}

const subject = (name) => `${name}${randomUUID().slice(0, 6)}`;

describe("signing in", () => {
  test("the sign-in screen lists every configured provider", async () => {
    const { providers } = await rest.call("GET", "/v1/auth/providers");
    assert.deepEqual(providers, [
      { id: "plain", display_name: "plain" },
      { id: "test", display_name: "Test ID" },
    ]);
  });

  test("a first sign-in creates an account from the verified identity, and the next one finds it", async () => {
    const sub = subject("bob");
    const first = await signIn(sub, "test", { returnTo: "/c/00000000-0000-0000-0000-000000000000" });
    assert.equal(first.landed.path, "/c/00000000-0000-0000-0000-000000000000", "back where the client asked");
    const { user, tokens } = first.session;
    assert.equal(user.username, sub, "named after the e-mail address's local part");
    assert.equal(user.display_name, `${sub[0].toUpperCase()}${sub.slice(1)} Example`);
    const me = await rest.call("GET", "/v1/users/me", { token: tokens.access_token });
    assert.equal(me.id, user.id);
    const { identities } = await rest.call("GET", "/v1/users/me/identities", { token: tokens.access_token });
    assert.deepEqual(identities.map((i) => [i.provider, i.display_name, i.email]), [["test", "Test ID", `${sub}@example.test`]]);

    const again = await signIn(sub);
    assert.equal(again.session.user.id, user.id, "the same account");
  });

  test("a plain OAuth 2.0 provider signs in through its userinfo endpoint", async () => {
    const sub = subject("olga");
    const { session } = await signIn(sub, "plain");
    assert.equal(session.user.username, sub);
    const { identities } = await rest.call("GET", "/v1/users/me/identities", { token: session.tokens.access_token });
    assert.deepEqual(identities.map((i) => i.provider), ["plain"]);
  });

  test("a hand-off code buys one session only", async () => {
    provider.signInAs(subject("hana"));
    const flow = await authorize("test");
    const { outcome } = await land(await followToCallback(flow.url, callback("test")), flow.cookie);
    await rest.call("POST", "/v1/auth/providers/handoff", { body: { code: outcome.sign_in } });
    await rest.call("POST", "/v1/auth/providers/handoff", { body: { code: outcome.sign_in }, expect: [401] });
  });

  test("an account an operator disabled does not sign in through a provider", async () => {
    const sub = subject("dis");
    const { session } = await signIn(sub);
    hearth.admin("disable-user", "--username", session.user.username);
    const { landed } = await signIn(sub);
    assert.deepEqual(landed.outcome, { sign_in_error: "account_disabled" });
    hearth.admin("enable-user", "--username", session.user.username);
    assert.equal((await signIn(sub)).session.user.id, session.user.id);
  });

  test("an unknown provider is a 404", async () => {
    await rest.call("POST", "/v1/auth/providers/nope/authorize", { body: {}, expect: [404] });
  });
});

describe("what the callback refuses", () => {
  test("a tampered state matches no flow", async () => {
    provider.signInAs(subject("tim"));
    const flow = await authorize("test");
    const reached = new URL(await followToCallback(flow.url, callback("test")));
    reached.searchParams.set("state", `${flow.state}x`);
    const { outcome } = await land(reached.href, flow.cookie);
    assert.deepEqual(outcome, { sign_in_error: "invalid_state" });
  });

  test("a callback in another browser (without the flow's cookie) is refused", async () => {
    provider.signInAs(subject("eve"));
    const flow = await authorize("test");
    const reached = await followToCallback(flow.url, callback("test"));
    assert.deepEqual((await land(reached)).outcome, { sign_in_error: "invalid_state" });
    assert.deepEqual((await land(reached, "hearth_sign_in=forged")).outcome, { sign_in_error: "invalid_state" });
  });

  test("a callback is good for one try", async () => {
    provider.signInAs(subject("rita"));
    const flow = await authorize("test");
    const reached = await followToCallback(flow.url, callback("test"));
    assert.ok((await land(reached, flow.cookie)).outcome.sign_in);
    assert.deepEqual((await land(reached, flow.cookie)).outcome, { sign_in_error: "invalid_state" });
  });

  test("a replayed code is refused by the provider, under a fresh flow too", async () => {
    provider.signInAs(subject("ray"));
    const first = await authorize("test");
    const reached = new URL(await followToCallback(first.url, callback("test")));
    assert.ok((await land(reached.href, first.cookie)).outcome.sign_in, "the code works once");

    const second = await authorize("test");
    reached.searchParams.set("state", second.state);
    const { outcome } = await land(reached.href, second.cookie);
    assert.deepEqual(outcome, { sign_in_error: "rejected" });
  });

  test("a person who declines at the provider is told so", async () => {
    const flow = await authorize("test");
    const declined = `${callback("test")}?error=access_denied&state=${flow.state}`;
    assert.deepEqual((await land(declined, flow.cookie)).outcome, { sign_in_error: "denied" });
  });
});

describe("e-mail addresses", () => {
  test("an address the provider does not vouch for never joins an existing account", async () => {
    const name = subject("carol");
    const local = await rest.call("POST", "/v1/auth/register", {
      body: { username: name, password: "correct horse battery", email: `${name}@example.test` },
    });
    const { session } = await signIn(`unverified-${name}`);
    assert.notEqual(session.user.id, local.user.id, "a new account, not carol's");
  });

  test("a verified address joins no account whose owner never proved it here", async () => {
    const name = subject("dora");
    const local = await rest.call("POST", "/v1/auth/register", {
      body: { username: name, password: "correct horse battery", email: `${name}@example.test` },
    });
    const { session } = await signIn(name);
    assert.notEqual(session.user.id, local.user.id);
    assert.notEqual(session.user.username, name, "the name was taken: another one is chosen");
  });
});

describe("linking in settings", () => {
  test("a signed-in user links a provider, then signs in with it, then unlinks it", async () => {
    const me = await rest.user("linker");
    const sub = subject("lin");
    const linked = await signIn(sub, "test", { token: me.token, returnTo: "/" });
    assert.deepEqual(linked.landed.outcome, { linked: "test" });
    let { identities } = await rest.call("GET", "/v1/users/me/identities", { token: me.token });
    assert.deepEqual(identities.map((i) => i.provider), ["test"]);

    const { session } = await signIn(sub);
    assert.equal(session.user.id, me.id, "the provider now signs in to this account");

    await rest.call("DELETE", "/v1/users/me/identities/test", { token: me.token });
    ({ identities } = await rest.call("GET", "/v1/users/me/identities", { token: me.token }));
    assert.deepEqual(identities, []);
    await rest.call("DELETE", "/v1/users/me/identities/test", { token: me.token, expect: [404] });
  });

  test("linking needs a signed-in user", async () => {
    await rest.call("POST", "/v1/users/me/identities/test", { body: {}, expect: [401] });
  });

  test("an identity of another account cannot be linked", async () => {
    const sub = subject("owned");
    await signIn(sub);
    const other = await rest.user("thief");
    const { landed } = await signIn(sub, "test", { token: other.token });
    assert.deepEqual(landed.outcome, { sign_in_error: "identity_in_use" });
  });

  test("the only way to sign in cannot be unlinked", async () => {
    const { session } = await signIn(subject("solo"));
    const token = session.tokens.access_token;
    await rest.call("DELETE", "/v1/users/me/identities/test", { token, expect: [409] });
  });

  test("an account made through a provider has no password to sign in with", async () => {
    const { session } = await signIn(subject("nopw"));
    await rest.call("POST", "/v1/auth/login", {
      body: { username: session.user.username, password: "anything at all" },
      expect: [401],
    });
  });
});
