/**
 * The open conversation: its header (title, who is viewing it, buttons for search and
 * details), the message log, who is typing, and the composer.
 */
import { useCallback, useEffect } from "react";
import type { Message } from "../api/types";
import { send } from "../app/actions";
import { runtime } from "../app/runtime";
import { useLive } from "../store/live";
import { conversationTitle, useConversations, useTimeline } from "../store/views";
import { Composer } from "./Composer";
import { MessageLog } from "./MessageLog";
import { TypingIndicator } from "./TypingIndicator";

export type Panel = { kind: "thread"; root: Message; replyTo: string } | { kind: "search" } | { kind: "details" } | null;

interface Props {
  panel: Panel;
  onPanel(panel: Panel): void;
  onBack(): void;
  onError(error: unknown): void;
}

export function ConversationView({ panel, onPanel, onBack, onError }: Props) {
  const { conversationId, conversation, members } = useTimeline();
  const summary = useConversations((s) => s.items.find((i) => i.conversation.id === conversationId));
  const viewers = useLive((s) => (conversationId ? s.viewers[conversationId] : undefined));
  const peerOnline = useLive((s) => (summary?.peer ? s.online[summary.peer.id] : false));
  const { engine, me } = runtime();

  useEffect(() => {
    engine.view(conversationId);
  }, [conversationId, engine]);
  useEffect(() => () => engine.view(null), [engine]);

  const onOpenThread = useCallback(
    (message: Message) => {
      const rootId = message.thread_root_id ?? message.id;
      void runtime()
        .store.messageById(rootId)
        .then((root) => onPanel({ kind: "thread", root: root ?? message, replyTo: message.id }));
    },
    [onPanel],
  );

  if (!conversationId || !conversation) {
    return <section className="conversation conversation--empty">Loading…</section>;
  }
  const peer = summary?.peer ?? null;
  const names = new Map(members.map((m) => [m.user.id, m.user.display_name]));
  const title = conversationTitle(conversation, peer);
  const others = (viewers ?? []).filter((v) => v.id !== me.id);
  const canPost = conversation.my_permissions.can_send_messages;

  return (
    <section className="conversation" aria-labelledby="conversation-title">
      <header className="conversation__header">
        <button type="button" className="button button--icon conversation__back" aria-label="Back to conversations" onClick={onBack}>
          <span aria-hidden="true">←</span>
        </button>
        <div className="conversation__heading">
          <h1 id="conversation-title">{title}</h1>
          <p className="conversation__sub">
            {conversation.type === "direct" ? (
              <span>{peerOnline ? "Online" : "Offline"} · </span>
            ) : (
              <span>{conversation.member_count} members · </span>
            )}
            <span>{others.length === 0 ? "No one else is here" : `Here now: ${others.map((o) => names.get(o.id) ?? o.username).join(", ")}`}</span>
          </p>
        </div>
        <button
          type="button"
          className="button"
          aria-pressed={panel?.kind === "search"}
          onClick={() => onPanel(panel?.kind === "search" ? null : { kind: "search" })}
        >
          Search messages
        </button>
        <button
          type="button"
          className="button"
          aria-pressed={panel?.kind === "details"}
          onClick={() => onPanel(panel?.kind === "details" ? null : { kind: "details" })}
        >
          {conversation.type === "direct" ? "Details" : "Members"}
        </button>
      </header>
      <MessageLog onOpenThread={onOpenThread} onError={onError} />
      <TypingIndicator conversationId={conversationId} me={me.id} names={names} />
      <Composer
        members={members}
        me={me.id}
        disabled={!canPost}
        disabledReason={conversation.type === "channel" ? "Only admins post in this channel" : "You cannot post here"}
        placeholder={`Message ${title}`}
        attachments
        onSend={(text, files) => void send(conversationId, text, null, files).catch(onError)}
        onTyping={() => engine.typing(conversationId)}
      />
    </section>
  );
}
