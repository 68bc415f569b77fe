// A small REST /v1 client for setting up what the face tests need (users, conversations,
// members, messages sent on another face), with plain fetch. Every call fails loudly on a
// status it did not expect.
import { randomUUID } from "node:crypto";

export class Rest {
  /** @param {string} base the server's origin */
  constructor(base) {
    this.base = base;
  }

  async call(method, path, { token, body, expect = [200, 201] } = {}) {
    const headers = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    const response = await fetch(`${this.base}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const json = text ? JSON.parse(text) : null;
    if (!expect.includes(response.status)) {
      throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
    }
    return json?.data ?? json;
  }

  /** Registers a user with a unique username; `{id, username, displayName, token}`. */
  async user(name, { displayName } = {}) {
    const username = `${name}_${randomUUID().slice(0, 8)}`;
    const body = { username, password: "correct horse battery" };
    if (displayName) body.display_name = displayName;
    const { user, tokens } = await this.call("POST", "/v1/auth/register", { body });
    return { id: user.id, username: user.username, displayName: user.display_name, token: tokens.access_token };
  }

  /** The direct conversation of `a` and `b`; its id. */
  async direct(a, b) {
    const conversation = await this.call("POST", "/v1/conversations/direct", {
      token: a.token,
      body: { other_user_id: b.id },
    });
    return conversation.id;
  }

  /** Two new users, Alice and Bob, and their direct conversation. */
  async pair() {
    const [alice, bob] = [await this.user("alice"), await this.user("bob")];
    return { alice, bob, dm: await this.direct(alice, bob) };
  }

  /** A group owned by `owner` with `members`; its id. */
  async group(owner, members, settings = {}) {
    const conversation = await this.call("POST", "/v1/conversations", {
      token: owner.token,
      body: { type: "group", title: "Group", member_ids: members.map((m) => m.id), ...settings },
    });
    return conversation.id;
  }

  async addMember(owner, conversationId, user) {
    await this.call("POST", `/v1/conversations/${conversationId}/members`, {
      token: owner.token,
      body: { user_id: user.id },
    });
  }

  async removeMember(owner, conversationId, user) {
    await this.call("DELETE", `/v1/conversations/${conversationId}/members/${user.id}`, { token: owner.token });
  }

  /** Sends on REST; the stored message (seed 000's shape). */
  async send(user, conversationId, content, clientMessageId = randomUUID()) {
    return this.call("POST", `/v1/conversations/${conversationId}/messages`, {
      token: user.token,
      body: { client_message_id: clientMessageId, content },
    });
  }

  /** Uploads `bytes` as `fileName` with `POST /v1/media` (multipart); the ready record. */
  async upload(user, fileName, bytes) {
    const form = new FormData();
    form.append("file", new Blob([bytes]), fileName);
    const response = await fetch(`${this.base}/v1/media`, {
      method: "POST",
      headers: { authorization: `Bearer ${user.token}` },
      body: form,
    });
    const text = await response.text();
    if (response.status !== 201) throw new Error(`POST /v1/media answered ${response.status}: ${text}`);
    return JSON.parse(text).data;
  }

  /** `GET /v1/media/{id}/content` as `user`; `{status, bytes}`. */
  async download(user, id) {
    const response = await fetch(`${this.base}/v1/media/${id}/content`, {
      headers: { authorization: `Bearer ${user.token}` },
      redirect: "manual",
    });
    return { status: response.status, bytes: new Uint8Array(await response.arrayBuffer()) };
  }

  /** Makes the upload `mediaId` `user`'s profile picture; their account now. */
  async setAvatar(user, mediaId) {
    return this.call("PUT", "/v1/users/me/avatar", { token: user.token, body: { media_id: mediaId } });
  }

  async rename(user, displayName) {
    return this.call("PATCH", "/v1/users/me", { token: user.token, body: { display_name: displayName } });
  }

  async history(user, conversationId) {
    const page = await this.call("GET", `/v1/conversations/${conversationId}/messages?limit=100`, { token: user.token });
    return page.messages;
  }

  async metrics() {
    const response = await fetch(`${this.base}/metrics`);
    return response.text();
  }
}
