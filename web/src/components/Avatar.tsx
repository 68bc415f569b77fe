import { initials } from "../format";

/** Initials in a coloured circle; decorative, so hidden from screen readers. */
export function Avatar({ name, online, small }: { name: string; online?: boolean; small?: boolean }) {
  let hue = 0;
  for (const char of name) hue = (hue * 31 + char.charCodeAt(0)) % 360;
  return (
    <span className={`avatar${small ? " avatar--small" : ""}`} data-hue={hue % 12} aria-hidden="true">
      {initials(name)}
      {online && <span className="avatar__online" />}
    </span>
  );
}
