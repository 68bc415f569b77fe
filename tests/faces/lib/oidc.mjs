// A real OpenID Connect provider on loopback for the sign-in tests: panva's `oidc-provider`
// (the certified Node implementation), run in the test's own process on a free port, Google-
// like (email, email_verified and name in the ID token). It signs in whoever the test names
// with `provider.signInAs(sub)` without a form; a subject starting with `unverified-` has an
// e-mail address the provider does not vouch for. See shared/test-components.md.
import { generateKeyPairSync } from "node:crypto";
import { once } from "node:events";
import { createServer } from "node:net";

import Provider from "oidc-provider";

/** A free loopback port (the listener is closed again; the caller binds it right away). */
export async function freePort() {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address();
  server.close();
  await once(server, "close");
  return port;
}

/**
 * Starts the provider, accepting `redirectUris` for client `hearth` (secret `hearth-secret`).
 * @param {string[]} redirectUris
 */
export async function startOidcProvider(redirectUris) {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: "jwk" }), kid: "test-key", use: "sig", alg: "RS256" };
  let next = "alice";
  const provider = new Provider(issuer, {
    clients: [{
      client_id: "hearth",
      client_secret: "hearth-secret",
      redirect_uris: redirectUris,
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
    }],
    jwks: { keys: [jwk] },
    cookies: { keys: ["hearth-test-cookie-key-0123456789"] },
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
    findAccount: async (_ctx, sub) => ({
      accountId: sub,
      claims: async () => ({
        sub,
        email: `${sub.replace(/^unverified-/, "")}@example.test`,
        email_verified: !sub.startsWith("unverified-"),
        name: `${sub[0].toUpperCase()}${sub.slice(1)} Example`,
      }),
    }),
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: false } },
    pkce: { required: () => true },
    loadExistingGrant: async (ctx) => {
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope("openid email profile");
      grant.addOIDCClaims(["email", "email_verified", "name"]);
      await grant.save();
      return grant;
    },
  });
  // Every interaction signs in the subject the test chose, with no form.
  provider.use(async (ctx, nextMiddleware) => {
    if (ctx.method !== "GET" || !/^\/interaction\/[^/]+$/.test(ctx.path)) return nextMiddleware();
    await provider.interactionFinished(ctx.req, ctx.res, { login: { accountId: next } }, { mergeWithLastSubmission: false });
    ctx.respond = false;
  });
  const server = provider.listen(port, "127.0.0.1");
  await once(server, "listening");
  return {
    issuer,
    /** The subject the next sign-in is for. */
    signInAs(sub) {
      next = sub;
    },
    close() {
      server.close();
      return once(server, "close");
    },
  };
}

/**
 * Follows the provider's redirects from `url` with a cookie jar of the provider's own, as a
 * browser would, and stops at the first address under `until` (our server's callback).
 * @param {string} url
 * @param {string} until
 */
export async function followToCallback(url, until) {
  const jar = new Map();
  for (let hop = 0; hop < 10; hop += 1) {
    if (url.startsWith(until)) return url;
    const cookie = [...jar].map(([name, value]) => `${name}=${value}`).join("; ");
    const response = await fetch(url, { redirect: "manual", headers: cookie ? { cookie } : {} });
    for (const set of response.headers.getSetCookie()) {
      const [pair] = set.split(";");
      const at = pair.indexOf("=");
      jar.set(pair.slice(0, at), pair.slice(at + 1));
    }
    const location = response.headers.get("location");
    if (!location) throw new Error(`the provider answered ${response.status} at ${url}: ${await response.text()}`);
    url = new URL(location, url).href;
  }
  throw new Error("too many redirects");
}
