/** Builders for the server's shapes in tests: valid by default, overridden per test. */
import type { ChangeEvent, Conversation, Member, Message, User } from "../api/types";
import type { OutboxEntry } from "../store/db";
import { LocalStore } from "../store/local";

export const ME = "00000000-0000-7000-8000-00000000000a";
export const BOB = "00000000-0000-7000-8000-00000000000b";
export const CONV = "00000000-0000-7000-8000-0000000000c1";

let opened = 0;

/** A store in a fresh database of its own. */
export function freshStore(userId = `${ME}-${++opened}`): Promise<LocalStore> {
  return LocalStore.open(userId);
}

export function user(id: string, name: string): User {
  return { id, username: name, display_name: name[0]!.toUpperCase() + name.slice(1), created_at: "2026-01-01T00:00:00Z" };
}

const permissions = {
  can_send_messages: true,
  can_manage_participants: false,
  can_change_settings: false,
  can_delete_messages: false,
  can_moderate_content: false,
  is_admin: false,
};

export function member(u: User, role = "member"): Member {
  return { user: u, role, permissions, joined_at: "2026-01-01T00:00:00Z", last_delivered_seq: 0, last_read_seq: 0 };
}

export function conversation(overrides: Partial<Conversation> = {}, me = ME): Conversation {
  return {
    id: CONV,
    type: "direct",
    title: null,
    description: "",
    require_approval: false,
    history_visibility: "all",
    created_by: me,
    member_count: 2,
    members: [member(user(me, "me")), member(user(BOB, "bob"))],
    my_role: "member",
    my_permissions: permissions,
    created_at: "2026-01-01T00:00:00Z",
    updated_at: "2026-01-01T00:00:00Z",
    last_message_preview: null,
    last_message_at: null,
    last_seq: 1,
    last_read_seq: 0,
    unread_count: 0,
    ...overrides,
  } as Conversation;
}

export function message(seq: number, overrides: Partial<Message> = {}): Message {
  return {
    id: `msg-${seq}`,
    conversation_id: CONV,
    sender_id: BOB,
    client_message_id: `client-${seq}`,
    seq,
    content: `message ${seq}`,
    created_at: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString(),
    status: "sent",
    deleted: false,
    edit_count: 0,
    mentions: [],
    reactions: [],
    ...overrides,
  } as Message;
}

export function newMessage(seq: number, overrides: Partial<Message> = {}): ChangeEvent {
  return { seq, type: "new_message", actor_id: overrides.sender_id ?? BOB, created_at: "2026-01-01T00:00:00Z", message: message(seq, overrides) };
}

export function event(seq: number, type: string, extra: Partial<ChangeEvent> = {}): ChangeEvent {
  return { seq, type, actor_id: BOB, created_at: "2026-01-01T00:00:00Z", ...extra };
}

export function outboxEntry(id: string, overrides: Partial<OutboxEntry> = {}): OutboxEntry {
  return {
    client_message_id: id,
    conversation_id: CONV,
    content: `text of ${id}`,
    reply_to: null,
    created_at: new Date().toISOString(),
    state: "pending",
    attempts: 0,
    error: null,
    ...overrides,
  };
}
