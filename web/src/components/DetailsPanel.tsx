/**
 * The open conversation's details. For a direct conversation: the other person, whether
 * they are online, and Block / Unblock. For a group, room or channel: its members with their
 * roles and presence, and — as the user's permissions allow — adding and removing members,
 * roles, join requests, settings (name, description, approval, history visibility),
 * ownership transfer, leaving and deleting.
 */
import { useEffect, useState } from "react";
import type { HistoryVisibility, Member } from "../api/types";
import {
  addMember,
  answerJoinRequest,
  deleteConversation,
  leaveConversation,
  refreshConversation,
  removeMember,
  transferOwnership,
  updateMember,
  updateSettings,
} from "../app/actions";
import { runtime } from "../app/runtime";
import type { StoredConversation } from "../store/db";
import { useLive } from "../store/live";
import { useTimeline } from "../store/views";
import { Avatar } from "./Avatar";
import { ErrorText } from "./ErrorText";
import { HistorySelect } from "./NewConversationDialog";

export function DetailsPanel({ onClose }: { onClose(): void }) {
  const { conversation, members } = useTimeline();
  const [error, setError] = useState<unknown>(null);
  const run = (work: Promise<unknown>) => void work.then(() => setError(null)).catch(setError);
  // Members and roles as the server has them now, once per conversation shown.
  const conversationId = conversation?.id;
  useEffect(() => {
    if (conversationId) void refreshConversation(conversationId).catch(() => undefined);
  }, [conversationId]);
  if (!conversation) return null;
  return (
    <aside className="panel" aria-label={conversation.type === "direct" ? "Details" : "Members"}>
      <header className="panel__header">
        <h2>{conversation.type === "direct" ? "Details" : "Members"}</h2>
        <button type="button" className="button button--icon" aria-label="Close panel" onClick={onClose}>
          <span aria-hidden="true">✕</span>
        </button>
      </header>
      <ErrorText error={error} />
      {conversation.type === "direct" ? (
        <DirectDetails members={members} run={run} />
      ) : (
        <GroupDetails conversation={conversation} members={members} run={run} />
      )}
    </aside>
  );
}

type Run = (work: Promise<unknown>) => void;

function DirectDetails({ members, run }: { members: Member[]; run: Run }) {
  const { me, api } = runtime();
  const peer = members.find((m) => m.user.id !== me.id)?.user;
  const online = useLive((s) => (peer ? s.online[peer.id] : false));
  const [blocked, setBlocked] = useState<boolean | null>(null);
  useEffect(() => {
    if (!peer) return;
    api
      .blocks()
      .then((list) => setBlocked(list.some((b) => b.user.id === peer.id)))
      .catch(() => setBlocked(null));
  }, [api, peer]);
  if (!peer) return null;
  return (
    <div className="stack">
      <p>
        <Avatar name={peer.display_name} url={peer.avatar_url} online={online} /> <strong>{peer.display_name}</strong> <span className="muted">@{peer.username}</span>
      </p>
      <p className="muted">{online ? "Online" : "Offline"}</p>
      {peer.about && (
        <p className="about" aria-label={`About ${peer.display_name}`}>
          {peer.about}
        </p>
      )}
      {blocked !== null && (
        <button
          type="button"
          className="button"
          onClick={() => run((blocked ? api.unblock(peer.id) : api.block(peer.id)).then(() => setBlocked(!blocked)))}
        >
          {blocked ? `Unblock ${peer.display_name}` : `Block ${peer.display_name}`}
        </button>
      )}
    </div>
  );
}

function GroupDetails({ conversation, members, run }: { conversation: StoredConversation; members: Member[]; run: Run }) {
  const { me } = runtime();
  const online = useLive((s) => s.online);
  const cid = conversation.id;
  const perms = conversation.my_permissions;
  const owner = conversation.my_role === "owner";
  const [username, setUsername] = useState("");

  return (
    <div className="stack">
      <ul className="members" aria-label="Member list">
        {members.map((m) => {
          const self = m.user.id === me.id;
          const manageable = !self && m.role !== "owner" && (owner || (perms.is_admin && m.role === "member"));
          return (
            <li key={m.user.id} className="member">
              <Avatar name={m.user.display_name} url={m.user.avatar_url} online={online[m.user.id] ?? self} small />
              <span className="member__name">
                {m.user.display_name}
                {self ? " (you)" : ""} <span className="muted">{m.role}</span>
                {online[m.user.id] && !self && <span className="visually-hidden">, online</span>}
              </span>
              {manageable && perms.is_admin && (
                <button
                  type="button"
                  className="button button--small"
                  onClick={() => run(updateMember(cid, m.user.id, { role: m.role === "admin" ? "member" : "admin" }))}
                >
                  {m.role === "admin" ? "Make member" : "Make admin"}
                </button>
              )}
              {manageable && perms.can_manage_participants && (
                <button
                  type="button"
                  className="button button--small"
                  aria-label={`Remove ${m.user.display_name}`}
                  onClick={() => run(removeMember(cid, m.user.id))}
                >
                  Remove
                </button>
              )}
              {owner && !self && (
                <button
                  type="button"
                  className="button button--small"
                  aria-label={`Transfer ownership to ${m.user.display_name}`}
                  onClick={() => {
                    if (window.confirm(`Make ${m.user.display_name} the owner? You become an admin.`)) run(transferOwnership(cid, m.user.id));
                  }}
                >
                  Make owner
                </button>
              )}
            </li>
          );
        })}
      </ul>
      {perms.can_manage_participants && (
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (username.trim()) run(addMember(cid, username.trim().replace(/^@/, "")).then(() => setUsername("")));
          }}
        >
          <label className="field">
            <span>Add member by username</span>
            <input value={username} onChange={(e) => setUsername(e.target.value)} />
          </label>
          <button type="submit" className="button">
            Add
          </button>
        </form>
      )}
      {perms.can_manage_participants && <JoinRequests cid={cid} run={run} />}
      {perms.can_change_settings && <SettingsForm conversation={conversation} run={run} />}
      <div className="danger">
        {!owner && (
          <button type="button" className="button" onClick={() => run(leaveConversation(cid))}>
            Leave {conversation.type}
          </button>
        )}
        {owner && (
          <button
            type="button"
            className="button button--danger"
            onClick={() => {
              if (window.confirm(`Delete ${conversation.title ?? "this conversation"} for everyone?`)) run(deleteConversation(cid));
            }}
          >
            Delete {conversation.type}
          </button>
        )}
      </div>
    </div>
  );
}

function JoinRequests({ cid, run }: { cid: string; run: Run }) {
  const { api } = runtime();
  const live = useLive((s) => s.joinRequests[cid]);
  const [requests, setRequests] = useState<{ id: string; name: string }[]>([]);
  useEffect(() => {
    api
      .joinRequests(cid)
      .then((list) => setRequests(list.map((r) => ({ id: r.user.id, name: r.user.display_name }))))
      .catch(() => undefined);
  }, [api, cid, live]);
  if (requests.length === 0) return null;
  const answer = (id: string, approve: boolean) =>
    run(answerJoinRequest(cid, id, approve).then(() => setRequests((list) => list.filter((r) => r.id !== id))));
  return (
    <section>
      <h3>Join requests</h3>
      <ul className="members">
        {requests.map((r) => (
          <li key={r.id} className="member">
            <span className="member__name">{r.name}</span>
            <button type="button" className="button button--small" onClick={() => answer(r.id, true)}>
              Approve
            </button>
            <button type="button" className="button button--small" onClick={() => answer(r.id, false)}>
              Deny
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

function SettingsForm({ conversation, run }: { conversation: StoredConversation; run: Run }) {
  const [title, setTitle] = useState(conversation.title ?? "");
  const [description, setDescription] = useState(conversation.description);
  const [approval, setApproval] = useState(conversation.require_approval);
  const [history, setHistory] = useState(conversation.history_visibility as HistoryVisibility);
  return (
    <form
      className="stack"
      aria-label="Settings"
      onSubmit={(e) => {
        e.preventDefault();
        run(updateSettings(conversation.id, { title: title.trim(), description, require_approval: approval, history_visibility: history }));
      }}
    >
      <h3>Settings</h3>
      <label className="field">
        <span>Name</span>
        <input value={title} onChange={(e) => setTitle(e.target.value)} required />
      </label>
      <label className="field">
        <span>Description</span>
        <input value={description} onChange={(e) => setDescription(e.target.value)} />
      </label>
      <label className="check">
        <input type="checkbox" checked={approval} onChange={(e) => setApproval(e.target.checked)} />
        <span>Joining needs approval</span>
      </label>
      <HistorySelect value={history} onChange={setHistory} />
      <button type="submit" className="button">
        Save settings
      </button>
    </form>
  );
}
