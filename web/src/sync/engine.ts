/**
 * The sync engine: the only code that turns what the server says into writes to the local
 * store.
 *
 * - First start of a device: `GET /v1/sync/bootstrap` fills the store.
 * - Every (re)connect: `GET /v1/sync/changes` from the store's cursors until nothing is left,
 *   honouring each conversation's `history_from` and dropping the conversations in `gone`;
 *   then the outbox drains.
 * - Live: log events from `/v1/ws` go through `merge.admit`, so they are applied once and in
 *   seq order; a gap asks the socket for a `sync` of that conversation, whose complete answer
 *   releases whatever waited behind the gap.
 * - Ephemeral events (typing, viewers, presence, receipts, connection state) go to the
 *   `LiveSink`, which the UI reads; receipts also move the members' markers in the store.
 *
 * All store writes run one after another on one queue, so a catch-up and a live event never
 * interleave their reads of a cursor with each other's writes.
 */
import type { HearthApi } from "../api/client";
import type { ChangeEvent, Changes } from "../api/types";
import { isLogEvent, type IncomingFrame, type PresenceEntry, type ServerEvent, type UserRef } from "../api/ws";
import type { LocalStore } from "../store/local";
import type { Outbox } from "../outbox/outbox";
import { MARKS, markOnce } from "../perf";
import { admit, release } from "./merge";
import { RealtimeSocket, type ConnectionState } from "./socket";

/** Where the engine reports what is not stored: the UI's live state. */
export interface LiveSink {
  connection(state: ConnectionState): void;
  presence(entries: PresenceEntry[]): void;
  viewers(conversationId: string, users: UserRef[]): void;
  viewerJoined(conversationId: string, user: UserRef): void;
  viewerLeft(conversationId: string, user: UserRef): void;
  typing(conversationId: string, user: UserRef, typing: boolean, expiresInMs: number): void;
  joinRequested(conversationId: string, user: UserRef): void;
}

const BOOTSTRAPPED = "bootstrapped";

export class SyncEngine {
  private socket: RealtimeSocket | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly buffered = new Map<string, ChangeEvent[]>();
  private readonly syncing = new Set<string>();
  private readonly delivered = new Map<string, number>();
  private viewing: string | null = null;

  constructor(
    private readonly api: HearthApi,
    private readonly store: LocalStore,
    private readonly outbox: Outbox,
    private readonly live: LiveSink,
  ) {}

  get online(): boolean {
    return this.socket?.connection === "online";
  }

  /** Fills an empty store, then connects; the store is usable before either finishes. */
  async start(origin: string): Promise<void> {
    this.socket = new RealtimeSocket({
      origin,
      token: (stale) => (stale !== null || !this.api.auth.accessToken ? this.api.auth.refresh(stale) : Promise.resolve(this.api.auth.accessToken)),
      onFrame: (frame) => this.receive(frame),
      onState: (state) => {
        this.live.connection(state);
        if (state !== "online") this.syncing.clear();
      },
    });
    this.socket.start();
  }

  stop(): void {
    this.socket?.stop();
    this.socket = null;
  }

  /**
   * The conversation on screen: its typing and viewers stream, and read receipts. Its record
   * and members are re-read in the background, so what the log does not carry (a member's new
   * display name) is current whenever a conversation is opened.
   */
  view(conversationId: string | null): void {
    if (this.viewing === conversationId) return;
    if (this.viewing) this.socket?.send({ action: "unsubscribe", conversation_id: this.viewing });
    this.viewing = conversationId;
    if (!conversationId) return;
    if (this.socket?.send({ action: "subscribe", conversation_id: conversationId })) {
      void this.serial(() => this.refreshConversation(conversationId));
    }
  }

  /** The user is typing in the open conversation (the composer throttles). */
  typing(conversationId: string): void {
    this.socket?.send({ action: "user_typing", conversation_id: conversationId });
  }

  /** The user has seen everything up to `seq`. */
  markRead(conversationId: string, seq: number): void {
    void this.serial(() => this.store.markReadLocally(conversationId, seq));
    if (!this.socket?.send({ action: "mark_read", conversation_id: conversationId, seq })) {
      void this.api.markRead(conversationId, seq).catch(() => undefined);
    }
  }

  /** Fetches a conversation the store does not know yet, with its latest page of messages. */
  adopt(conversationId: string): Promise<void> {
    return this.serial(() => this.adoptNow(conversationId));
  }

  private async adoptNow(conversationId: string): Promise<void> {
    if (await this.store.conversation(conversationId)) return;
    const conversation = await this.api.conversation(conversationId);
    const last = conversation.last_seq ?? 0;
    const page = await this.api.messages(conversationId, { before_seq: last + 1, limit: 50 });
    await this.store.putConversation(conversation, page.messages, page.has_more);
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async bootstrap(): Promise<void> {
    if (await this.store.meta<boolean>(BOOTSTRAPPED)) return;
    const data = await this.api.bootstrap();
    await this.store.setMeta("me", data.me);
    for (const conversation of data.conversations) {
      const recent = data.recent_messages[conversation.id] ?? [];
      await this.store.putConversation(conversation, recent, recent.length >= 20);
    }
    await this.store.setMeta(BOOTSTRAPPED, true);
  }

  /**
   * Applies `/v1/sync/changes` from the store's cursors until the server has no more. The
   * next page is asked for while this one is written: its cursors are where this page ends,
   * which is where the store's will be once it is applied (a page that overlaps is harmless:
   * the store applies each seq once).
   */
  catchUp(): Promise<void> {
    return this.serial(async () => {
      await this.bootstrap();
      let cursors = await this.store.cursors();
      let next: Promise<Changes> | null = this.api.changes(cursors);
      for (let round = 0; next && round < 1000; round += 1) {
        const changes: Changes = await next;
        cursors = cursorsAfter(cursors, changes);
        next = changes.has_more ? this.api.changes(cursors) : null;
        // A page asked for ahead must not be left unhandled if applying this one fails.
        next?.catch(() => undefined);
        for (const gone of changes.gone ?? []) await this.store.dropConversation(gone);
        for (const entry of changes.changes) {
          await this.applyEvents(entry.conversation_id, entry.events, entry.history_from);
        }
      }
      markOnce(MARKS.caughtUp);
    });
  }

  private async applyEvents(conversationId: string, events: ChangeEvent[], historyFrom?: number): Promise<void> {
    let result = await this.store.applyLog(conversationId, events, historyFrom);
    if (result.unknown) {
      await this.adoptNow(conversationId).catch(() => undefined);
      result = await this.store.applyLog(conversationId, events, historyFrom);
    }
    if (result.refresh) await this.refreshConversation(conversationId);
    if (result.lastIncoming > (this.delivered.get(conversationId) ?? 0)) {
      this.delivered.set(conversationId, result.lastIncoming);
      this.socket?.send({ action: "mark_delivered", conversation_id: conversationId, seq: result.lastIncoming });
    }
  }

  private async refreshConversation(conversationId: string): Promise<void> {
    try {
      const conversation = await this.api.conversation(conversationId);
      await this.store.putConversation(conversation);
      if (!conversation.members) await this.store.putMembers(conversationId, await this.api.members(conversationId));
    } catch {
      // The next event or catch-up will try again.
    }
  }

  /** Resolves once every write queued so far has reached the store. */
  settled(): Promise<void> {
    return this.queue.then(() => undefined);
  }

  /** Handles one frame from the socket (public so that tests can feed frames). */
  receive(frame: IncomingFrame): void {
    if (isLogEvent(frame)) {
      const { conversation_id, ...event } = frame;
      void this.serial(() => this.onLogEvent(conversation_id, event));
      return;
    }
    this.onServerEvent(frame as ServerEvent);
  }

  private async onLogEvent(conversationId: string, event: ChangeEvent): Promise<void> {
    let cursor = await this.store.cursor(conversationId);
    if (!cursor) {
      await this.adoptNow(conversationId).catch(() => undefined);
      cursor = await this.store.cursor(conversationId);
      if (!cursor) return;
    }
    const admitted = admit(cursor.seq, this.buffered.get(conversationId) ?? [], [event]);
    this.buffered.set(conversationId, admitted.buffered);
    if (admitted.ready.length > 0) await this.applyEvents(conversationId, admitted.ready);
    if (admitted.gap) this.requestSync(conversationId, admitted.ready.at(-1)?.seq ?? cursor.seq);
  }

  private requestSync(conversationId: string, afterSeq: number): void {
    if (this.syncing.has(conversationId)) return;
    this.syncing.add(conversationId);
    this.socket?.send({ action: "sync", conversation_id: conversationId, after_seq: afterSeq, limit: 100 });
  }

  private async onSyncBatch(batch: Extract<ServerEvent, { type: "sync_batch" }>): Promise<void> {
    const id = batch.conversation_id;
    await this.applyEvents(id, batch.events, batch.history_from);
    const cursor = (await this.store.cursor(id))?.seq ?? 0;
    this.syncing.delete(id);
    if (batch.has_more) {
      this.requestSync(id, cursor);
      return;
    }
    const waiting = release(cursor, this.buffered.get(id) ?? []);
    this.buffered.delete(id);
    if (waiting.length > 0) await this.applyEvents(id, waiting);
  }

  private onServerEvent(event: ServerEvent): void {
    switch (event.type) {
      case "ready":
        this.live.presence(event.presence);
        void this.store.setMeta("me", event.user);
        void this.catchUp()
          .catch(() => undefined)
          .then(() => this.outbox.flush());
        if (this.viewing) {
          // The conversation on screen since before the connection (a reload) is re-read
          // as opening it would: its members may have new names or pictures.
          const open = this.viewing;
          this.socket?.send({ action: "subscribe", conversation_id: open });
          void this.serial(() => this.refreshConversation(open)).catch(() => undefined);
        }
        break;
      case "sync_batch":
        void this.serial(() => this.onSyncBatch(event));
        break;
      case "receipt":
        void this.serial(() => this.store.applyReceipt(event.conversation_id, event.user_id, event.status, event.seq));
        break;
      case "subscribed":
        this.live.viewers(event.conversation_id, event.online_users);
        break;
      case "user_joined":
        this.live.viewerJoined(event.conversation_id, event.user);
        break;
      case "user_left":
        this.live.viewerLeft(event.conversation_id, event.user);
        break;
      case "typing_indicator":
        this.live.typing(event.conversation_id, event.user, event.typing, event.expires_in_ms);
        break;
      case "presence":
        this.live.presence([{ user_id: event.user_id, status: event.status, last_seen_at: event.last_seen_at ?? null }]);
        break;
      case "join_requested":
        this.live.joinRequested(event.conversation_id, event.user);
        break;
      case "message_ack":
        void this.serial(() => this.store.putLoose(event.message.conversation_id, [event.message]));
        break;
      default:
        break;
    }
  }
}

/** The cursors a client has once it applied `changes` on top of `cursors`. */
export function cursorsAfter(cursors: Record<string, number>, changes: Changes): Record<string, number> {
  const next = { ...cursors };
  for (const gone of changes.gone ?? []) delete next[gone];
  for (const entry of changes.changes) {
    const last = entry.events.at(-1)?.seq;
    if (last !== undefined && last > (next[entry.conversation_id] ?? 0)) next[entry.conversation_id] = last;
  }
  return next;
}
