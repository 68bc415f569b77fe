/**
 * A thread: its root message and its replies (from the local store, after loading them from
 * the server into it), with a composer whose sends answer the chosen message.
 */
import { useCallback, useEffect, useMemo, useState } from "react";
import type { Message } from "../api/types";
import { loadThread, retrySend, send } from "../app/actions";
import { runtime } from "../app/runtime";
import type { StoreChange } from "../store/local";
import { useTimeline } from "../store/views";
import { Composer } from "./Composer";
import { deliveryOf, MessageItem } from "./MessageItem";

interface Props {
  root: Message;
  replyTo: string;
  onClose(): void;
  onError(error: unknown): void;
}

export function ThreadPanel({ root, replyTo, onClose, onError }: Props) {
  const { store, me } = runtime();
  const { members, outbox, conversation } = useTimeline();
  const [current, setCurrent] = useState<Message>(root);
  const [replies, setReplies] = useState<Message[]>([]);
  const cid = root.conversation_id;

  const read = useCallback(async () => {
    const [fresh, list] = await Promise.all([store.messageById(root.id), store.threadReplies(cid, root.id)]);
    if (fresh) setCurrent(fresh);
    setReplies(list);
  }, [store, cid, root.id]);

  useEffect(() => {
    void read();
    void loadThread(cid, root.id).catch(() => undefined);
    return store.subscribe((change: StoreChange) => {
      if (change.kind === "messages" && change.conversationId === cid) void read();
    });
  }, [store, cid, root.id, read]);

  const names = useMemo(() => new Map(members.map((m) => [m.user.id, m.user.display_name])), [members]);
  const pictures = useMemo(() => new Map(members.map((m) => [m.user.id, m.user.avatar_url])), [members]);
  const usernames = useMemo(() => new Set(members.map((m) => m.user.username)), [members]);
  const ids = new Set([root.id, ...replies.map((r) => r.id)]);
  const pending = outbox.filter((e) => e.reply_to && ids.has(e.reply_to));
  const item = (m: Message) => (
    <MessageItem
      key={m.id}
      message={m}
      senderName={names.get(m.sender_id) ?? "Someone"}
      senderAvatar={pictures.get(m.sender_id)}
      mine={m.sender_id === me.id}
      delivery={m.sender_id === me.id ? deliveryOf(m, members, me.id) : undefined}
      canDelete={m.sender_id === me.id || (conversation?.my_permissions.can_delete_messages ?? false)}
      usernames={usernames}
      onError={onError}
    />
  );

  return (
    <aside className="panel" aria-label="Thread">
      <header className="panel__header">
        <h2>Thread</h2>
        <button type="button" className="button button--icon" aria-label="Close thread" onClick={onClose}>
          <span aria-hidden="true">✕</span>
        </button>
      </header>
      <div className="thread" role="log" aria-label="Thread messages">
        {item(current)}
        <p className="thread__count muted">
          {replies.length} {replies.length === 1 ? "reply" : "replies"}
        </p>
        {replies.map(item)}
        {pending.map((e) => (
          <article key={e.client_message_id} className="message message--mine">
            <div className="message__body">
              <p className="message__text">{e.content}</p>
              {e.state === "pending" ? (
                <span className="message__status">Sending</span>
              ) : (
                <span className="message__status message__status--failed">
                  Not sent{" "}
                  <button type="button" className="button button--small" onClick={() => void retrySend(e.client_message_id)}>
                    Retry
                  </button>
                </span>
              )}
            </div>
          </article>
        ))}
      </div>
      <Composer
        members={members}
        me={me.id}
        label="Reply"
        sendLabel="Send reply"
        placeholder="Reply in thread"
        disabled={!(conversation?.my_permissions.can_send_messages ?? true)}
        onSend={(text) => void send(cid, text, replyTo).catch(onError)}
      />
    </aside>
  );
}
