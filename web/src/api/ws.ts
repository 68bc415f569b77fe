/**
 * The native WebSocket protocol of `/v1/ws`, which OpenAPI does not describe.
 *
 * Mirrors `crates/hearth-proto/src/ws.rs` (`ServerEvent`, `LogEvent` and the action structs)
 * and docs/websocket.md. Keep the two in step: a field renamed there must be renamed here.
 * Shapes that REST shares (messages, users, change events) come from the generated schema.
 */
import type { ChangeEvent, ErrorBody, Message, User } from "./types";

/** `UserRefDto`: a user as realtime events name them. */
export interface UserRef {
  id: string;
  username: string;
}

/** `PresenceDto`: one contact's presence. */
export interface PresenceEntry {
  user_id: string;
  status: "online" | "offline";
  last_seen_at?: string | null;
}

/** Actions the client sends. Any may carry a `request_id` that its answer echoes. */
export type ClientAction = (
  | { action: "auth"; token: string }
  | { action: "subscribe"; conversation_id: string }
  | { action: "unsubscribe"; conversation_id: string }
  | { action: "user_typing"; conversation_id: string }
  | { action: "send_message"; conversation_id: string; client_message_id: string; content: string }
  | { action: "mark_read"; conversation_id: string; seq: number }
  | { action: "mark_delivered"; conversation_id: string; seq: number }
  | { action: "sync"; conversation_id: string; after_seq: number; limit?: number }
  | { action: "ping" }
) & { request_id?: unknown };

/** `ServerEvent`: every event that is not an entry of a conversation's log. */
export type ServerEvent =
  | { type: "ready"; user: User; presence: PresenceEntry[]; heartbeat_interval_ms: number }
  | { type: "authenticated"; user_id: string; expires_at: number }
  | { type: "subscribed"; conversation_id: string; online_users: UserRef[] }
  | { type: "unsubscribed"; conversation_id: string }
  | { type: "message_ack"; client_message_id: string; message: Message }
  | {
      type: "typing_indicator";
      conversation_id: string;
      user: UserRef;
      typing: boolean;
      expires_in_ms: number;
    }
  | {
      type: "receipt";
      conversation_id: string;
      user_id: string;
      status: "delivered" | "read";
      seq: number;
    }
  | { type: "join_requested"; conversation_id: string; user: UserRef; created_at: string }
  | {
      type: "presence";
      user_id: string;
      status: "online" | "offline";
      last_seen_at?: string | null;
    }
  | { type: "user_joined"; conversation_id: string; user: UserRef }
  | { type: "user_left"; conversation_id: string; user: UserRef }
  | {
      type: "sync_batch";
      conversation_id: string;
      events: ChangeEvent[];
      has_more: boolean;
      history_from: number;
    }
  | { type: "pong" }
  | ({ type: "error" } & ErrorBody);

/** The `type`s of log entries (`ChangeEvent.type`, docs/websocket.md "Events"). */
export const LOG_EVENT_TYPES = [
  "conversation_created",
  "new_message",
  "message_updated",
  "message_deleted",
  "reaction_added",
  "reaction_removed",
  "member_joined",
  "member_updated",
  "member_left",
  "member_removed",
  "ownership_transferred",
  "conversation_updated",
  "conversation_deleted",
] as const;

/** `LogEvent`: a log entry as a socket event, the `ChangeEvent` flattened beside its conversation. */
export type LogEvent = ChangeEvent & { conversation_id: string };

/** Anything the server sends on the socket, with the echoed `request_id` of an answer. */
export type IncomingFrame = (ServerEvent | LogEvent) & { request_id?: unknown };

const logTypes: ReadonlySet<string> = new Set(LOG_EVENT_TYPES);

/** Whether a frame is an entry of a conversation's log (it then has a `seq`). */
export function isLogEvent(frame: IncomingFrame): frame is LogEvent & { request_id?: unknown } {
  return logTypes.has(frame.type);
}
