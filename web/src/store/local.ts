/**
 * The local store: everything the UI shows, in IndexedDB. The UI reads only from here; the
 * network (sync engine, outbox) only writes into it. Every write tells the subscribers what
 * changed, and the view stores re-read.
 *
 * Log events are applied here, each once: `applyLog` skips every event at or below the
 * conversation's cursor, so duplicates and replays are harmless. Ordering (waiting for a gap
 * to be filled) is the sync engine's job (`sync/merge.ts`); this module trusts the order it
 * is given and must never move a cursor backwards.
 */
import type { ChangeEvent, Conversation, Member, Message, Settings, User } from "../api/types";
import {
  openDatabase,
  databaseName,
  type Cursor,
  type Database,
  type OutboxEntry,
  type StoredConversation,
  type StoredMember,
} from "./db";

/** What a write changed, so that only the views showing it re-read. */
/**
 * Writes of what came from the server commit without waiting for the disk: a crash can lose
 * the last of them, but the cursor is written in the same transactions, so it rolls back with
 * them and the next catch-up fetches them again. What the user typed (the outbox) is written
 * with the browser's default durability.
 */
const FROM_SERVER: IDBTransactionOptions = { durability: "relaxed" };

export type StoreChange =
  | { kind: "conversations" }
  /** `seqs`: the messages that changed, when known; without it, any may have. */
  | { kind: "messages"; conversationId: string; seqs?: number[] }
  | { kind: "members"; conversationId: string }
  | { kind: "outbox"; conversationId: string };

/** What applying a batch of log events found. */
export interface ApplyResult {
  /** Events that changed something (not skipped as already applied). */
  applied: number;
  /** The conversation is not in the store: fetch it first. */
  unknown: boolean;
  /** The conversation is gone for this user (left, removed, deleted). */
  dropped: boolean;
  /** Membership or ownership changed in a way only the server's answer describes fully. */
  refresh: boolean;
  /** The highest seq of a message from someone else that was applied (for `delivered`). */
  lastIncoming: number;
}

/** A page of the main timeline (thread replies are in the thread view, not here). */
export interface TimelinePage {
  messages: Message[];
  /** Messages older than the page may exist but are not held locally. */
  beyondFloor: boolean;
}

const MESSAGE_EVENTS = new Set([
  "new_message",
  "message_updated",
  "message_deleted",
  "reaction_added",
  "reaction_removed",
]);

const DEFAULT_PERMISSIONS = {
  can_send_messages: true,
  can_manage_participants: false,
  can_change_settings: false,
  can_delete_messages: false,
  can_moderate_content: false,
  is_admin: false,
};

export class LocalStore {
  private readonly listeners = new Set<(change: StoreChange) => void>();

  private constructor(
    private readonly db: Database,
    /** The signed-in user: their own messages never count as unread. */
    readonly userId: string,
  ) {}

  static async open(userId: string): Promise<LocalStore> {
    return new LocalStore(await openDatabase(userId), userId);
  }

  /** Closes and deletes this user's database (sign out). */
  async destroy(): Promise<void> {
    this.db.close();
    await new Promise<void>((resolve, reject) => {
      const request = indexedDB.deleteDatabase(databaseName(this.userId));
      request.onsuccess = () => resolve();
      request.onerror = () => reject(request.error);
      request.onblocked = () => resolve();
    });
  }

  close(): void {
    this.db.close();
  }

  subscribe(listener: (change: StoreChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(...changes: StoreChange[]): void {
    for (const change of changes) for (const listener of this.listeners) listener(change);
  }

  // ---- reads ---------------------------------------------------------------------------

  async meta<T>(key: string): Promise<T | undefined> {
    return (await this.db.get("meta", key)) as T | undefined;
  }

  async setMeta(key: string, value: unknown): Promise<void> {
    await this.db.put("meta", value, key);
  }

  /** Conversations, most recently active first. */
  async conversations(): Promise<StoredConversation[]> {
    const all = await this.db.getAll("conversations");
    const activity = (c: StoredConversation) => c.last_message_at ?? c.updated_at ?? c.created_at;
    return all.sort((a, b) => activity(b).localeCompare(activity(a)));
  }

  conversation(id: string): Promise<StoredConversation | undefined> {
    return this.db.get("conversations", id);
  }

  async members(conversationId: string): Promise<Member[]> {
    const rows = await this.db.getAllFromIndex("members", "by_conversation", conversationId);
    const users = await Promise.all(rows.map((row) => this.db.get("users", row.user_id)));
    return rows.flatMap((row, i) => {
      const user = users[i];
      if (!user) return [];
      const { conversation_id: _c, user_id: _u, ...rest } = row;
      return [{ ...rest, user }];
    });
  }

  user(id: string): Promise<User | undefined> {
    return this.db.get("users", id);
  }

  async users(): Promise<Map<string, User>> {
    return new Map((await this.db.getAll("users")).map((u) => [u.id, u]));
  }

  cursor(conversationId: string): Promise<Cursor | undefined> {
    return this.db.get("cursors", conversationId);
  }

  /** Every conversation's cursor, as `after_seq_by_conversation` wants it. */
  async cursors(): Promise<Record<string, number>> {
    const all = await this.db.getAll("cursors");
    return Object.fromEntries(all.map((c) => [c.conversation_id, c.seq]));
  }

  /**
   * Up to `limit` main-timeline messages before `beforeSeq` (exclusive), oldest first,
   * from the locally held part of history only.
   */
  async timelineBefore(conversationId: string, beforeSeq: number, limit: number): Promise<TimelinePage> {
    const cursor = await this.cursor(conversationId);
    const floor = cursor?.floor ?? 0;
    if (beforeSeq <= floor) return { messages: [], beyondFloor: floor > 0 };
    const range = IDBKeyRange.bound([conversationId, floor], [conversationId, beforeSeq], false, true);
    const messages: Message[] = [];
    let row = await this.db.transaction("messages").store.openCursor(range, "prev");
    while (row && messages.length < limit) {
      if (!row.value.thread_root_id) messages.push(row.value);
      row = await row.continue();
    }
    messages.reverse();
    return { messages, beyondFloor: messages.length < limit && floor > 0 };
  }

  /** Main-timeline messages from `fromSeq` (inclusive) to the newest, oldest first. */
  async timelineFrom(conversationId: string, fromSeq: number): Promise<Message[]> {
    const range = IDBKeyRange.bound([conversationId, fromSeq], [conversationId, Infinity]);
    const rows = await this.db.getAll("messages", range);
    return rows.filter((m) => !m.thread_root_id);
  }

  async threadReplies(conversationId: string, rootId: string): Promise<Message[]> {
    const rows = await this.db.getAllFromIndex("messages", "by_thread", [conversationId, rootId]);
    return rows.sort((a, b) => a.seq - b.seq);
  }

  /** The messages at these seqs that exist, in seq order. */
  async messagesAt(conversationId: string, seqs: number[]): Promise<Message[]> {
    const tx = this.db.transaction("messages");
    const found = await Promise.all(seqs.map((seq) => tx.store.get([conversationId, seq])));
    return found.filter((m): m is Message => m !== undefined).sort((a, b) => a.seq - b.seq);
  }

  messageById(id: string): Promise<Message | undefined> {
    return this.db.getFromIndex("messages", "by_id", id);
  }

  /** A conversation's unsent messages, in the order they were written. */
  outbox(conversationId: string): Promise<OutboxEntry[]> {
    const range = IDBKeyRange.bound([conversationId, ""], [conversationId, "\uffff"]);
    return this.db.getAllFromIndex("outbox", "by_conversation", range);
  }

  /** Every unsent message, oldest first. */
  async allOutbox(): Promise<OutboxEntry[]> {
    const all = await this.db.getAll("outbox");
    return all.sort((a, b) => a.created_at.localeCompare(b.created_at));
  }

  // ---- writes from the server ----------------------------------------------------------

  /**
   * Stores a conversation as the server answered it, with its members and its latest
   * messages. A new conversation's cursor starts at its `last_seq`; an existing cursor is
   * kept (it may be ahead of this answer, never behind the store).
   */
  async putConversation(conversation: Conversation, recent: Message[] = [], hasOlder = false): Promise<void> {
    const tx = this.db.transaction(["conversations", "members", "users", "messages", "cursors"], "readwrite", FROM_SERVER);
    const { members, ...stored } = conversation;
    const previous = await tx.objectStore("conversations").get(conversation.id);
    await tx.objectStore("conversations").put(previous ? { ...stored, ...keepLocal(previous, stored) } : stored);
    if (members) {
      const memberStore = tx.objectStore("members");
      const old = await memberStore.index("by_conversation").getAllKeys(conversation.id);
      for (const key of old) await memberStore.delete(key);
      for (const member of members) {
        await tx.objectStore("users").put(member.user);
        await memberStore.put(toStoredMember(conversation.id, member));
      }
    }
    for (const message of recent) await tx.objectStore("messages").put(message);
    const cursors = tx.objectStore("cursors");
    const cursor = await cursors.get(conversation.id);
    if (!cursor) {
      const floor = hasOlder && recent[0] ? recent[0].seq : 0;
      await cursors.put({ conversation_id: conversation.id, seq: conversation.last_seq ?? 0, history_from: 0, floor });
    }
    await tx.done;
    this.emit({ kind: "conversations" }, { kind: "members", conversationId: conversation.id }, { kind: "messages", conversationId: conversation.id });
  }

  /** Replaces a conversation's member list (from `GET …/members`). */
  async putMembers(conversationId: string, members: Member[]): Promise<void> {
    const tx = this.db.transaction(["members", "users"], "readwrite", FROM_SERVER);
    const memberStore = tx.objectStore("members");
    for (const key of await memberStore.index("by_conversation").getAllKeys(conversationId)) {
      await memberStore.delete(key);
    }
    for (const member of members) {
      await tx.objectStore("users").put(member.user);
      await memberStore.put(toStoredMember(conversationId, member));
    }
    await tx.done;
    this.emit({ kind: "members", conversationId });
  }

  /**
   * Stores users as they are now (a changed display name): every conversation they are a
   * member of re-reads its members, so names change wherever they are shown.
   */
  async putUsers(users: User[]): Promise<void> {
    const tx = this.db.transaction(["users", "members"], "readwrite", FROM_SERVER);
    for (const user of users) await tx.objectStore("users").put(user);
    const ids = new Set(users.map((u) => u.id));
    const memberKeys = await tx.objectStore("members").getAllKeys();
    await tx.done;
    const conversations = new Set(memberKeys.filter(([, userId]) => ids.has(userId)).map(([cid]) => cid));
    this.emit({ kind: "conversations" }, ...[...conversations].map((conversationId) => ({ kind: "members" as const, conversationId })));
  }

  /**
   * A page of older history from the server. Messages are stored as they are now; the floor
   * moves down to the page's oldest seq, or to 0 once the server says nothing older exists.
   */
  async putHistory(conversationId: string, messages: Message[], hasOlder: boolean): Promise<void> {
    const tx = this.db.transaction(["messages", "cursors"], "readwrite", FROM_SERVER);
    const cursor = await tx.objectStore("cursors").get(conversationId);
    for (const message of messages) {
      if (cursor && message.seq < cursor.history_from) continue;
      await tx.objectStore("messages").put(message);
    }
    if (cursor) {
      const oldest = messages[0]?.seq ?? cursor.floor;
      const floor = hasOlder ? Math.min(cursor.floor, oldest) : 0;
      await tx.objectStore("cursors").put({ ...cursor, floor });
    }
    await tx.done;
    // Naming the seqs lets an open timeline patch itself instead of re-reading its window.
    this.emit({ kind: "messages", conversationId, seqs: messages.map((m) => m.seq) });
  }

  /** Stores messages that are not part of the contiguous history (a thread, a search hit). */
  async putLoose(conversationId: string, messages: Message[]): Promise<void> {
    const tx = this.db.transaction("messages", "readwrite", FROM_SERVER);
    for (const message of messages) await tx.store.put(message);
    await tx.done;
    this.emit({ kind: "messages", conversationId, seqs: messages.map((m) => m.seq) });
  }

  /**
   * Applies a conversation's log events, in the order given, each at most once (an event at
   * or below the cursor is skipped). `historyFrom` is the first seq the user may see: copies
   * of anything before it are dropped and the cursor moves up to it.
   */
  async applyLog(conversationId: string, events: ChangeEvent[], historyFrom?: number): Promise<ApplyResult> {
    const result: ApplyResult = { applied: 0, unknown: false, dropped: false, refresh: false, lastIncoming: 0 };
    const tx = this.db.transaction(["conversations", "members", "messages", "cursors", "outbox"], "readwrite", FROM_SERVER);
    const conversations = tx.objectStore("conversations");
    const messages = tx.objectStore("messages");
    const members = tx.objectStore("members");
    let conversation = await conversations.get(conversationId);
    let cursor = await tx.objectStore("cursors").get(conversationId);
    if (!conversation || !cursor) {
      result.unknown = true;
      await tx.done;
      return result;
    }
    // Copies before the visible history go: the views must re-read, not patch.
    let windowMoved = false;
    if (historyFrom !== undefined && historyFrom > cursor.history_from) {
      windowMoved = true;
      const range = IDBKeyRange.bound([conversationId, -Infinity], [conversationId, historyFrom], false, true);
      await messages.delete(range);
      cursor = {
        ...cursor,
        history_from: historyFrom,
        seq: Math.max(cursor.seq, historyFrom - 1),
        floor: Math.max(cursor.floor, historyFrom),
      };
    }
    let outboxChanged = false;
    let membersChanged = false;
    const touched: number[] = [];
    for (const event of events) {
      if (event.seq <= cursor.seq) continue;
      cursor = { ...cursor, seq: event.seq };
      result.applied += 1;
      conversation = { ...conversation, last_seq: Math.max(conversation.last_seq ?? 0, event.seq) };
      const message = event.message;
      if (MESSAGE_EVENTS.has(event.type) && message) {
        // Not awaited: requests in one transaction run in order, and `tx.done` waits for all
        // of them (a turn of the event loop per message would make a catch-up crawl).
        void messages.put(message);
        touched.push(message.seq);
        if (event.thread) {
          const root = await messages.index("by_id").get(event.thread.root_id);
          if (root) {
            await messages.put({ ...root, thread: event.thread });
            touched.push(root.seq);
          }
        }
        if (event.type === "new_message") {
          conversation = {
            ...conversation,
            // As the server previews a message: its text, else (files only) its first file's name.
            last_message_preview: message.content || message.attachments?.[0]?.file_name || (message.content ?? null),
            last_message_at: message.created_at,
          };
          if (message.sender_id === this.userId) {
            if (await tx.objectStore("outbox").get(message.client_message_id)) {
              await tx.objectStore("outbox").delete(message.client_message_id);
              outboxChanged = true;
            }
          } else {
            result.lastIncoming = Math.max(result.lastIncoming, message.seq);
            if (message.seq > (conversation.last_read_seq ?? 0) && !message.deleted) {
              conversation = { ...conversation, unread_count: (conversation.unread_count ?? 0) + 1 };
            }
          }
        }
        continue;
      }
      const subject = event.user_id ?? null;
      switch (event.type) {
        case "conversation_updated":
          if (event.settings) conversation = withSettings(conversation, event.settings);
          break;
        case "member_joined":
        case "member_updated": {
          if (!subject) break;
          const existing = await members.get([conversationId, subject]);
          const role = event.role ?? existing?.role ?? "member";
          const permissions = event.permissions ?? existing?.permissions ?? DEFAULT_PERMISSIONS;
          await members.put({
            ...(existing ?? { conversation_id: conversationId, user_id: subject, joined_at: event.created_at }),
            role,
            permissions,
          });
          membersChanged = true;
          if (!existing) {
            result.refresh = true;
            conversation = { ...conversation, member_count: conversation.member_count + 1 };
          }
          if (subject === this.userId) conversation = { ...conversation, my_role: role, my_permissions: permissions };
          break;
        }
        case "member_left":
        case "member_removed":
          if (subject === this.userId) {
            result.dropped = true;
            break;
          }
          if (subject && (await members.get([conversationId, subject]))) {
            membersChanged = true;
            await members.delete([conversationId, subject]);
            conversation = { ...conversation, member_count: Math.max(0, conversation.member_count - 1) };
          }
          break;
        case "ownership_transferred":
          result.refresh = true;
          break;
        case "conversation_deleted":
          result.dropped = true;
          break;
        default:
          break;
      }
      if (result.dropped) break;
    }
    if (result.dropped) {
      await tx.done;
      await this.dropConversation(conversationId);
      return result;
    }
    await conversations.put(conversation);
    await tx.objectStore("cursors").put(cursor);
    await tx.done;
    this.emit(
      { kind: "conversations" },
      windowMoved ? { kind: "messages", conversationId } : { kind: "messages", conversationId, seqs: touched },
      ...(membersChanged ? [{ kind: "members" as const, conversationId }] : []),
    );
    if (outboxChanged) this.emit({ kind: "outbox", conversationId });
    return result;
  }

  /** A member's marker moved (`receipt`): delivery and read status follow from the markers. */
  async applyReceipt(conversationId: string, userId: string, status: "delivered" | "read", seq: number): Promise<void> {
    const tx = this.db.transaction(["members", "conversations"], "readwrite", FROM_SERVER);
    const member = await tx.objectStore("members").get([conversationId, userId]);
    if (member) {
      const delivered = Math.max(member.last_delivered_seq ?? 0, seq);
      const read = status === "read" ? Math.max(member.last_read_seq ?? 0, seq) : member.last_read_seq;
      await tx.objectStore("members").put({ ...member, last_delivered_seq: delivered, last_read_seq: read });
    }
    if (userId === this.userId && status === "read") {
      const conversation = await tx.objectStore("conversations").get(conversationId);
      if (conversation && seq >= (conversation.last_read_seq ?? 0)) {
        await tx.objectStore("conversations").put({ ...conversation, last_read_seq: seq, unread_count: 0 });
      }
    }
    await tx.done;
    this.emit({ kind: "members", conversationId }, { kind: "conversations" });
  }

  /** The user read up to `seq` on this device: the badge clears at once. */
  async markReadLocally(conversationId: string, seq: number): Promise<void> {
    const conversation = await this.conversation(conversationId);
    if (!conversation || (seq <= (conversation.last_read_seq ?? 0) && conversation.unread_count === 0)) return;
    await this.db.put("conversations", {
      ...conversation,
      last_read_seq: Math.max(seq, conversation.last_read_seq ?? 0),
      unread_count: 0,
    });
    this.emit({ kind: "conversations" });
  }

  /** Forgets a conversation the user is no longer in. */
  async dropConversation(conversationId: string): Promise<void> {
    const tx = this.db.transaction(["conversations", "members", "messages", "cursors", "outbox"], "readwrite");
    await tx.objectStore("conversations").delete(conversationId);
    await tx.objectStore("cursors").delete(conversationId);
    await tx.objectStore("messages").delete(IDBKeyRange.bound([conversationId, -Infinity], [conversationId, Infinity]));
    for (const key of await tx.objectStore("members").index("by_conversation").getAllKeys(conversationId)) {
      await tx.objectStore("members").delete(key);
    }
    const outbox = tx.objectStore("outbox");
    const range = IDBKeyRange.bound([conversationId, ""], [conversationId, "\uffff"]);
    for (const key of await outbox.index("by_conversation").getAllKeys(range)) await outbox.delete(key);
    await tx.done;
    this.emit({ kind: "conversations" }, { kind: "messages", conversationId });
  }

  // ---- the outbox ----------------------------------------------------------------------

  async putOutbox(entry: OutboxEntry): Promise<void> {
    await this.db.put("outbox", entry);
    this.emit({ kind: "outbox", conversationId: entry.conversation_id });
  }

  outboxEntry(clientMessageId: string): Promise<OutboxEntry | undefined> {
    return this.db.get("outbox", clientMessageId);
  }

  /**
   * The server has the message: store it and remove its outbox entry in one transaction, so
   * the conversation never shows it twice nor not at all.
   */
  async reconcileSent(entry: OutboxEntry, message: Message): Promise<void> {
    const tx = this.db.transaction(["outbox", "messages"], "readwrite");
    await tx.objectStore("outbox").delete(entry.client_message_id);
    await tx.objectStore("messages").put(message);
    await tx.done;
    this.emit(
      { kind: "outbox", conversationId: entry.conversation_id },
      { kind: "messages", conversationId: entry.conversation_id, seqs: [message.seq] },
    );
  }
}

/** Local counters that a stale server answer must not undo. */
function keepLocal(previous: StoredConversation, next: StoredConversation): Partial<StoredConversation> {
  return (previous.last_seq ?? 0) > (next.last_seq ?? 0)
    ? {
        last_seq: previous.last_seq,
        last_message_at: previous.last_message_at,
        last_message_preview: previous.last_message_preview,
        unread_count: previous.unread_count,
      }
    : {};
}

function withSettings(conversation: StoredConversation, settings: Settings): StoredConversation {
  return {
    ...conversation,
    title: settings.title ?? null,
    description: settings.description,
    require_approval: settings.require_approval,
    history_visibility: settings.history_visibility,
  };
}

function toStoredMember(conversationId: string, member: Member): StoredMember {
  const { user, ...rest } = member;
  return { ...rest, conversation_id: conversationId, user_id: user.id };
}
