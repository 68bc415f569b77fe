/**
 * The IndexedDB schema of the local store: one database per signed-in user
 * (`hearth-<user id>`), so two accounts on one browser never see each other's data and
 * signing out deletes exactly one database.
 *
 * Messages are keyed by `(conversation_id, seq)`: a message keeps the seq of its
 * `new_message` event for ever, so later events about it (edit, delete, reaction) replace
 * the record in place. This module only declares the schema; `LocalStore` reads and writes.
 */
import { openDB, type DBSchema, type IDBPDatabase } from "idb";
import type { Conversation, Media, Member, Message, User } from "../api/types";

/** Where a conversation's log has been applied up to, and which messages are held. */
export interface Cursor {
  conversation_id: string;
  /** The last log seq applied: the `changes`/`sync` cursor. */
  seq: number;
  /** The first seq this user may see (history visibility); nothing before it is kept. */
  history_from: number;
  /**
   * Every message with a seq at or after `floor` is held (up to `seq`); older history is
   * paged in from the server on demand. 0 means the whole visible history is held.
   */
  floor: number;
}

/** A conversation as the list shows it: the server's shape without its member list. */
export type StoredConversation = Omit<Conversation, "members">;

/** A member row, keyed by conversation and user. */
export type StoredMember = Omit<Member, "user"> & { conversation_id: string; user_id: string };

/** What the outbox keeps of a send until the server has it. */
export interface OutboxEntry {
  client_message_id: string;
  conversation_id: string;
  content: string;
  reply_to: string | null;
  /** The uploaded files the message carries (absent: none). */
  attachments?: Media[];
  /** Local time of the send, which orders a conversation's outbox. */
  created_at: string;
  /** `pending` is shown as "Sending", `failed` as "Not sent" with Retry. */
  state: "pending" | "failed";
  attempts: number;
  /** The error of the last attempt, for the failed state's tooltip. */
  error: string | null;
}

export interface HearthDB extends DBSchema {
  meta: { key: string; value: unknown };
  users: { key: string; value: User };
  conversations: { key: string; value: StoredConversation };
  members: {
    key: [string, string];
    value: StoredMember;
    indexes: { by_conversation: string };
  };
  messages: {
    key: [string, number];
    value: Message;
    indexes: { by_id: string; by_thread: [string, string] };
  };
  cursors: { key: string; value: Cursor };
  outbox: {
    key: string;
    value: OutboxEntry;
    indexes: { by_conversation: [string, string] };
  };
}

export type Database = IDBPDatabase<HearthDB>;

export const databaseName = (userId: string) => `hearth-${userId}`;

export function openDatabase(userId: string): Promise<Database> {
  return openDB<HearthDB>(databaseName(userId), 1, {
    upgrade(db) {
      db.createObjectStore("meta");
      db.createObjectStore("users", { keyPath: "id" });
      db.createObjectStore("conversations", { keyPath: "id" });
      db.createObjectStore("members", { keyPath: ["conversation_id", "user_id"] }).createIndex(
        "by_conversation",
        "conversation_id",
      );
      const messages = db.createObjectStore("messages", { keyPath: ["conversation_id", "seq"] });
      messages.createIndex("by_id", "id", { unique: true });
      messages.createIndex("by_thread", ["conversation_id", "thread_root_id"]);
      db.createObjectStore("cursors", { keyPath: "conversation_id" });
      db.createObjectStore("outbox", { keyPath: "client_message_id" }).createIndex(
        "by_conversation",
        ["conversation_id", "created_at"],
      );
    },
  });
}
