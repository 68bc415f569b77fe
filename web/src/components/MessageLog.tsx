/**
 * The open conversation's messages: a virtualised `role="log"` named "Messages", with the
 * unsent messages (Sending / Not sent + Retry) after the sent ones. Scrolling to the top
 * pages older history in; reaching the bottom while the page is visible marks it read.
 */
import { useCallback, useEffect, useMemo } from "react";
import type { Message } from "../api/types";
import { retrySend } from "../app/actions";
import { runtime } from "../app/runtime";
import type { OutboxEntry } from "../store/db";
import { useTimeline } from "../store/views";
import { Avatar } from "./Avatar";
import { deliveryOf, MessageItem } from "./MessageItem";
import { VirtualList } from "./VirtualList";

interface Props {
  onOpenThread(message: Message): void;
  onError(error: unknown): void;
}

export function MessageLog({ onOpenThread, onError }: Props) {
  const { conversationId, conversation, messages, members, outbox, focus, loadingOlder, hasOlder } = useTimeline();
  const { me, views, engine } = runtime();

  const names = useMemo(() => new Map(members.map((m) => [m.user.id, m.user.display_name])), [members]);
  const pictures = useMemo(() => new Map(members.map((m) => [m.user.id, m.user.avatar_url])), [members]);
  const usernames = useMemo(() => new Set(members.map((m) => m.user.username)), [members]);
  const mayModerate = conversation?.my_permissions.can_delete_messages ?? false;

  const lastSeq = messages.at(-1)?.seq ?? 0;
  useEffect(() => {
    if (!conversationId || !conversation || lastSeq === 0) return;
    const markIfSeen = () => {
      if (document.visibilityState === "visible" && lastSeq > (conversation.last_read_seq ?? 0)) {
        engine.markRead(conversationId, lastSeq);
      }
    };
    markIfSeen();
    document.addEventListener("visibilitychange", markIfSeen);
    return () => document.removeEventListener("visibilitychange", markIfSeen);
  }, [conversationId, conversation, lastSeq, engine]);

  const loadOlder = useCallback(() => void views.loadOlder(), [views]);
  const keyOf = useCallback((m: Message) => m.id, []);
  const render = useCallback(
    (m: Message) => (
      <MessageItem
        message={m}
        senderName={names.get(m.sender_id) ?? "Someone"}
        senderAvatar={pictures.get(m.sender_id)}
        mine={m.sender_id === me.id}
        delivery={m.sender_id === me.id ? deliveryOf(m, members, me.id) : undefined}
        canDelete={m.sender_id === me.id || mayModerate}
        usernames={usernames}
        highlighted={m.id === focus}
        onOpenThread={onOpenThread}
        onError={onError}
      />
    ),
    [names, pictures, me.id, members, mayModerate, usernames, focus, onOpenThread, onError],
  );

  const pending = outbox.filter((e) => !e.reply_to);
  return (
    <VirtualList
      className="log"
      role="log"
      label="Messages"
      items={messages}
      keyOf={keyOf}
      render={render}
      onReachTop={hasOlder && !loadingOlder ? loadOlder : undefined}
      focusKey={focus}
      footer={
        pending.length > 0 ? (
          <Unsent entries={pending} name={me.display_name} />
        ) : messages.length === 0 && !hasOlder ? (
          <p className="log__empty">No messages yet. Say hello!</p>
        ) : null
      }
    />
  );
}

function Unsent({ entries, name }: { entries: OutboxEntry[]; name: string }) {
  return (
    <>
      {entries.map((entry) => (
        <article key={entry.client_message_id} className={`message message--mine message--${entry.state}`} aria-label={`${name} ${entry.content}`}>
          <Avatar name={name} />
          <div className="message__body">
            <header className="message__meta">
              <span className="message__sender">{name}</span>
            </header>
            <p className="message__text">{entry.content}</p>
            {(entry.attachments?.length ?? 0) > 0 && (
              <p className="muted">
                <span aria-hidden="true">📎 </span>
                {entry.attachments!.map((file) => file.file_name).join(", ")}
              </p>
            )}
            {entry.state === "pending" ? (
              <span className="message__status message__status--sending">Sending</span>
            ) : (
              <span className="message__status message__status--failed" title={entry.error ?? undefined}>
                Not sent{" "}
                <button type="button" className="button button--small" onClick={() => void retrySend(entry.client_message_id)}>
                  Retry
                </button>
              </span>
            )}
          </div>
        </article>
      ))}
    </>
  );
}
