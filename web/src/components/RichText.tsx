/**
 * A message's text as React text nodes: never HTML. Links (http and https only) become
 * anchors that open in a new tab without an opener or a referrer; `@name` of a known user is
 * emphasised. Everything else, markup included, is shown exactly as typed.
 */
import type { ReactNode } from "react";

const TOKEN = /(https?:\/\/[^\s<>"']+)|(@[a-z0-9_.-]{3,32})/gi;
const TRAILING = /[.,;:!?)\]}'"]+$/;

/** The part of `candidate` that is a safe link, or null. */
export function safeHref(candidate: string): string | null {
  try {
    const url = new URL(candidate);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}

interface Props {
  text: string;
  /** Lower-case usernames that mentions may name. */
  usernames?: ReadonlySet<string>;
  /** Search highlighting is done by the snippet, not here. */
}

export function RichText({ text, usernames }: Props) {
  const parts: ReactNode[] = [];
  let last = 0;
  for (const match of text.matchAll(TOKEN)) {
    const index = match.index ?? 0;
    let token = match[0];
    if (match[1]) {
      const trailing = TRAILING.exec(token)?.[0] ?? "";
      token = token.slice(0, token.length - trailing.length);
      const href = safeHref(token);
      if (!href) continue;
      parts.push(text.slice(last, index));
      parts.push(
        <a key={index} href={href} target="_blank" rel="noopener noreferrer">
          {token}
        </a>,
      );
      last = index + token.length;
    } else if (usernames?.has(token.slice(1).toLowerCase().replace(/[.-]+$/, ""))) {
      parts.push(text.slice(last, index));
      parts.push(
        <span key={index} className="mention">
          {token}
        </span>,
      );
      last = index + token.length;
    }
  }
  parts.push(text.slice(last));
  return <>{parts}</>;
}
