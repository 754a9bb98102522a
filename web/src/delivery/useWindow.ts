/**
 * Windowing for long lists of fixed-height rows: only the rows in view (plus
 * an overscan) are rendered, so a 1,500-node resource tree costs the same as
 * a 50-node one. Small enough not to need a library.
 */
import { type UIEvent, useCallback, useState } from 'react';

export interface RowWindow {
  start: number;
  end: number;
  /** Height of the whole list, for the spacer. */
  total: number;
  /** Offset of the first rendered row. */
  offset: number;
  onScroll: (e: UIEvent<HTMLElement>) => void;
  /** Re-reads the container's scroll position now (after scrolling it from code), so the rows follow in the same render. */
  sync: (container: HTMLElement | null) => void;
}

export function useRowWindow(count: number, rowHeight: number, viewport: number, overscan = 12): RowWindow {
  const [top, setTop] = useState(0);
  const onScroll = useCallback((e: UIEvent<HTMLElement>) => setTop(e.currentTarget.scrollTop), []);
  const start = Math.max(0, Math.floor(top / rowHeight) - overscan);
  const end = Math.min(count, Math.ceil((top + viewport) / rowHeight) + overscan);
  const sync = useCallback((container: HTMLElement | null) => {
    if (container) setTop(container.scrollTop);
  }, []);
  return { start, end, total: count * rowHeight, offset: start * rowHeight, onScroll, sync };
}

/** Scrolls `container` the least needed for row `index` to be in view. */
export function scrollRowIntoView(container: HTMLElement | null, index: number, rowHeight: number): void {
  if (!container) return;
  const top = index * rowHeight;
  if (top < container.scrollTop) container.scrollTop = top;
  else if (top + rowHeight > container.scrollTop + container.clientHeight) container.scrollTop = top + rowHeight - container.clientHeight;
}
