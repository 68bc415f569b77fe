/**
 * The "Account" button and its menu (ARIA menu pattern: arrow keys move, Escape closes and
 * returns focus): profile and privacy settings, and "Sign out".
 */
import { useEffect, useRef, useState } from "react";
import { signOut, useSession } from "../app/runtime";
import { Avatar } from "./Avatar";

export function AccountMenu({ onSettings }: { onSettings(): void }) {
  const me = useSession((s) => s.me);
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    menu.current?.querySelector<HTMLElement>("[role=menuitem]")?.focus();
    const close = (e: MouseEvent) => {
      if (!menu.current?.contains(e.target as Node) && e.target !== button.current) setOpen(false);
    };
    document.addEventListener("mousedown", close);
    return () => document.removeEventListener("mousedown", close);
  }, [open]);

  const onKeyDown = (e: React.KeyboardEvent) => {
    const items = [...(menu.current?.querySelectorAll<HTMLElement>("[role=menuitem]") ?? [])];
    const index = items.indexOf(document.activeElement as HTMLElement);
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      const step = e.key === "ArrowDown" ? 1 : -1;
      items[(index + step + items.length) % items.length]?.focus();
    } else if (e.key === "Escape") {
      setOpen(false);
      button.current?.focus();
    }
  };

  return (
    <div className="account">
      <button
        ref={button}
        type="button"
        className="account__button"
        aria-label="Account"
        aria-haspopup="menu"
        aria-expanded={open}
        onClick={() => setOpen((o) => !o)}
      >
        <Avatar name={me?.display_name ?? "?"} url={me?.avatar_url} small />
        <span className="account__name" aria-hidden="true">
          {me?.display_name}
        </span>
      </button>
      {open && (
        <div ref={menu} className="menu" role="menu" aria-label="Account menu" onKeyDown={onKeyDown}>
          <p className="menu__who" role="none">
            Signed in as <strong>@{me?.username}</strong>
          </p>
          <button
            type="button"
            role="menuitem"
            className="menu__item"
            onClick={() => {
              setOpen(false);
              onSettings();
            }}
          >
            Profile and privacy
          </button>
          <button type="button" role="menuitem" className="menu__item" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      )}
    </div>
  );
}
