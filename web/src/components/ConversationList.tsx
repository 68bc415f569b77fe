/**
 * The "Conversations" navigation: every conversation, most recently active first, as a link
 * whose accessible name starts with its title and says "N unread" while it has unread
 * messages.
 */
import { useEffect } from "react";
import { navigate, useRoute } from "../app/router";
import { MARKS, markOnce } from "../perf";
import { shortTime } from "../format";
import { useLive } from "../store/live";
import { useConversations, type ConversationSummary } from "../store/views";
import { Avatar } from "./Avatar";

export function ConversationList() {
  const { items, loaded } = useConversations();
  const active = useRoute((r) => r.conversationId);
  useEffect(() => {
    if (items.length > 0) markOnce(MARKS.listRendered);
  }, [items.length]);
  return (
    <nav className="conversations" aria-label="Conversations">
      {loaded && items.length === 0 && <p className="conversations__empty">No conversations yet. Start one with New conversation.</p>}
      <ul>
        {items.map((item) => (
          <li key={item.conversation.id}>
            <ConversationLink item={item} active={item.conversation.id === active} />
          </li>
        ))}
      </ul>
    </nav>
  );
}

const KIND_LABEL: Record<string, string> = { group: "group", room: "room", channel: "channel" };

function ConversationLink({ item, active }: { item: ConversationSummary; active: boolean }) {
  const { conversation, title, peer } = item;
  const online = useLive((s) => (peer ? s.online[peer.id] : false));
  const unread = conversation.unread_count ?? 0;
  const href = `/c/${conversation.id}`;
  const preview = conversation.last_message_preview ?? (conversation.last_message_at ? "Message deleted" : "No messages yet");
  const kind = KIND_LABEL[conversation.type];
  const name = [title, unread > 0 ? `${unread} unread` : null, kind, preview].filter(Boolean).join(", ");
  return (
    <a
      href={href}
      className={`conversation-link${active ? " conversation-link--active" : ""}${unread > 0 ? " conversation-link--unread" : ""}`}
      aria-current={active ? "page" : undefined}
      aria-label={name}
      onClick={(e) => {
        if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
        e.preventDefault();
        navigate(href);
      }}
    >
      <Avatar name={title} url={peer?.avatar_url} online={online} />
      <span className="conversation-link__text" aria-hidden="true">
        <span className="conversation-link__title">
          {kind === "channel" ? "# " : ""}
          {title}
        </span>
        <span className="conversation-link__preview">{preview}</span>
      </span>
      <span className="conversation-link__side" aria-hidden="true">
        <time dateTime={conversation.last_message_at ?? undefined}>{shortTime(conversation.last_message_at)}</time>
        {unread > 0 && <span className="badge">{unread > 99 ? "99+" : unread}</span>}
      </span>
    </a>
  );
}
