import { initials } from "../format";

/**
 * A person's or conversation's picture: their profile picture when they have one, else
 * initials in a coloured circle. Decorative (the name is always next to it), so hidden from
 * screen readers; a picture that fails to load falls back to the initials.
 */
export function Avatar({ name, url, online, small }: { name: string; url?: string | null; online?: boolean; small?: boolean }) {
  let hue = 0;
  for (const char of name) hue = (hue * 31 + char.charCodeAt(0)) % 360;
  return (
    <span className={`avatar${small ? " avatar--small" : ""}`} data-hue={hue % 12} aria-hidden="true">
      {initials(name)}
      {url && <img className="avatar__picture" src={url} alt="" loading="lazy" decoding="async" onError={(e) => e.currentTarget.remove()} />}
      {online && <span className="avatar__online" />}
    </span>
  );
}
