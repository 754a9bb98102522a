/**
 * Sync, health and phase badges with Argo CD's colours. The state is always
 * in the text (colour is never the only signal). Filled dark shades with
 * white text, or light yellow/orange with black text, pass WCAG AA in both
 * colour schemes (as the shell's StatusBadge does).
 */
import { Badge } from '@mantine/core';
import type { ReactNode } from 'react';

const HEALTH_COLOURS: Record<string, string> = {
  Healthy: 'green',
  Progressing: 'blue',
  Degraded: 'red',
  Suspended: 'grape',
  Missing: 'yellow',
  Unknown: 'gray',
};
const SYNC_COLOURS: Record<string, string> = { Synced: 'green', OutOfSync: 'orange', Unknown: 'gray' };
const PHASE_COLOURS: Record<string, string> = {
  Succeeded: 'green',
  Running: 'blue',
  Terminating: 'blue',
  Pending: 'gray',
  Failed: 'red',
  Error: 'red',
  Synced: 'green',
  SyncFailed: 'red',
  Pruned: 'gray',
  PruneSkipped: 'yellow',
  queued: 'gray',
  running: 'blue',
  succeeded: 'green',
  failed: 'red',
  cancelled: 'yellow',
};

function shade(color: string): string {
  if (color === 'yellow' || color === 'orange') return `${color}.4`;
  // green.9 with white is 4.36:1, just under AA at badge size; teal.9 passes.
  if (color === 'green') return 'teal.9';
  return color === 'gray' ? 'gray.7' : `${color}.9`;
}

/** A badge in one of the contrast-safe tones. */
export function Tone({ color, children, title }: { color: string; children: ReactNode; title?: string | undefined }) {
  return (
    <Badge color={shade(color)} variant="filled" autoContrast radius="sm" title={title}>
      {children}
    </Badge>
  );
}

export function HealthBadge({ status, message }: { status: string | undefined; message?: string | undefined }) {
  const s = status ?? 'Unknown';
  return (
    <Tone color={HEALTH_COLOURS[s] ?? 'gray'} title={message}>
      {s}
    </Tone>
  );
}

export function SyncBadge({ status }: { status: string | undefined }) {
  const s = status ?? 'Unknown';
  return <Tone color={SYNC_COLOURS[s] ?? 'gray'}>{s}</Tone>;
}

export function PhaseBadge({ phase }: { phase: string }) {
  return <Tone color={PHASE_COLOURS[phase] ?? 'gray'}>{phase}</Tone>;
}
