/**
 * "New conversation": a direct message (Find people, then choose one), a group (a name and
 * people to add), or a public room or channel (a unique name, a description, whether
 * joining needs approval).
 */
import { useState } from "react";
import type { HistoryVisibility, User } from "../api/types";
import { createConversation, openDirect } from "../app/actions";
import { Dialog } from "./Dialog";
import { ErrorText } from "./ErrorText";
import { PeopleSearch } from "./PeopleSearch";

type Tab = "direct" | "group" | "room";
const TABS: { id: Tab; label: string }[] = [
  { id: "direct", label: "Direct message" },
  { id: "group", label: "Group" },
  { id: "room", label: "Room" },
];

export function NewConversationDialog({ onClose }: { onClose(): void }) {
  const [tab, setTab] = useState<Tab>("direct");
  const [error, setError] = useState<unknown>(null);
  const run = (work: Promise<void>) =>
    work.then(onClose).catch((e: unknown) => setError(e));

  const onTabKey = (event: React.KeyboardEvent) => {
    const index = TABS.findIndex((t) => t.id === tab);
    const step = event.key === "ArrowRight" ? 1 : event.key === "ArrowLeft" ? -1 : 0;
    if (!step) return;
    const next = TABS[(index + step + TABS.length) % TABS.length]!;
    setTab(next.id);
    document.getElementById(`tab-${next.id}`)?.focus();
  };

  return (
    <Dialog title="New conversation" onClose={onClose}>
      <div className="tabs" role="tablist" aria-label="Kind of conversation" onKeyDown={onTabKey}>
        {TABS.map((t) => (
          <button
            key={t.id}
            id={`tab-${t.id}`}
            type="button"
            role="tab"
            aria-selected={tab === t.id}
            aria-controls={`panel-${t.id}`}
            tabIndex={tab === t.id ? 0 : -1}
            className="tabs__tab"
            onClick={() => setTab(t.id)}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`} className="tabs__panel">
        {tab === "direct" && <PeopleSearch onChoose={(u) => void run(openDirect(u.id))} />}
        {tab === "group" && <GroupForm onCreate={(work) => void run(work)} />}
        {tab === "room" && <RoomForm onCreate={(work) => void run(work)} />}
      </div>
      <ErrorText error={error} />
    </Dialog>
  );
}

function GroupForm({ onCreate }: { onCreate(work: Promise<void>): void }) {
  const [title, setTitle] = useState("");
  const [people, setPeople] = useState<User[]>([]);
  const chosen = new Set(people.map((p) => p.id));
  const toggle = (user: User) =>
    setPeople((list) => (list.some((p) => p.id === user.id) ? list.filter((p) => p.id !== user.id) : [...list, user]));
  return (
    <form
      className="stack"
      onSubmit={(e) => {
        e.preventDefault();
        onCreate(createConversation({ type: "group", title: title.trim(), member_ids: people.map((p) => p.id) }));
      }}
    >
      <label className="field">
        <span>Group name</span>
        <input value={title} onChange={(e) => setTitle(e.target.value)} required maxLength={100} />
      </label>
      <PeopleSearch onChoose={toggle} chosen={chosen} />
      {people.length > 0 && <p className="muted">Adding: {people.map((p) => p.display_name).join(", ")}</p>}
      <button type="submit" className="button button--primary" disabled={!title.trim()}>
        Create group
      </button>
    </form>
  );
}

function RoomForm({ onCreate }: { onCreate(work: Promise<void>): void }) {
  const [title, setTitle] = useState("");
  const [description, setDescription] = useState("");
  const [channel, setChannel] = useState(false);
  const [approval, setApproval] = useState(false);
  const [history, setHistory] = useState<HistoryVisibility>("all");
  return (
    <form
      className="stack"
      onSubmit={(e) => {
        e.preventDefault();
        onCreate(
          createConversation({
            type: channel ? "channel" : "room",
            title: title.trim(),
            description: description.trim(),
            require_approval: approval,
            history_visibility: history,
          }),
        );
      }}
    >
      <label className="field">
        <span>Room name</span>
        <input value={title} onChange={(e) => setTitle(e.target.value)} required minLength={3} maxLength={50} />
      </label>
      <label className="field">
        <span>Description</span>
        <input value={description} onChange={(e) => setDescription(e.target.value)} />
      </label>
      <label className="check">
        <input type="checkbox" checked={channel} onChange={(e) => setChannel(e.target.checked)} />
        <span>Channel: only admins post</span>
      </label>
      <label className="check">
        <input type="checkbox" checked={approval} onChange={(e) => setApproval(e.target.checked)} />
        <span>Joining needs approval</span>
      </label>
      <HistorySelect value={history} onChange={setHistory} />
      <button type="submit" className="button button--primary" disabled={title.trim().length < 3}>
        Create room
      </button>
    </form>
  );
}

export function HistorySelect({ value, onChange }: { value: HistoryVisibility; onChange(v: HistoryVisibility): void }) {
  return (
    <label className="field">
      <span>New members see</span>
      <select value={value} onChange={(e) => onChange(e.target.value as HistoryVisibility)}>
        <option value="all">All history</option>
        <option value="member_join_date">History from their first join</option>
        <option value="none">Only messages after they join</option>
      </select>
    </label>
  );
}
