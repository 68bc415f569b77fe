/**
 * Message search: this conversation or all of them. Results come from the server (the index
 * is there) as snippets whose matched words are highlighted; choosing one opens its
 * conversation scrolled to the message.
 */
import { useEffect, useState } from "react";
import type { SearchResult } from "../api/types";
import { navigate } from "../app/router";
import { runtime } from "../app/runtime";
import { shortTime } from "../format";
import { useConversations } from "../store/views";
import { ErrorText } from "./ErrorText";

interface Props {
  conversationId: string | null;
  onClose(): void;
}

export function SearchPanel({ conversationId, onClose }: Props) {
  const [query, setQuery] = useState("");
  const [scope, setScope] = useState<"here" | "all">(conversationId ? "here" : "all");
  const [results, setResults] = useState<SearchResult[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const titles = useConversations((s) => s.items);

  useEffect(() => {
    const q = query.trim();
    if (!q) {
      setResults(null);
      return;
    }
    let current = true;
    const timer = setTimeout(() => {
      runtime()
        .api.search(q, scope === "here" && conversationId ? conversationId : undefined)
        .then((r) => current && (setResults(r.results), setError(null)))
        .catch((e: unknown) => current && setError(e));
    }, 200);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [query, scope, conversationId]);

  const jump = async (result: SearchResult) => {
    const { message } = result;
    const { views, store, engine } = runtime();
    await store.putLoose(message.conversation_id, [message]);
    if (!(await store.conversation(message.conversation_id))) await engine.adopt(message.conversation_id);
    navigate(`/c/${message.conversation_id}`);
    await views.reveal(message.conversation_id, message.seq, message.id);
  };

  return (
    <aside className="panel" aria-label="Message search">
      <header className="panel__header">
        <h2>Search</h2>
        <button type="button" className="button button--icon" aria-label="Close search" onClick={onClose}>
          <span aria-hidden="true">✕</span>
        </button>
      </header>
      <form className="stack" role="search" onSubmit={(e) => e.preventDefault()}>
        <label className="field">
          <span>Search</span>
          <input type="search" value={query} onChange={(e) => setQuery(e.target.value)} autoFocus />
        </label>
        {conversationId && (
          <fieldset className="scope">
            <legend className="visually-hidden">Where to search</legend>
            <label className="check">
              <input type="radio" name="scope" checked={scope === "here"} onChange={() => setScope("here")} />
              <span>This conversation</span>
            </label>
            <label className="check">
              <input type="radio" name="scope" checked={scope === "all"} onChange={() => setScope("all")} />
              <span>All conversations</span>
            </label>
          </fieldset>
        )}
      </form>
      <ErrorText error={error} />
      <ul className="results" aria-label="Search results">
        {results?.map((result) => (
          <li key={result.message.id}>
            <button type="button" className="result" onClick={() => void jump(result).catch(setError)}>
              <span className="result__where muted">
                {titles.find((t) => t.conversation.id === result.message.conversation_id)?.title ?? "Conversation"} ·{" "}
                {shortTime(result.message.created_at)}
              </span>
              <span className="result__snippet">
                {result.snippet.map((part, i) => (part.highlight ? <mark key={i}>{part.text}</mark> : <span key={i}>{part.text}</span>))}
              </span>
            </button>
          </li>
        ))}
        {results?.length === 0 && <li className="muted">No messages found.</li>}
      </ul>
    </aside>
  );
}
