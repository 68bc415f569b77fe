/** A small grid of reactions; arrow keys move, Enter picks, Escape closes. */
import { useEffect, useRef } from "react";

export const EMOJI = ["👍", "❤️", "😂", "🎉", "😮", "😢", "🙏", "👀", "🔥", "✅", "👏", "🚀", "🤔", "😍", "🙌", "💯"];

interface Props {
  onPick(emoji: string): void;
  onClose(): void;
}

export function EmojiPicker({ onPick, onClose }: Props) {
  const grid = useRef<HTMLDivElement>(null);
  useEffect(() => {
    grid.current?.querySelector("button")?.focus();
  }, []);

  const onKeyDown = (event: React.KeyboardEvent) => {
    const buttons = [...(grid.current?.querySelectorAll("button") ?? [])];
    const index = buttons.indexOf(document.activeElement as HTMLButtonElement);
    const move = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: 4, ArrowUp: -4 }[event.key];
    if (move !== undefined && index >= 0) {
      event.preventDefault();
      buttons[(index + move + buttons.length) % buttons.length]?.focus();
    } else if (event.key === "Escape") {
      event.stopPropagation();
      onClose();
    }
  };

  return (
    <div className="emoji-picker" role="dialog" aria-label="Pick a reaction" ref={grid} onKeyDown={onKeyDown}>
      {EMOJI.map((emoji) => (
        <button key={emoji} type="button" className="emoji-picker__item" aria-label={`React ${emoji}`} onClick={() => onPick(emoji)}>
          {emoji}
        </button>
      ))}
    </div>
  );
}
