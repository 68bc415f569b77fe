/**
 * The signed-in client, wired: REST client, local store, outbox, sync engine and the view
 * stores, started together on sign-in (or on load, from the persisted session) and torn
 * down together on sign-out. Components reach it through `useSession` and `runtime()`.
 *
 * A reload while offline still shows the cached conversations: the store is opened from the
 * remembered user id before any request, and a refresh that cannot reach the server keeps
 * the session (only a refused one signs out).
 */
import { create } from "zustand";
import { localStorageTokenStore } from "../api/auth";
import { createHearthApi, type HearthApi } from "../api/client";
import { ApiError } from "../api/errors";
import type { Session, User } from "../api/types";
import { Outbox } from "../outbox/outbox";
import { LocalStore } from "../store/local";
import { liveSink, resetLive, useLive } from "../store/live";
import { bindViews, type Views } from "../store/views";
import { SyncEngine } from "../sync/engine";
import { takeProviderReturn } from "./provider-return";

const USER_KEY = "hearth.user";

export interface Runtime {
  api: HearthApi;
  store: LocalStore;
  outbox: Outbox;
  engine: SyncEngine;
  views: Views;
  me: User;
}

interface SessionState {
  status: "loading" | "signed_out" | "signed_in";
  me: User | null;
}

export const useSession = create<SessionState>(() => ({ status: "loading", me: null }));

/** What the last round trip to an identity provider said, for the screen to show. */
export const useProviderNotice = create<{ error: string | null; linked: string | null }>(() => ({
  error: null,
  linked: null,
}));

const api = createHearthApi(window.location.origin, localStorageTokenStore());
let current: Runtime | null = null;

/** The running client; only called by components rendered while signed in. */
export function runtime(): Runtime {
  if (!current) throw new Error("not signed in");
  return current;
}

api.auth.onSignedOut(() => void teardown());

async function start(me: User): Promise<void> {
  localStorage.setItem(USER_KEY, JSON.stringify(me));
  const store = await LocalStore.open(me.id);
  const outbox = new Outbox({
    store,
    send: (entry) =>
      api.send(
        entry.conversation_id,
        entry.client_message_id,
        entry.content,
        entry.reply_to,
        entry.attachments?.map((file) => file.id),
      ),
    isOnline: () => useLive.getState().connection === "online",
  });
  const engine = new SyncEngine(api, store, outbox, liveSink);
  const views = bindViews(store, async (cid, beforeSeq) => {
    const page = await api.messages(cid, { before_seq: beforeSeq, limit: 100 });
    await store.putHistory(cid, page.messages, page.has_more);
  });
  current = { api, store, outbox, engine, views, me };
  useSession.setState({ status: "signed_in", me });
  const origin = window.location.origin.replace(/^http/, "ws");
  void engine.start(origin);
}

async function teardown(): Promise<void> {
  const running = current;
  current = null;
  localStorage.removeItem(USER_KEY);
  useSession.setState({ status: "signed_out", me: null });
  resetLive();
  if (!running) return;
  running.engine.stop();
  running.outbox.stop();
  running.views.detach();
  await running.store.destroy().catch(() => undefined);
}

/** On load: finish a provider sign-in the address carries, else resume the persisted session. */
export async function resume(): Promise<void> {
  const back = takeProviderReturn();
  if (back?.kind === "signed_in") {
    try {
      await signedIn(await api.handoff(back.code));
      return;
    } catch (error) {
      useProviderNotice.setState({ error: error instanceof Error ? error.message : String(error) });
    }
  } else if (back?.kind === "failed") {
    useProviderNotice.setState({ error: back.message });
  } else if (back?.kind === "linked") {
    useProviderNotice.setState({ linked: back.provider });
  }
  const saved = rememberedUser();
  if (!saved || !api.auth.canResume) {
    useSession.setState({ status: "signed_out" });
    return;
  }
  await start(saved);
  try {
    await api.resume();
  } catch (error) {
    // Refused: `onSignedOut` has torn down. No answer: stay, the socket keeps trying.
    if (!(error instanceof ApiError)) throw error;
  }
}

/** The user this browser was last signed in as, if any. */
function rememberedUser(): User | null {
  try {
    const saved = localStorage.getItem(USER_KEY);
    return saved ? (JSON.parse(saved) as User) : null;
  } catch {
    return null;
  }
}

async function signedIn(session: Session): Promise<void> {
  const previous = rememberedUser();
  if (previous && previous.id !== session.user.id) await teardown();
  await start(session.user);
}

export async function signIn(username: string, password: string): Promise<void> {
  await signedIn(await api.login(username, password));
}

/** The identity providers this server signs in with. */
export const providers = () => api.providers();

/** Sends the browser to a provider to sign in (it comes back through `resume`). */
export async function signInWithProvider(provider: string): Promise<void> {
  window.location.assign(await api.authorize(provider, window.location.pathname));
}

/** Sends the signed-in browser to a provider to link it to this account. */
export async function linkProvider(provider: string): Promise<void> {
  window.location.assign(await api.link(provider, window.location.pathname));
}

/**
 * Creates an account and signs it in; `"pending"` when the server first wants the address
 * confirmed (a link is on its way to it).
 */
export async function register(
  username: string,
  password: string,
  displayName: string,
  email = "",
): Promise<"signed_in" | "pending"> {
  const answer = await api.register(username, password, displayName, email);
  if (!("tokens" in answer)) return "pending";
  await signedIn(answer);
  return "signed_in";
}

/** The mailed links' calls, usable signed out. */
export const mailedLinks = {
  verifyEmail: (token: string) => api.verifyEmail(token),
  resendVerification: (login: string) => api.resendVerification(login),
  requestPasswordReset: (login: string) => api.requestPasswordReset(login),
  resetPassword: (token: string, password: string) => api.resetPassword(token, password),
};

/** Shows the account as the server now has it (after a profile change) and remembers it. */
export function accountChanged(me: User): void {
  if (!current || current.me.id !== me.id) return;
  current.me = me;
  localStorage.setItem(USER_KEY, JSON.stringify(me));
  useSession.setState({ me });
}

export async function signOut(): Promise<void> {
  await api.logout();
  await teardown();
}

/** Deletes the account on the server, then forgets it here as signing out does. */
export async function deleteAccount(password: string): Promise<void> {
  await api.deleteAccount(password || undefined);
  await api.logout();
  await teardown();
}
