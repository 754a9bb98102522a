/** A small status for the event stream: "Live" while connected, "Reconnecting…" (polling every 10 s) otherwise. */
import { Badge, Tooltip } from '@mantine/core';
import type { LiveState } from './live.ts';

const LABEL: Record<LiveState, { text: string; color: string; hint: string }> = {
  live: { text: 'Live', color: 'green', hint: 'Status updates arrive as they happen' },
  connecting: { text: 'Connecting…', color: 'gray', hint: 'Connecting to the event stream; refreshing every 10 s meanwhile' },
  reconnecting: { text: 'Reconnecting…', color: 'yellow', hint: 'The event stream is down; refreshing every 10 s until it is back' },
  unsupported: { text: 'Polling', color: 'gray', hint: 'Refreshing every 10 s' },
};

export function LiveIndicator({ state }: { state: LiveState }) {
  const l = LABEL[state];
  return (
    <Tooltip label={l.hint}>
      <Badge color={l.color} variant="dot" role="status" aria-live="polite">
        {l.text}
      </Badge>
    </Tooltip>
  );
}
