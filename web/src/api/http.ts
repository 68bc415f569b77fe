/**
 * The fetch that every REST call goes through: it adds the bearer token and, on a 401,
 * refreshes once (single-flight, see `AuthSession`) and repeats the request with the new
 * token. The anonymous auth endpoints (login, register, refresh, …) are sent as they are:
 * their 401 means a wrong password or a dead refresh token, never "refresh and retry". The
 * session list under `/v1/auth/sessions` is an ordinary signed-in call.
 */
import { ApiError } from "./errors";
import type { AuthSession } from "./auth";

export type Fetch = (request: Request) => Promise<Response>;

const AUTH_PATHS = /\/v1\/auth\/(?!sessions(\/|$))/;

export function authedFetch(auth: AuthSession, base: Fetch = (r) => fetch(r)): Fetch {
  const send = async (request: Request): Promise<Response> => {
    try {
      return await base(request);
    } catch (cause) {
      throw ApiError.network(cause);
    }
  };
  return async (request) => {
    if (AUTH_PATHS.test(new URL(request.url).pathname)) return send(request);
    const retry = request.clone();
    const used = auth.accessToken;
    if (used !== null) request.headers.set("authorization", `Bearer ${used}`);
    const response = await send(request);
    if (response.status !== 401) return response;
    const fresh = await auth.refresh(used);
    retry.headers.set("authorization", `Bearer ${fresh}`);
    return send(retry);
  };
}
