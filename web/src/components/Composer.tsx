/**
 * The message field and its Send button. Enter sends, Shift+Enter is a new line. Typing
 * `@` offers the conversation's members (arrow keys choose, Enter or Tab inserts, Escape
 * closes). While the user types, the server hears `user_typing` at most every 2 s. Where
 * files may be attached, **Attach files** (or dropping or pasting files) uploads them at once
 * with a progress bar each; the message goes once they are stored, and may then have no text.
 */
import { useId, useMemo, useRef, useState } from "react";
import type { Media, Member } from "../api/types";
import { useUploads } from "./useUploads";

interface Props {
  members: Member[];
  me: string;
  disabled?: boolean;
  disabledReason?: string;
  placeholder?: string;
  label?: string;
  sendLabel?: string;
  /** Whether files may be attached. */
  attachments?: boolean;
  onSend(text: string, files: Media[]): void;
  onTyping?(): void;
}

const MENTION = /(^|[^a-z0-9_.-])@([a-z0-9_.-]*)$/i;

export function Composer({ members, me, disabled, disabledReason, placeholder, label = "Message", sendLabel = "Send", attachments = false, onSend, onTyping }: Props) {
  const files = useUploads();
  const [text, setText] = useState("");
  const [caret, setCaret] = useState(0);
  const [choice, setChoice] = useState(0);
  const [dismissed, setDismissed] = useState<string | null>(null);
  const field = useRef<HTMLTextAreaElement>(null);
  const lastTyping = useRef(0);
  const listId = useId();

  const query = MENTION.exec(text.slice(0, caret))?.[2];
  const suggestions = useMemo(() => {
    if (query === undefined || query === dismissed) return [];
    const q = query.toLowerCase();
    return members
      .filter((m) => m.user.id !== me)
      .filter((m) => m.user.username.startsWith(q) || m.user.display_name.toLowerCase().startsWith(q))
      .slice(0, 6);
  }, [query, dismissed, members, me]);
  const open = suggestions.length > 0;

  const insert = (member: Member) => {
    const before = text.slice(0, caret).replace(/@([a-z0-9_.-]*)$/i, `@${member.user.username} `);
    const next = before + text.slice(caret);
    setText(next);
    setCaret(before.length);
    requestAnimationFrame(() => field.current?.setSelectionRange(before.length, before.length));
  };

  const canSend = !disabled && !files.busy && (text.trim() !== "" || files.ready.length > 0);

  const submit = () => {
    const trimmed = text.trim();
    if (!canSend) return;
    onSend(trimmed, files.ready);
    files.clear();
    // Sending ends the server's typing indicator: the next keystroke may announce again.
    lastTyping.current = 0;
    setText("");
    setCaret(0);
  };

  const onKeyDown = (event: React.KeyboardEvent<HTMLTextAreaElement>) => {
    if (open) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        const step = event.key === "ArrowDown" ? 1 : -1;
        setChoice((c) => (c + step + suggestions.length) % suggestions.length);
        return;
      }
      if (event.key === "Enter" || event.key === "Tab") {
        event.preventDefault();
        insert(suggestions[Math.min(choice, suggestions.length - 1)]!);
        return;
      }
      if (event.key === "Escape") {
        event.preventDefault();
        setDismissed(query ?? null);
        return;
      }
    }
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      submit();
    }
  };

  return (
    <form
      className="composer"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
      onDragOver={(e) => {
        if (attachments && !disabled && e.dataTransfer.types.includes("Files")) e.preventDefault();
      }}
      onDrop={(e) => {
        if (!attachments || disabled || e.dataTransfer.files.length === 0) return;
        e.preventDefault();
        files.add([...e.dataTransfer.files]);
      }}
    >
      {attachments && files.uploads.length > 0 && (
        <ul className="uploads" aria-label="Attachments">
          {files.uploads.map((u) => (
            <li key={u.key} className="upload">
              <span className="upload__name">{u.name}</span>
              {!u.media && !u.error && <progress aria-label={`Uploading ${u.name}`} max={1} value={u.progress} />}
              {u.error ? <span role="alert">Not uploaded: {u.error instanceof Error ? u.error.message : String(u.error)}</span> : null}
              <button type="button" className="upload__remove" aria-label={`Remove ${u.name}`} onClick={() => files.remove(u.key)}>
                <span aria-hidden="true">×</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {open && (
        <ul className="mentions" role="listbox" id={listId} aria-label="Mention someone">
          {suggestions.map((m, i) => (
            <li
              key={m.user.id}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={i === choice}
              className="mentions__option"
              onMouseDown={(e) => {
                e.preventDefault();
                insert(m);
              }}
            >
              {m.user.display_name} <span className="muted">@{m.user.username}</span>
            </li>
          ))}
        </ul>
      )}
      <textarea
        ref={field}
        className="composer__field"
        aria-label={label}
        placeholder={disabled ? disabledReason : placeholder}
        rows={1}
        value={text}
        disabled={disabled}
        aria-controls={open ? listId : undefined}
        aria-activedescendant={open ? `${listId}-${choice}` : undefined}
        aria-autocomplete="list"
        onChange={(e) => {
          setText(e.target.value);
          setCaret(e.target.selectionStart);
          setChoice(0);
          const now = Date.now();
          if (onTyping && e.target.value && now - lastTyping.current > 2000) {
            lastTyping.current = now;
            onTyping();
          }
        }}
        onSelect={(e) => setCaret(e.currentTarget.selectionStart)}
        onKeyDown={onKeyDown}
        onPaste={(e) => {
          if (!attachments || e.clipboardData.files.length === 0) return;
          e.preventDefault();
          files.add([...e.clipboardData.files]);
        }}
      />
      {attachments && (
        <label className="button composer__attach" title="Attach files">
          <input
            type="file"
            multiple
            className="visually-hidden"
            aria-label="Attach files"
            disabled={disabled}
            onChange={(e) => {
              files.add([...(e.currentTarget.files ?? [])]);
              e.currentTarget.value = "";
            }}
          />
          <span aria-hidden="true">📎</span>
        </label>
      )}
      <button type="submit" className="button button--primary" disabled={!canSend}>
        {sendLabel}
      </button>
    </form>
  );
}
