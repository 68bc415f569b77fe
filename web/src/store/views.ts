/**
 * The Zustand stores the UI renders from. Each is a snapshot read from the local store
 * (IndexedDB) and re-read when the local store reports a change that concerns it; nothing
 * here is written from the network directly.
 *
 * The open conversation's timeline is a window: it holds the messages from `lowSeq` to the
 * newest, and grows downwards one page at a time as the user scrolls up (`loadOlder`), from
 * IndexedDB first and from the server when the local copy ends at its floor. The DOM holds
 * only the rows on screen (`components/VirtualList`).
 */
import { create } from "zustand";
import type { Member, Message, User } from "../api/types";
import type { OutboxEntry, StoredConversation } from "./db";
import type { LocalStore, StoreChange } from "./local";

/** A conversation as the list shows it. */
export interface ConversationSummary {
  conversation: StoredConversation;
  title: string;
  /** For a direct conversation: the other person. */
  peer: User | null;
}

interface ConversationsState {
  loaded: boolean;
  items: ConversationSummary[];
}

export const useConversations = create<ConversationsState>(() => ({ loaded: false, items: [] }));

export interface TimelineState {
  conversationId: string | null;
  conversation: StoredConversation | null;
  members: Member[];
  messages: Message[];
  outbox: OutboxEntry[];
  /** The lowest seq of the window (0 before the first read). */
  lowSeq: number;
  /** Older messages may exist (locally below the window, or only on the server). */
  hasOlder: boolean;
  loadingOlder: boolean;
  /** A message to scroll to and highlight (from search). */
  focus: string | null;
}

const emptyTimeline: TimelineState = {
  conversationId: null,
  conversation: null,
  members: [],
  messages: [],
  outbox: [],
  lowSeq: 0,
  hasOlder: false,
  loadingOlder: false,
  focus: null,
};

export const useTimeline = create<TimelineState>(() => emptyTimeline);

const PAGE = 50;

export function conversationTitle(conversation: StoredConversation, peer: User | null): string {
  if (conversation.type === "direct") return peer?.display_name ?? "Direct message";
  return conversation.title ?? "Untitled";
}

/**
 * Keeps the view stores in step with one local store; answers the view actions.
 *
 * Every read that ends in a write to `useTimeline` runs on one queue, and each applies its
 * result to the state as it is at that moment (functional `setState`), so a page of history,
 * a change notification and opening a conversation never overwrite each other's messages.
 */
export function bindViews(store: LocalStore, fetchOlder: (cid: string, beforeSeq: number) => Promise<void>) {
  let conversationsDirty = false;
  const dirtyTimeline = new Set<"messages" | "members" | "outbox">();
  // Changed message seqs of the open conversation, or "all" when a write did not say.
  let changedSeqs: Set<number> | "all" = new Set();
  let scheduled = false;
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const run = chain.then(work, work);
    chain = run.catch(() => undefined);
    return run;
  };

  const readConversations = async () => {
    const conversations = await store.conversations();
    const items = await Promise.all(
      conversations.map(async (conversation) => {
        let peer: User | null = null;
        if (conversation.type === "direct") {
          const members = await store.members(conversation.id);
          peer = members.find((m) => m.user.id !== store.userId)?.user ?? null;
        }
        return { conversation, peer, title: conversationTitle(conversation, peer) };
      }),
    );
    useConversations.setState({ loaded: true, items });
  };

  const readTimeline = async (parts: Set<string>, seqs: Set<number> | "all") => {
    const cid = useTimeline.getState().conversationId;
    if (!cid) return;
    const conversation = (await store.conversation(cid)) ?? null;
    // Re-reading a long window on every event would block the page; read what changed.
    const wantMessages = parts.has("messages");
    const all = wantMessages && seqs === "all" ? await store.timelineFrom(cid, useTimeline.getState().lowSeq) : null;
    const changed = wantMessages && seqs !== "all" ? await store.messagesAt(cid, [...seqs]) : null;
    const members = parts.has("members") ? await store.members(cid) : null;
    const outbox = parts.has("outbox") ? await store.outbox(cid) : null;
    useTimeline.setState((state) => {
      if (state.conversationId !== cid) return {};
      const patch: Partial<TimelineState> = { conversation };
      if (all) patch.messages = all;
      if (changed) patch.messages = mergeMessages(state.messages, changed, state.lowSeq);
      if (members) patch.members = members;
      if (outbox) patch.outbox = outbox;
      return patch;
    });
  };

  const flush = async () => {
    scheduled = false;
    const parts = new Set(dirtyTimeline);
    dirtyTimeline.clear();
    const seqs = changedSeqs;
    changedSeqs = new Set();
    const conversations = conversationsDirty;
    conversationsDirty = false;
    if (conversations) await readConversations();
    if (parts.size > 0 || conversations) await readTimeline(parts, seqs);
  };

  const onChange = (change: StoreChange) => {
    if (change.kind === "conversations") conversationsDirty = true;
    else if (change.conversationId === useTimeline.getState().conversationId) {
      dirtyTimeline.add(change.kind);
      if (change.kind === "messages") {
        if (!change.seqs) changedSeqs = "all";
        else if (changedSeqs !== "all") for (const seq of change.seqs) changedSeqs.add(seq);
      }
    } else if (change.kind === "members") conversationsDirty = true;
    if (!scheduled) {
      scheduled = true;
      queueMicrotask(() => void serial(flush));
    }
  };

  const unsubscribe = store.subscribe(onChange);
  void serial(readConversations);

  const open = (cid: string | null, focus: string | null = null): Promise<void> => {
    if (!cid) {
      useTimeline.setState(emptyTimeline, true);
      return Promise.resolve();
    }
    if (useTimeline.getState().conversationId === cid) {
      if (focus) useTimeline.setState({ focus });
      return Promise.resolve();
    }
    // Set at once, so that changes from now on are recorded for this conversation.
    useTimeline.setState({ ...emptyTimeline, conversationId: cid, focus }, true);
    return serial(async () => {
      const [conversation, page, members, outbox] = await Promise.all([
        store.conversation(cid),
        store.timelineBefore(cid, Number.MAX_SAFE_INTEGER, PAGE),
        store.members(cid),
        store.outbox(cid),
      ]);
      useTimeline.setState((state) =>
        state.conversationId !== cid
          ? {}
          : {
              conversation: conversation ?? null,
              messages: page.messages,
              members,
              outbox,
              lowSeq: page.messages[0]?.seq ?? 0,
              hasOlder: page.beyondFloor || page.messages.length === PAGE,
            },
      );
    });
  };

  /** Grows the window by one page of older messages (fetching them if need be). */
  const loadOlder = async (): Promise<void> => {
    const state = useTimeline.getState();
    const cid = state.conversationId;
    if (!cid || state.loadingOlder || !state.hasOlder) return;
    useTimeline.setState({ loadingOlder: true });
    try {
      const before = state.lowSeq || Number.MAX_SAFE_INTEGER;
      const local = await store.timelineBefore(cid, before, PAGE);
      if (local.messages.length < PAGE && local.beyondFloor) {
        const cursor = await store.cursor(cid);
        await fetchOlder(cid, cursor?.floor || before);
      }
      await serial(async () => {
        const page = await store.timelineBefore(cid, useTimeline.getState().lowSeq || before, PAGE);
        useTimeline.setState((s) =>
          s.conversationId !== cid
            ? {}
            : {
                messages: prependPage(s.messages, page.messages),
                lowSeq: page.messages[0]?.seq ?? s.lowSeq,
                hasOlder: page.beyondFloor || page.messages.length === PAGE,
              },
        );
      });
    } catch {
      // Offline: the window stays as it is and the next scroll tries again.
    } finally {
      useTimeline.setState({ loadingOlder: false });
    }
  };

  return {
    detach: () => {
      unsubscribe();
      useConversations.setState({ loaded: false, items: [] });
      useTimeline.setState(emptyTimeline, true);
    },

    /** Resolves once the reads queued so far have reached the view stores. */
    settled: async (): Promise<void> => {
      await Promise.resolve(); // a change's flush is queued from a microtask
      await chain;
    },

    /** Shows a conversation: its latest page, its members and its unsent messages. */
    open,
    loadOlder,

    /** Grows the window until it holds `seq` (to jump to a search result). */
    async reveal(cid: string, seq: number, messageId: string): Promise<void> {
      await open(cid, messageId);
      for (let i = 0; i < 400; i += 1) {
        const state = useTimeline.getState();
        if (state.conversationId !== cid || state.lowSeq <= seq || !state.hasOlder) break;
        await loadOlder();
      }
      useTimeline.setState({ focus: messageId });
    },
  };
}

export type Views = ReturnType<typeof bindViews>;

/** An older page put before the window (cheap: no re-sort of a long window). */
export function prependPage(current: readonly Message[], older: readonly Message[]): Message[] {
  const first = current[0]?.seq ?? Number.POSITIVE_INFINITY;
  return [...older.filter((m) => m.seq < first), ...current];
}

/**
 * The timeline window with `changed` messages put in (replacing the same seq) and thread
 * replies and anything below the window's `lowSeq` left out; oldest first.
 */
export function mergeMessages(current: readonly Message[], changed: readonly Message[], lowSeq: number): Message[] {
  if (changed.length === 0) return current as Message[];
  const bySeq = new Map(current.map((m) => [m.seq, m]));
  for (const message of changed) {
    if (message.seq < lowSeq && lowSeq > 0) continue;
    if (message.thread_root_id) bySeq.delete(message.seq);
    else bySeq.set(message.seq, message);
  }
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}
