import { describe, expect, it, vi } from "vitest";
import { AuthSession, type RefreshTokenStore } from "./auth";
import { ApiError } from "./errors";
import { authedFetch } from "./http";
import type { Tokens } from "./types";

function memoryTokens(initial: string | null = "refresh-0"): RefreshTokenStore & { value: string | null } {
  const store = {
    value: initial,
    load: () => store.value,
    save: (token: string | null) => {
      store.value = token;
    },
  };
  return store;
}

const pair = (n: number): Tokens => ({
  access_token: `access-${n}`,
  refresh_token: `refresh-${n}`,
  token_type: "bearer",
  expires_in: 900,
});

/** A server that accepts only `access-<current>` and counts refreshes. */
function fakeServer() {
  let current = 0;
  const refreshes = vi.fn(async () => {
    await new Promise((r) => setTimeout(r, 5));
    current += 1;
    return pair(current);
  });
  const fetch = vi.fn(async (request: Request) =>
    request.headers.get("authorization") === `Bearer access-${current}`
      ? new Response("{}", { status: 200 })
      : new Response("{}", { status: 401 }),
  );
  return { refreshes, fetch };
}

describe("single-flight refresh", () => {
  it("refreshes once however many requests hit 401 together", async () => {
    const server = fakeServer();
    const auth = new AuthSession(memoryTokens(), server.refreshes);
    auth.setTokens({ ...pair(0), access_token: "expired" });
    const send = authedFetch(auth, server.fetch);
    const answers = await Promise.all(Array.from({ length: 10 }, () => send(new Request("http://h/v1/x"))));
    expect(answers.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(server.refreshes).toHaveBeenCalledTimes(1);
  });

  it("retries with the newer token, without refreshing, when a refresh finished meanwhile", async () => {
    const auth = new AuthSession(memoryTokens(), async () => pair(9));
    auth.setTokens(pair(1));
    auth.setTokens(pair(2));
    expect(await auth.refresh("access-1")).toBe("access-2");
  });

  it("persists the rotated refresh token and keeps the access token in memory only", async () => {
    const tokens = memoryTokens();
    const auth = new AuthSession(tokens, async () => pair(3));
    await auth.refresh();
    expect(tokens.value).toBe("refresh-3");
    expect(auth.accessToken).toBe("access-3");
  });

  it("signs out once, clearing both tokens, when the server refuses the refresh", async () => {
    const tokens = memoryTokens();
    const auth = new AuthSession(tokens, async () => {
      throw new ApiError(401, "unauthorized", "revoked");
    });
    const signedOut = vi.fn();
    auth.onSignedOut(signedOut);
    auth.setTokens(pair(1));
    const results = await Promise.allSettled([auth.refresh(), auth.refresh(), auth.refresh()]);
    expect(results.every((r) => r.status === "rejected")).toBe(true);
    expect(signedOut).toHaveBeenCalledTimes(1);
    expect(tokens.value).toBeNull();
    expect(auth.accessToken).toBeNull();
  });

  it("stays signed in when the refresh cannot reach the server", async () => {
    const tokens = memoryTokens();
    const auth = new AuthSession(tokens, async () => {
      throw ApiError.network(new TypeError("Failed to fetch"));
    });
    await expect(auth.refresh()).rejects.toMatchObject({ code: "network" });
    expect(tokens.value).toBe("refresh-0");
  });

  it("sends auth endpoints without trying a refresh on 401", async () => {
    const server = fakeServer();
    const auth = new AuthSession(memoryTokens(), server.refreshes);
    const response = await authedFetch(auth, server.fetch)(new Request("http://h/v1/auth/login", { method: "POST" }));
    expect(response.status).toBe(401);
    expect(server.refreshes).not.toHaveBeenCalled();
  });

  it("sends the session list with the bearer token, like any signed-in call", async () => {
    const seen: (string | null)[] = [];
    const auth = new AuthSession(memoryTokens(), vi.fn());
    auth.setTokens({ access_token: "access-1", refresh_token: "r", token_type: "bearer", expires_in: 900 });
    const base = async (request: Request) => {
      seen.push(request.headers.get("authorization"));
      return new Response("{}", { status: 200 });
    };
    await authedFetch(auth, base)(new Request("http://h/v1/auth/sessions"));
    await authedFetch(auth, base)(new Request("http://h/v1/auth/sessions/abc", { method: "DELETE" }));
    await authedFetch(auth, base)(new Request("http://h/v1/auth/login", { method: "POST" }));
    expect(seen).toEqual(["Bearer access-1", "Bearer access-1", null]);
  });
});
