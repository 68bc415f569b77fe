/**
 * Errors of the REST client: every failed call becomes an `ApiError` carrying the envelope's
 * stable `code`, so callers branch on codes, never on message text.
 */
import type { components } from "./schema";

/** The server's stable error codes, plus `network` for a request that never got an answer. */
export type ErrorCode = components["schemas"]["ErrorCode"] | "network";

/** A failed API call: an error envelope from the server, or no answer at all (`status` 0). */
export class ApiError extends Error {
  override readonly name = "ApiError";
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    /** From `Retry-After` on 429 and 503, in milliseconds. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }

  /** A request that could not reach the server (offline, refused, reset). */
  static network(cause: unknown): ApiError {
    const text = cause instanceof Error ? cause.message : String(cause);
    return new ApiError(0, "network", `cannot reach the server: ${text}`);
  }
}

/**
 * Statuses that a retry cannot fix: the request itself is refused (forbidden, conflict,
 * invalid, unknown, too large). Network errors, 429 and 5xx are worth retrying.
 */
const PERMANENT_STATUSES: ReadonlySet<number> = new Set([400, 403, 404, 409, 413, 415, 422]);

/** Whether retrying the same request can only fail again. */
export function isPermanent(error: unknown): boolean {
  return error instanceof ApiError && PERMANENT_STATUSES.has(error.status);
}

/** Reads an error envelope (or whatever came instead) into an `ApiError`. */
export async function errorFromResponse(response: Response, body?: unknown): Promise<ApiError> {
  let envelope = body;
  if (envelope === undefined) {
    envelope = await response
      .clone()
      .json()
      .catch(() => undefined);
  }
  const error = (envelope as { error?: components["schemas"]["ErrorBody"] } | undefined)?.error;
  const retryAfter = Number(response.headers.get("retry-after"));
  return new ApiError(
    response.status,
    error?.code ?? (response.status >= 500 ? "internal" : "bad_request"),
    error?.message ?? `HTTP ${response.status}`,
    error?.details ?? undefined,
    Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined,
  );
}
