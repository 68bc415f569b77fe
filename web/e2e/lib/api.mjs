// REST /v1 calls for setting a scene up (users, conversations, history) where the UI flow
// itself is not what a test is about.
import { randomUUID } from "node:crypto";

export const PASSWORD = "correct horse battery";

export class Api {
  constructor(base) {
    this.base = base;
  }

  async call(method, path, token, body) {
    const response = await fetch(`${this.base}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body ? { "content-type": "application/json" } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return JSON.parse(text).data;
  }

  /** Registers a person: `{ id, username, displayName, access, refresh }`. */
  async register(username, displayName) {
    const data = await this.call("POST", "/v1/auth/register", null, {
      username,
      password: PASSWORD,
      display_name: displayName,
    });
    return {
      id: data.user.id,
      username,
      displayName: data.user.display_name,
      access: data.tokens.access_token,
      refresh: data.tokens.refresh_token,
    };
  }

  /** Opens the direct conversation of `a` with `b`; its id. */
  async direct(a, b) {
    return (await this.call("POST", "/v1/conversations/direct", a.access, { other_user_id: b.id })).id;
  }

  /** Sends `content` as `who`; the stored message. */
  async send(who, conversationId, content) {
    return this.call("POST", `/v1/conversations/${conversationId}/messages`, who.access, {
      client_message_id: randomUUID(),
      content,
    });
  }

  /** The conversation's messages, oldest first (all pages). */
  async messages(who, conversationId) {
    const all = [];
    let after = 0;
    for (;;) {
      const page = await this.call("GET", `/v1/conversations/${conversationId}/messages?after_seq=${after}&limit=100`, who.access);
      all.push(...page.messages);
      if (!page.has_more || page.messages.length === 0) return all;
      after = page.messages.at(-1).seq;
    }
  }
}

/** A username unique on one server (the benchmark registers people for every run). */
export function uniqueName(prefix) {
  return `${prefix}${Math.random().toString(36).slice(2, 8)}`;
}
