/**
 * The performance marks the client benchmark reads (`web/bench/measure.mjs`): each is set once
 * per page load, at the moment it names, so the benchmark measures what a person waits for
 * rather than what it can see from outside. Marks cost nothing to a user and send nothing.
 */
export const MARKS = {
  /** The conversation list first shows at least one conversation. */
  listRendered: "hearth:conversations-rendered",
  /** The first catch-up after load has brought every conversation up to the server's seq. */
  caughtUp: "hearth:caught-up",
} as const;

const set = new Set<string>();

/** Sets `name` the first time it is called in this page load. */
export function markOnce(name: (typeof MARKS)[keyof typeof MARKS]): void {
  if (set.has(name) || typeof performance === "undefined") return;
  set.add(name);
  performance.mark(name);
}
