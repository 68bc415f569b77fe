/** "bob is typing…", from live typing events, expiring on its own when no repeat comes. */
import { useEffect, useState } from "react";
import { useLive } from "../store/live";

export function TypingIndicator({ conversationId, me, names: displayNames }: { conversationId: string; me: string; names: ReadonlyMap<string, string> }) {
  const typists = useLive((s) => s.typing[conversationId]);
  const [now, setNow] = useState(Date.now());
  const names = Object.entries(typists ?? {})
    .filter(([id, t]) => id !== me && t.until > now)
    .map(([id, t]) => displayNames.get(id) ?? t.username);
  useEffect(() => {
    if (names.length === 0) return;
    const timer = setTimeout(() => setNow(Date.now()), 1000);
    return () => clearTimeout(timer);
  });
  useEffect(() => setNow(Date.now()), [typists]);
  const text =
    names.length === 0 ? "" : names.length === 1 ? `${names[0]} is typing…` : `${names.slice(0, -1).join(", ")} and ${names.at(-1)} are typing…`;
  return (
    <div className="typing" aria-live="polite">
      {text}
    </div>
  );
}
