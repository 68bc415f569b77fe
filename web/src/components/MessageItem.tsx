/**
 * One message of a timeline or thread as an `article`: sender, time, text, reactions, thread
 * summary, delivery status for the user's own messages, and its actions (react, reply,
 * edit, delete) — reachable by keyboard, shown on hover and on focus.
 */
import { memo, useId, useState } from "react";
import type { Member, Message } from "../api/types";
import { deleteMessage, editMessage, toggleReaction } from "../app/actions";
import { fullTime, shortTime } from "../format";
import { Attachments } from "./Attachments";
import { Avatar } from "./Avatar";
import { EmojiPicker } from "./EmojiPicker";
import { RichText } from "./RichText";

export type Delivery = "sent" | "delivered" | "read";

interface Props {
  message: Message;
  senderName: string;
  /** The sender's profile picture, if they have one. */
  senderAvatar?: string | null;
  mine: boolean;
  delivery?: Delivery;
  canDelete: boolean;
  usernames: ReadonlySet<string>;
  highlighted?: boolean;
  onOpenThread?(message: Message): void;
  onError(error: unknown): void;
}

const DELIVERY_TEXT: Record<Delivery, string> = { sent: "Sent", delivered: "Delivered", read: "Read" };

/** The status of one of my messages from the other members' markers (and the server's). */
export function deliveryOf(message: Message, members: Member[], me: string): Delivery {
  const others = members.filter((m) => m.user.id !== me);
  const rank = { sent: 0, delivered: 1, read: 2 } as const;
  let computed: Delivery = "sent";
  if (others.length > 0 && others.every((m) => (m.last_read_seq ?? 0) >= message.seq)) computed = "read";
  else if (others.length > 0 && others.every((m) => (m.last_delivered_seq ?? 0) >= message.seq)) computed = "delivered";
  const server = (message.status ?? "sent") as Delivery;
  return rank[server] > rank[computed] ? server : computed;
}

function MessageItemView({ message, senderName, senderAvatar, mine, delivery, canDelete, usernames, highlighted, onOpenThread, onError }: Props) {
  const [picking, setPicking] = useState(false);
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(message.content ?? "");
  const cid = message.conversation_id;
  const id = useId();

  const run = (work: Promise<unknown>) => void work.catch(onError);

  const saveEdit = () => {
    const text = draft.trim();
    setEditing(false);
    // A caption of files may be edited away; a message of text alone needs its text.
    const allowed = text !== "" || (message.attachments?.length ?? 0) > 0;
    if (allowed && text !== message.content) run(editMessage(cid, message.id, text));
  };

  return (
    <article
      className={`message${mine ? " message--mine" : ""}${highlighted ? " message--focus" : ""}`}
      aria-labelledby={`${id}-sender ${id}-text`}
      data-seq={message.seq}
      data-message-id={message.id}
    >
      <Avatar name={senderName} url={senderAvatar} />
      <div className="message__body">
        <header className="message__meta">
          <span className="message__sender" id={`${id}-sender`}>
            {senderName}
          </span>
          <time dateTime={message.created_at} title={fullTime(message.created_at)}>
            {shortTime(message.created_at)}
          </time>
          {message.edited_at && !message.deleted && <span className="message__edited">(edited)</span>}
        </header>
        {message.deleted ? (
          <p className="message__text message__text--deleted" id={`${id}-text`}>This message was deleted.</p>
        ) : editing ? (
          <textarea
            className="message__edit"
            aria-label="Edit message"
            value={draft}
            autoFocus
            onChange={(e) => setDraft(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === "Enter" && !e.shiftKey) {
                e.preventDefault();
                saveEdit();
              } else if (e.key === "Escape") {
                setEditing(false);
                setDraft(message.content ?? "");
              }
            }}
            onBlur={saveEdit}
          />
        ) : (
          <p className="message__text" id={`${id}-text`}>
            <RichText text={message.content ?? ""} usernames={usernames} />
          </p>
        )}
        {!message.deleted && <Attachments files={message.attachments ?? []} />}
        {(message.reactions?.length ?? 0) > 0 && (
          <div className="reactions">
            {message.reactions!.map((r) => (
              <button
                key={r.emoji}
                type="button"
                className={`reaction${r.reacted_by_me ? " reaction--mine" : ""}`}
                aria-pressed={r.reacted_by_me}
                aria-label={`${r.emoji} ${r.count}`}
                onClick={() => run(toggleReaction(message, r.emoji))}
              >
                {r.emoji} {r.count}
              </button>
            ))}
          </div>
        )}
        {message.thread && message.thread.reply_count > 0 && onOpenThread && (
          <button type="button" className="message__thread" onClick={() => onOpenThread(message)}>
            {message.thread.reply_count} {message.thread.reply_count === 1 ? "reply" : "replies"}
          </button>
        )}
        {mine && delivery && !message.deleted && <span className={`message__status message__status--${delivery}`}>{DELIVERY_TEXT[delivery]}</span>}
      </div>
      {!message.deleted && (
        <div className="message__actions">
          <button type="button" aria-label="Add reaction" aria-expanded={picking} onClick={() => setPicking((p) => !p)}>
            <span aria-hidden="true">☺</span>
          </button>
          {onOpenThread && (
            <button type="button" aria-label="Reply in thread" onClick={() => onOpenThread(message)}>
              <span aria-hidden="true">↩</span>
            </button>
          )}
          {mine && (
            <button type="button" aria-label="Edit message" onClick={() => setEditing(true)}>
              <span aria-hidden="true">✎</span>
            </button>
          )}
          {canDelete && (
            <button
              type="button"
              aria-label="Delete message"
              onClick={() => {
                if (window.confirm("Delete this message for everyone?")) run(deleteMessage(cid, message.id));
              }}
            >
              <span aria-hidden="true">🗑</span>
            </button>
          )}
          {picking && (
            <EmojiPicker
              onClose={() => setPicking(false)}
              onPick={(emoji) => {
                setPicking(false);
                run(toggleReaction(message, emoji));
              }}
            />
          )}
        </div>
      )}
    </article>
  );
}

export const MessageItem = memo(MessageItemView);
