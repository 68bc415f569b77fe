/**
 * A vertical list that renders only the rows near the viewport, for timelines of any
 * length. Rows have their own heights: each is measured once rendered (ResizeObserver) and
 * estimated until then.
 *
 * It behaves like a chat log: it starts at the bottom and stays there while new rows arrive
 * (unless the user scrolled up); when rows are added above (older history) or a row above
 * the viewport changes height, the row at the top of the viewport stays where it was on
 * screen, so nothing jumps. Reaching the top calls `onReachTop` to page in older rows.
 */
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type ReactNode } from "react";

interface Props<T> {
  items: readonly T[];
  keyOf(item: T): string;
  render(item: T): ReactNode;
  /** Height of a row not yet measured, in px. */
  estimate?: number;
  onReachTop?(): void;
  /** A row to bring into view (once per change of value). */
  focusKey?: string | null;
  className?: string;
  label: string;
  role?: string;
  footer?: ReactNode;
}

const OVERSCAN = 600;

export function VirtualList<T>({ items, keyOf, render, estimate = 72, onReachTop, focusKey, className, label, role, footer }: Props<T>) {
  const scroller = useRef<HTMLDivElement>(null);
  const heights = useRef(new Map<string, number>());
  const [measured, setMeasured] = useState(0);
  const [view, setView] = useState({ top: 0, height: 800 });
  const stick = useRef(true);
  const anchor = useRef<{ key: string; delta: number } | null>(null);
  const observed = useRef(new Map<Element, string>());

  const keys = useMemo(() => items.map(keyOf), [items, keyOf]);
  const offsets = useMemo(() => {
    const result = new Float64Array(keys.length + 1);
    for (let i = 0; i < keys.length; i += 1) {
      result[i + 1] = result[i]! + (heights.current.get(keys[i]!) ?? estimate);
    }
    return result;
    // `measured` changes when a row's height does.
  }, [keys, estimate, measured]);
  const total = offsets[keys.length] ?? 0;

  const indexAt = useCallback(
    (y: number) => {
      let lo = 0;
      let hi = keys.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (offsets[mid + 1]! <= y) lo = mid + 1;
        else hi = mid;
      }
      return Math.min(lo, Math.max(0, keys.length - 1));
    },
    [keys.length, offsets],
  );

  const start = indexAt(Math.max(0, view.top - OVERSCAN));
  const end = Math.min(keys.length, indexAt(view.top + view.height + OVERSCAN) + 1);

  const resizeObserver = useMemo(
    () =>
      new ResizeObserver((entries) => {
        let changed = false;
        for (const entry of entries) {
          const key = observed.current.get(entry.target);
          if (!key) continue;
          const height = Math.ceil(entry.borderBoxSize[0]?.blockSize ?? entry.contentRect.height);
          if (height > 0 && heights.current.get(key) !== height) {
            heights.current.set(key, height);
            changed = true;
          }
        }
        if (changed) setMeasured((n) => n + 1);
      }),
    [],
  );
  useEffect(() => () => resizeObserver.disconnect(), [resizeObserver]);

  // One stable ref callback per row key, so re-renders do not re-observe every row.
  const refs = useRef(new Map<string, (element: HTMLDivElement | null) => () => void>());
  const rowRef = (key: string) => {
    let ref = refs.current.get(key);
    if (!ref) {
      ref = (element) => {
        if (element) {
          observed.current.set(element, key);
          resizeObserver.observe(element);
        }
        return () => {
          refs.current.delete(key);
          if (!element) return;
          observed.current.delete(element);
          resizeObserver.unobserve(element);
        };
      };
      refs.current.set(key, ref);
    }
    return ref;
  };

  const rememberAnchor = useCallback(() => {
    const element = scroller.current;
    if (!element || keys.length === 0) return;
    const index = indexAt(element.scrollTop);
    anchor.current = { key: keys[index]!, delta: offsets[index]! - element.scrollTop };
  }, [indexAt, keys, offsets]);

  const onScroll = () => {
    const element = scroller.current;
    if (!element) return;
    stick.current = element.scrollHeight - element.scrollTop - element.clientHeight < 40;
    rememberAnchor();
    setView({ top: element.scrollTop, height: element.clientHeight });
    if (element.scrollTop < 400) onReachTop?.();
  };

  // After every layout change (new rows, new heights): keep the bottom in view, or keep the
  // anchor row still. Runs on layout inputs only, not on scroll, which it would fight.
  useLayoutEffect(() => {
    const element = scroller.current;
    if (!element) return;
    if (stick.current) {
      element.scrollTop = element.scrollHeight;
    } else if (anchor.current) {
      const index = keys.indexOf(anchor.current.key);
      if (index >= 0) element.scrollTop = offsets[index]! - anchor.current.delta;
    }
    if (element.scrollTop !== view.top || element.clientHeight !== view.height) {
      setView({ top: element.scrollTop, height: element.clientHeight });
    }
  }, [offsets, total]);

  useEffect(() => {
    const element = scroller.current;
    if (!element) return;
    const observer = new ResizeObserver(() => setView({ top: element.scrollTop, height: element.clientHeight }));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  // A short list does not fill the viewport: there is nothing to scroll, so ask for more.
  useEffect(() => {
    if (total < view.height && keys.length > 0) onReachTop?.();
  }, [total, view.height, keys.length, onReachTop]);

  // Bring the focused row into view when it is chosen, and again once it has been paged in.
  const focusIndex = focusKey ? keys.indexOf(focusKey) : -1;
  useEffect(() => {
    if (!focusKey) return;
    const index = keys.indexOf(focusKey);
    const element = scroller.current;
    if (index < 0 || !element) return;
    stick.current = false;
    element.scrollTop = Math.max(0, offsets[index]! - element.clientHeight / 3);
    rememberAnchor();
    setView({ top: element.scrollTop, height: element.clientHeight });
  }, [focusKey, focusIndex >= 0]);

  const rows: ReactNode[] = [];
  for (let i = start; i < end; i += 1) {
    const item = items[i]!;
    const key = keys[i]!;
    rows.push(
      <div key={key} ref={rowRef(key)} className="vlist-row">
        {render(item)}
      </div>,
    );
  }

  return (
    <div ref={scroller} className={className} role={role} aria-label={label} tabIndex={0} onScroll={onScroll}>
      <div style={{ height: offsets[start] }} aria-hidden="true" />
      {rows}
      <div style={{ height: total - (offsets[end] ?? total) }} aria-hidden="true" />
      {footer}
    </div>
  );
}
