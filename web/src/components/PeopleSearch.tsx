/**
 * The "Find people" search field and its results, each a button named by the person's
 * display name. Searching needs the server (the local store holds only people the user
 * already shares a conversation with). A whole e-mail address finds the one person with
 * exactly that address (the server never matches part of one).
 */
import { useEffect, useState } from "react";
import type { User } from "../api/types";
import { runtime } from "../app/runtime";
import { ErrorText } from "./ErrorText";

interface Props {
  onChoose(user: User): void;
  /** Marks chosen people (for a group's member list). */
  chosen?: ReadonlySet<string>;
}

/** A whole address, so that typing one does not spend look-ups on its beginnings. */
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]{2,}$/;

export function PeopleSearch({ onChoose, chosen }: Props) {
  const [query, setQuery] = useState("");
  const [results, setResults] = useState<User[]>([]);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    const q = query.trim();
    if (!q) {
      setResults([]);
      return;
    }
    if (q.includes("@") && !EMAIL.test(q)) {
      setResults([]);
      return;
    }
    let current = true;
    const { api } = runtime();
    const byEmail = EMAIL.test(q);
    const timer = setTimeout(
      () => {
        (byEmail ? api.findByEmail(q) : api.searchUsers(q))
          .then((users) => current && (setResults(users), setError(null)))
          .catch((e: unknown) => current && setError(e));
      },
      byEmail ? 600 : 150,
    );
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [query]);

  return (
    <div className="people-search">
      <label className="field">
        <span>Find people</span>
        <input type="search" value={query} onChange={(e) => setQuery(e.target.value)} autoComplete="off" autoFocus />
      </label>
      <ErrorText error={error} />
      <ul className="people-search__results" aria-label="People">
        {results.map((u) => (
          <li key={u.id}>
            <button
              type="button"
              className="person"
              aria-label={u.display_name}
              aria-pressed={chosen ? chosen.has(u.id) : undefined}
              onClick={() => onChoose(u)}
            >
              <span className="person__name">{u.display_name}</span> <span className="muted">@{u.username}</span>
            </button>
          </li>
        ))}
        {query.trim() && results.length === 0 && !error && <li className="muted">No one found.</li>}
      </ul>
    </div>
  );
}
