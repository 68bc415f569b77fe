/**
 * Ordering of a conversation's log events before they reach the store.
 *
 * Socket delivery is at-least-once and, under concurrent senders, not always in `seq`
 * order (docs/websocket.md). Events are applied strictly in order: an event right after the
 * cursor is ready, a later one waits in `buffered` until the gap before it is filled, and a
 * duplicate (at or below the cursor, or already buffered) is dropped. A gap is filled by a
 * sync from the cursor; once a sync says nothing more is visible (`has_more: false`),
 * whatever is still buffered is released in order, because the missing seqs are events this
 * user may not see (history visibility) and will never arrive.
 *
 * Pure functions over plain data: no I/O, no timers.
 */
import type { ChangeEvent } from "../api/types";

export interface Admitted {
  /** Events to apply now, in seq order, each exactly once. */
  ready: ChangeEvent[];
  /** Events after a gap, kept for later, in seq order. */
  buffered: ChangeEvent[];
  /** Whether a gap separates the cursor from the buffered events (ask for a sync). */
  gap: boolean;
}

/** Adds `incoming` to the buffer of a conversation whose cursor is `cursor`. */
export function admit(cursor: number, buffered: readonly ChangeEvent[], incoming: readonly ChangeEvent[]): Admitted {
  const bySeq = new Map<number, ChangeEvent>();
  for (const event of [...buffered, ...incoming]) {
    if (event.seq > cursor && !bySeq.has(event.seq)) bySeq.set(event.seq, event);
  }
  const sorted = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
  const ready: ChangeEvent[] = [];
  let next = cursor + 1;
  for (const event of sorted) {
    if (event.seq !== next) break;
    ready.push(event);
    next += 1;
  }
  const rest = sorted.slice(ready.length);
  return { ready, buffered: rest, gap: rest.length > 0 };
}

/**
 * After a sync that reached the end of what this user may see, at `cursor`: every buffered
 * event past it is ready, in order, gaps or not.
 */
export function release(cursor: number, buffered: readonly ChangeEvent[]): ChangeEvent[] {
  const seen = new Set<number>();
  return buffered
    .filter((event) => event.seq > cursor && !seen.has(event.seq) && seen.add(event.seq))
    .sort((a, b) => a.seq - b.seq);
}
