/**
 * The message field and its Send button. Enter sends, Shift+Enter is a new line. Typing
 * `@` offers the conversation's members (arrow keys choose, Enter or Tab inserts, Escape
 * closes). While the user types, the server hears `user_typing` at most every 2 s.
 */
import { useId, useMemo, useRef, useState } from "react";
import type { Member } from "../api/types";

interface Props {
  members: Member[];
  me: string;
  disabled?: boolean;
  disabledReason?: string;
  placeholder?: string;
  label?: string;
  sendLabel?: string;
  onSend(text: string): void;
  onTyping?(): void;
}

const MENTION = /(^|[^a-z0-9_.-])@([a-z0-9_.-]*)$/i;

export function Composer({ members, me, disabled, disabledReason, placeholder, label = "Message", sendLabel = "Send", onSend, onTyping }: Props) {
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

  const submit = () => {
    const trimmed = text.trim();
    if (!trimmed || disabled) return;
    onSend(trimmed);
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
    >
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
      />
      <button type="submit" className="button button--primary" disabled={disabled || !text.trim()}>
        {sendLabel}
      </button>
    </form>
  );
}
