/**
 * Exponential backoff with jitter, shared by the socket's reconnects and the outbox's
 * retries: attempt n (from 1) waits between half and all of `base * 2^(n-1)`, capped.
 * The jitter spreads a crowd of clients that lost the server at the same moment.
 */
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

export function backoffDelay(policy: BackoffPolicy, attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}
