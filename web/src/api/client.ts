/**
 * The typed REST client: one method per endpoint the web client uses, each over the
 * generated `paths` (openapi-fetch), answering the envelope's `data` or throwing `ApiError`.
 * It knows nothing of the local store: the sync engine and the outbox call it and write what
 * it answers into IndexedDB.
 */
import createClient from "openapi-fetch";
import { AuthSession, type RefreshTokenStore } from "./auth";
import { ApiError, errorFromResponse } from "./errors";
import { authedFetch, type Fetch } from "./http";
import { type OnProgress, uploadMedia } from "./upload";
import type {
  Bootstrap,
  Changes,
  Conversation,
  CreateConversationRequest,
  Member,
  Message,
  paths,
  UpdatePrivacy,
  UpdateProfile,
  RegistrationPending,
  Session,
  Tokens,
  UpdateMemberRequest,
  UpdateSettingsRequest,
} from "./types";

type Answer<D extends { data: unknown }> = { data?: D; error?: unknown; response: Response };

/** The envelope's `data`, or the error as an `ApiError`. */
async function unwrap<D extends { data: unknown }>(call: Promise<Answer<D>>): Promise<D["data"]> {
  const { data, error, response } = await call;
  if (data !== undefined && response.ok) return data.data;
  throw await errorFromResponse(response, error);
}

export interface HistoryWindow {
  after_seq?: number;
  before_seq?: number;
  limit?: number;
}

export type HearthApi = ReturnType<typeof createHearthApi>;

/** Builds the client for the server at `baseUrl` (the page's origin in the browser). */
export function createHearthApi(baseUrl: string, tokens: RefreshTokenStore, base?: Fetch) {
  // The refresh call needs the raw client and the raw client's fetch needs the session:
  // the session is made first with a refresh that goes through `rest` once it exists.
  let rest: ReturnType<typeof createClient<paths>>;
  const auth = new AuthSession(tokens, (refresh_token) =>
    unwrap(rest.POST("/v1/auth/refresh", { body: { refresh_token } })).then((r) => r.tokens),
  );
  const authed = authedFetch(auth, base);
  rest = createClient<paths>({ baseUrl, fetch: authed });
  const id = (conversationId: string) => ({ params: { path: { id: conversationId } } });

  return {
    auth,
    /** Creates an account: signed in, or (on a server that confirms addresses) pending. */
    async register(
      username: string,
      password: string,
      displayName?: string,
      email?: string,
    ): Promise<Session | RegistrationPending> {
      const body = {
        username,
        password,
        ...(displayName ? { display_name: displayName } : {}),
        ...(email ? { email } : {}),
      };
      const answer = await unwrap(rest.POST("/v1/auth/register", { body }));
      if ("tokens" in answer) auth.setTokens(answer.tokens);
      return answer;
    },
    verifyEmail: (token: string) => unwrap(rest.POST("/v1/auth/verify-email", { body: { token } })),
    resendVerification: (login: string) =>
      unwrap(rest.POST("/v1/auth/verify-email/resend", { body: { login } })),
    requestPasswordReset: (login: string) =>
      unwrap(rest.POST("/v1/auth/password-reset", { body: { login } })),
    resetPassword: (token: string, new_password: string) =>
      unwrap(rest.POST("/v1/auth/password-reset/confirm", { body: { token, new_password } })),
    async login(username: string, password: string): Promise<Session> {
      const session = await unwrap(rest.POST("/v1/auth/login", { body: { username, password } }));
      auth.setTokens(session.tokens);
      return session;
    },
    /** Ends the session on the server (best effort) and forgets the tokens either way. */
    async logout(): Promise<void> {
      const refresh_token = tokens.load();
      try {
        if (refresh_token) await unwrap(rest.POST("/v1/auth/logout", { body: { refresh_token } }));
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
      } finally {
        auth.signOut();
      }
    },
    /** The identity providers this server signs in with. */
    providers: () => unwrap(rest.GET("/v1/auth/providers")).then((r) => r.providers),
    /** Starts a sign-in with a provider: the address to send the browser to. */
    authorize: (provider: string, return_to?: string): Promise<string> =>
      unwrap(
        rest.POST("/v1/auth/providers/{provider}/authorize", {
          params: { path: { provider } },
          body: return_to ? { return_to } : {},
        }),
      ).then((r) => r.authorization_url),
    /** Starts linking a provider to this account: the address to send the browser to. */
    link: (provider: string, return_to?: string): Promise<string> =>
      unwrap(
        rest.POST("/v1/users/me/identities/{provider}", {
          params: { path: { provider } },
          body: return_to ? { return_to } : {},
        }),
      ).then((r) => r.authorization_url),
    /** Trades a finished provider sign-in's one-time code for a session. */
    async handoff(code: string): Promise<Session> {
      const session = await unwrap(rest.POST("/v1/auth/providers/handoff", { body: { code } }));
      auth.setTokens(session.tokens);
      return session;
    },
    identities: () => unwrap(rest.GET("/v1/users/me/identities")).then((r) => r.identities),
    unlink: (provider: string) =>
      unwrap(rest.DELETE("/v1/users/me/identities/{provider}", { params: { path: { provider } } })),
    /** This account's live sessions, the most recently used first. */
    sessions: () => unwrap(rest.GET("/v1/auth/sessions")).then((r) => r.sessions),
    /** Signs one session out (its tokens stop working at once). */
    endSession: (id: string) => unwrap(rest.DELETE("/v1/auth/sessions/{id}", { params: { path: { id } } })),
    /** Signs every other session out; how many ended. */
    endOtherSessions: () => unwrap(rest.POST("/v1/auth/sessions/revoke-others")).then((r) => r.ended),
    /** Gets an access token from the persisted refresh token (after a reload). */
    resume: (): Promise<string> => auth.refresh(),
    setTokens: (t: Tokens) => auth.setTokens(t),

    me: () => unwrap(rest.GET("/v1/users/me")),
    /** Mails a link to `email` that moves this account there once followed. */
    changeEmail: (email: string, password: string) =>
      unwrap(rest.POST("/v1/users/me/email", { body: password ? { email, password } : { email } })),
    /** Everything the server keeps about this account, as one archive. */
    exportData: () => unwrap(rest.GET("/v1/users/me/export")),
    /** Deletes this account (its password proves it is the owner). */
    deleteAccount: (password: string | undefined) =>
      unwrap(rest.DELETE("/v1/users/me", { body: password ? { password } : {} })),
    updateProfile: (body: UpdateProfile) => unwrap(rest.PATCH("/v1/users/me", { body })),
    /** Uploads a file (`POST /v1/media`, multipart) reporting its progress; the stored, checked upload. */
    uploadMedia: (file: Blob, name: string, onProgress?: OnProgress, signal?: AbortSignal) =>
      uploadMedia(baseUrl, auth, file, name, onProgress, signal),
    /** A file's record as it is now (its thumbnails, once made). */
    media: (media_id: string) => unwrap(rest.GET("/v1/media/{media_id}", { params: { path: { media_id } } })),
    /** The bytes at a path of this server (a file, a thumbnail), fetched with the session's token. */
    async fetchBlob(path: string): Promise<Blob> {
      const response = await authed(new Request(new URL(path, baseUrl || location.origin)));
      if (!response.ok) throw await errorFromResponse(response);
      return response.blob();
    },
    /** Makes one of my image uploads my profile picture; my account with its `avatar_url`. */
    setAvatar: (media_id: string) => unwrap(rest.PUT("/v1/users/me/avatar", { body: { media_id } })),
    removeAvatar: () => unwrap(rest.DELETE("/v1/users/me/avatar")),
    searchUsers: (query: string) =>
      unwrap(rest.GET("/v1/users/search", { params: { query: { query, limit: 20 } } })).then(
        (r) => r.users,
      ),
    /** The person with exactly this e-mail address, if they have an account (rate limited). */
    findByEmail: (email: string) =>
      unwrap(rest.GET("/v1/users/search", { params: { query: { email } } })).then((r) => r.users),
    privacy: () => unwrap(rest.GET("/v1/users/me/privacy")),
    setPrivacy: (body: UpdatePrivacy) => unwrap(rest.PUT("/v1/users/me/privacy", { body })),
    blocks: () => unwrap(rest.GET("/v1/users/me/blocks")).then((r) => r.blocked),
    block: (user_id: string) => unwrap(rest.POST("/v1/users/me/blocks", { body: { user_id } })),
    unblock: (user_id: string) =>
      unwrap(rest.DELETE("/v1/users/me/blocks/{user_id}", { params: { path: { user_id } } })),

    bootstrap: (): Promise<Bootstrap> => unwrap(rest.GET("/v1/sync/bootstrap")),
    changes: (cursors: Record<string, number>, limit = 100): Promise<Changes> =>
      unwrap(
        rest.GET("/v1/sync/changes", {
          params: {
            query: { after_seq_by_conversation: JSON.stringify(cursors), limit },
          },
        }),
      ),

    conversation: (cid: string): Promise<Conversation> =>
      unwrap(rest.GET("/v1/conversations/{id}", id(cid))),
    direct: (other_user_id: string): Promise<Conversation> =>
      unwrap(rest.POST("/v1/conversations/direct", { body: { other_user_id } })),
    create: (body: CreateConversationRequest): Promise<Conversation> =>
      unwrap(rest.POST("/v1/conversations", { body })),
    updateSettings: (cid: string, body: UpdateSettingsRequest): Promise<Conversation> =>
      unwrap(rest.PATCH("/v1/conversations/{id}", { ...id(cid), body })),
    deleteConversation: (cid: string) => unwrap(rest.DELETE("/v1/conversations/{id}", id(cid))),
    discover: (q: string) =>
      unwrap(
        rest.GET("/v1/conversations/discover", { params: { query: { q, limit: 50 } } }),
      ).then((r) => r.conversations),
    /** Joins (200, the conversation) or files a join request (202, the request). */
    join: (cid: string) => unwrap(rest.POST("/v1/conversations/{id}/join", id(cid))),
    leave: (cid: string) => unwrap(rest.POST("/v1/conversations/{id}/leave", id(cid))),
    transfer: (cid: string, user_id: string) =>
      unwrap(rest.POST("/v1/conversations/{id}/transfer", { ...id(cid), body: { user_id } })),
    members: (cid: string): Promise<Member[]> =>
      unwrap(
        rest.GET("/v1/conversations/{id}/members", {
          params: { path: { id: cid }, query: { limit: 100 } },
        }),
      ).then((r) => r.members),
    addMember: (cid: string, username: string): Promise<Member> =>
      unwrap(rest.POST("/v1/conversations/{id}/members", { ...id(cid), body: { username } })),
    updateMember: (cid: string, user_id: string, body: UpdateMemberRequest): Promise<Member> =>
      unwrap(
        rest.PATCH("/v1/conversations/{id}/members/{user_id}", {
          params: { path: { id: cid, user_id } },
          body,
        }),
      ),
    removeMember: (cid: string, user_id: string) =>
      unwrap(
        rest.DELETE("/v1/conversations/{id}/members/{user_id}", {
          params: { path: { id: cid, user_id } },
        }),
      ),
    joinRequests: (cid: string) =>
      unwrap(rest.GET("/v1/conversations/{id}/join-requests", id(cid))).then(
        (r) => r.join_requests,
      ),
    approve: (cid: string, user_id: string) =>
      unwrap(
        rest.POST("/v1/conversations/{id}/join-requests/{user_id}/approve", {
          params: { path: { id: cid, user_id } },
        }),
      ),
    deny: (cid: string, user_id: string) =>
      unwrap(
        rest.POST("/v1/conversations/{id}/join-requests/{user_id}/deny", {
          params: { path: { id: cid, user_id } },
        }),
      ),
    markRead: (cid: string, seq: number) =>
      unwrap(rest.POST("/v1/conversations/{id}/read", { ...id(cid), body: { seq } })),
    markDelivered: (cid: string, seq: number) =>
      unwrap(rest.POST("/v1/conversations/{id}/delivered", { ...id(cid), body: { seq } })),

    messages: (cid: string, window: HistoryWindow) =>
      unwrap(
        rest.GET("/v1/conversations/{id}/messages", {
          params: {
            path: { id: cid },
            query: {
              ...(window.after_seq !== undefined ? { after_seq: window.after_seq } : {}),
              ...(window.before_seq !== undefined ? { before_seq: window.before_seq } : {}),
              limit: window.limit ?? 50,
            },
          },
        }),
      ),
    send: (cid: string, client_message_id: string, content: string, reply_to?: string | null, attachments?: string[]) =>
      unwrap(
        rest.POST("/v1/conversations/{id}/messages", {
          ...id(cid),
          body: { client_message_id, content, ...(reply_to ? { reply_to } : {}), ...(attachments?.length ? { attachments } : {}) },
        }),
      ),
    edit: (cid: string, message_id: string, content: string): Promise<Message> =>
      unwrap(
        rest.PATCH("/v1/conversations/{id}/messages/{message_id}", {
          params: { path: { id: cid, message_id } },
          body: { content },
        }),
      ),
    remove: (cid: string, message_id: string): Promise<Message> =>
      unwrap(
        rest.DELETE("/v1/conversations/{id}/messages/{message_id}", {
          params: { path: { id: cid, message_id } },
        }),
      ),
    react: (cid: string, message_id: string, emoji: string): Promise<Message> =>
      unwrap(
        rest.PUT("/v1/conversations/{id}/messages/{message_id}/reactions/{emoji}", {
          params: { path: { id: cid, message_id, emoji } },
        }),
      ),
    unreact: (cid: string, message_id: string, emoji: string): Promise<Message> =>
      unwrap(
        rest.DELETE("/v1/conversations/{id}/messages/{message_id}/reactions/{emoji}", {
          params: { path: { id: cid, message_id, emoji } },
        }),
      ),
    thread: (cid: string, message_id: string) =>
      unwrap(
        rest.GET("/v1/conversations/{id}/messages/{message_id}/thread", {
          params: { path: { id: cid, message_id }, query: { limit: 100 } },
        }),
      ),
    search: (q: string, conversationId?: string, cursor?: string) =>
      conversationId
        ? unwrap(
            rest.GET("/v1/conversations/{id}/messages/search", {
              params: {
                path: { id: conversationId },
                query: { q, limit: 30, ...(cursor ? { cursor } : {}) },
              },
            }),
          )
        : unwrap(
            rest.GET("/v1/messages/search", {
              params: { query: { q, limit: 30, ...(cursor ? { cursor } : {}) } },
            }),
          ),
  };
}
