/**
 * Sync and health badges with Argo CD's colours. The state is always in the
 * text (colour is never the only signal), so screen readers and colour-blind
 * users get it too.
 */
import { Badge } from '@mantine/core';

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

export function HealthBadge({ status, message }: { status: string | undefined; message?: string | undefined }) {
  const s = status ?? 'Unknown';
  return (
    <Badge color={HEALTH_COLOURS[s] ?? 'gray'} variant="light" title={message}>
      {s}
    </Badge>
  );
}

export function SyncBadge({ status }: { status: string | undefined }) {
  const s = status ?? 'Unknown';
  return (
    <Badge color={SYNC_COLOURS[s] ?? 'gray'} variant="outline">
      {s}
    </Badge>
  );
}

export function PhaseBadge({ phase }: { phase: string }) {
  return (
    <Badge color={PHASE_COLOURS[phase] ?? 'gray'} variant="light">
      {phase}
    </Badge>
  );
}
