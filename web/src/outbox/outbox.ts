/**
 * The durable outbox: every message the user sends is written to IndexedDB first and sent
 * from there, so nothing typed is lost to a reload, a crash or a dead connection.
 *
 * Lifecycle of an entry (modelled on matrix-rust-sdk's send queue):
 * - `enqueue` stores it as `pending`; the timeline shows it at once as **Sending**.
 * - While the server is reachable the queue drains oldest first, one send at a time, so a
 *   conversation's messages arrive in the order they were written. While it is not, nothing
 *   is attempted and nothing counts against the entry: it stays Sending.
 * - A send that fails for a reason a retry can fix (no answer, 429, 5xx) waits with
 *   exponential backoff (`Retry-After` when the server gives one) and tries again, up to
 *   `maxAttempts`; then the entry is `failed`, shown as **Not sent** with **Retry**.
 * - A send the server refuses (400, 403, 404, 409, 413, 422) fails at once: it would only be
 *   refused again.
 * - Success stores the server's message and removes the entry in one transaction. The same
 *   message may arrive over the socket first; the store then removes the entry by its
 *   `client_message_id`, and the later answer changes nothing. Retries reuse the key, so the
 *   server never stores a message twice.
 * - On start (after a reload), pending entries are simply sent again with their keys.
 */
import { ApiError, isPermanent } from "../api/errors";
import type { Media, Message } from "../api/types";
import type { OutboxEntry } from "../store/db";
import type { LocalStore } from "../store/local";
import { backoffDelay, type BackoffPolicy } from "../sync/backoff";

export interface OutboxOptions {
  store: LocalStore;
  /** Sends one entry to the server (POST …/messages with its `client_message_id`). */
  send(entry: OutboxEntry): Promise<Message>;
  /** Whether the server is reachable now; the owner calls `flush` when it becomes so. */
  isOnline(): boolean;
  maxAttempts?: number;
  backoff?: BackoffPolicy;
  random?: () => number;
  now?: () => Date;
  newId?: () => string;
}

export class Outbox {
  private draining: Promise<void> | null = null;
  private again = false;
  private waitTimer: ReturnType<typeof setTimeout> | undefined;
  private waitingUntil = 0;
  private stopped = false;
  readonly maxAttempts: number;

  constructor(private readonly options: OutboxOptions) {
    this.maxAttempts = options.maxAttempts ?? 5;
  }

  /** Writes a send to the outbox and starts sending it. */
  async enqueue(conversationId: string, content: string, replyTo: string | null = null, attachments: Media[] = []): Promise<OutboxEntry> {
    const entry: OutboxEntry = {
      client_message_id: (this.options.newId ?? (() => crypto.randomUUID()))(),
      conversation_id: conversationId,
      content,
      reply_to: replyTo,
      ...(attachments.length > 0 ? { attachments } : {}),
      created_at: (this.options.now?.() ?? new Date()).toISOString(),
      state: "pending",
      attempts: 0,
      error: null,
    };
    await this.options.store.putOutbox(entry);
    void this.flush();
    return entry;
  }

  /** Puts a failed entry back in the queue with a fresh count of attempts. */
  async retry(clientMessageId: string): Promise<void> {
    const entry = await this.options.store.outboxEntry(clientMessageId);
    if (!entry) return;
    await this.options.store.putOutbox({ ...entry, state: "pending", attempts: 0, error: null });
    this.cancelWait();
    void this.flush();
  }

  /**
   * Sends whatever is pending, unless a backoff is running (its timer drains again). Answers
   * when the queue is empty, blocked by a backoff, or the server is unreachable.
   */
  flush(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.draining) {
      this.again = true;
      return this.draining;
    }
    this.draining = this.drain().finally(() => {
      this.draining = null;
      if (this.again) {
        this.again = false;
        void this.flush();
      }
    });
    return this.draining;
  }

  /** Stops sending (sign out); entries stay in the store. */
  stop(): void {
    this.stopped = true;
    this.cancelWait();
  }

  private cancelWait(): void {
    clearTimeout(this.waitTimer);
    this.waitTimer = undefined;
    this.waitingUntil = 0;
  }

  private async drain(): Promise<void> {
    const { store } = this.options;
    for (;;) {
      if (this.stopped || !this.options.isOnline() || this.waitTimer !== undefined) return;
      const next = (await store.allOutbox()).find((entry) => entry.state === "pending");
      if (!next) return;
      try {
        const message = await this.options.send(next);
        await store.reconcileSent(next, message);
      } catch (error) {
        if (!(await this.failed(next, error))) return;
      }
    }
  }

  /** Records a failed attempt; answers whether draining may go on with the next entry. */
  private async failed(entry: OutboxEntry, error: unknown): Promise<boolean> {
    const { store } = this.options;
    const current = await store.outboxEntry(entry.client_message_id);
    if (!current) return true; // reconciled by the socket meanwhile
    const text = error instanceof Error ? error.message : String(error);
    if (isPermanent(error)) {
      await store.putOutbox({ ...current, state: "failed", error: text });
      return true;
    }
    if (error instanceof ApiError && error.code === "network" && !this.options.isOnline()) {
      return false; // went offline mid-send: no attempt counted, resumes on reconnect
    }
    const attempts = current.attempts + 1;
    if (attempts >= this.maxAttempts) {
      await store.putOutbox({ ...current, state: "failed", attempts, error: text });
      return true;
    }
    await store.putOutbox({ ...current, attempts, error: text });
    const backoff = backoffDelay(this.options.backoff ?? { baseMs: 1000, maxMs: 30_000 }, attempts, this.options.random);
    const delay = error instanceof ApiError && error.retryAfterMs ? Math.max(error.retryAfterMs, backoff) : backoff;
    this.waitingUntil = Date.now() + delay;
    this.waitTimer = setTimeout(() => {
      this.waitTimer = undefined;
      this.waitingUntil = 0;
      void this.flush();
    }, delay);
    return false;
  }

  /** When the running backoff ends (ms since epoch), or 0. */
  get nextAttemptAt(): number {
    return this.waitingUntil;
  }
}
