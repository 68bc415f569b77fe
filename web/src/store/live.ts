/**
 * Live state that is not stored: whether the server is reachable, who is online, who views
 * and who types in a conversation, pending join requests. The sync engine writes it through
 * `liveSink`; components read it with `useLive`.
 */
import { create } from "zustand";
import type { PresenceEntry, UserRef } from "../api/ws";
import type { ConnectionState } from "../sync/socket";
import type { LiveSink } from "../sync/engine";

interface Typist {
  username: string;
  until: number;
}

export interface LiveState {
  connection: ConnectionState;
  online: Record<string, boolean>;
  viewers: Record<string, UserRef[]>;
  typing: Record<string, Record<string, Typist>>;
  joinRequests: Record<string, UserRef[]>;
}

const initial: LiveState = { connection: "connecting", online: {}, viewers: {}, typing: {}, joinRequests: {} };

export const useLive = create<LiveState>(() => initial);

export function resetLive(): void {
  useLive.setState(initial, true);
}

const withoutUser = (users: UserRef[] | undefined, id: string) => (users ?? []).filter((u) => u.id !== id);

export const liveSink: LiveSink = {
  connection: (connection) => useLive.setState({ connection }),
  presence: (entries: PresenceEntry[]) =>
    useLive.setState((s) => ({
      online: { ...s.online, ...Object.fromEntries(entries.map((e) => [e.user_id, e.status === "online"])) },
    })),
  viewers: (cid, users) => useLive.setState((s) => ({ viewers: { ...s.viewers, [cid]: users } })),
  viewerJoined: (cid, user) =>
    useLive.setState((s) => ({ viewers: { ...s.viewers, [cid]: [...withoutUser(s.viewers[cid], user.id), user] } })),
  viewerLeft: (cid, user) =>
    useLive.setState((s) => ({ viewers: { ...s.viewers, [cid]: withoutUser(s.viewers[cid], user.id) } })),
  typing: (cid, user, typing, expiresInMs) =>
    useLive.setState((s) => {
      const typists = { ...(s.typing[cid] ?? {}) };
      if (typing) typists[user.id] = { username: user.username, until: Date.now() + expiresInMs };
      else delete typists[user.id];
      return { typing: { ...s.typing, [cid]: typists } };
    }),
  joinRequested: (cid, user) =>
    useLive.setState((s) => ({
      joinRequests: { ...s.joinRequests, [cid]: [...withoutUser(s.joinRequests[cid], user.id), user] },
    })),
};
