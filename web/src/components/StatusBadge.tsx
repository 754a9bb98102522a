/** A coloured badge for a status word (sync, health, job state, enabled/disabled …); text always says it. */
import { Badge } from '@mantine/core';

const COLORS: Record<string, string> = {
  synced: 'teal',
  healthy: 'teal',
  succeeded: 'teal',
  success: 'teal',
  enabled: 'teal',
  active: 'teal',
  public: 'blue',
  private: 'gray',
  outofsync: 'yellow',
  progressing: 'blue',
  running: 'blue',
  pending: 'gray',
  queued: 'gray',
  suspended: 'gray',
  unknown: 'gray',
  missing: 'yellow',
  degraded: 'red',
  failed: 'red',
  failure: 'red',
  error: 'red',
  disabled: 'red',
  expired: 'red',
  expiring: 'orange',
};

export function StatusBadge({ status, label }: { status: string; label?: string }) {
  const color = COLORS[status.toLowerCase().replace(/[\s_-]/g, '')] ?? 'gray';
  return (
    <Badge color={color} variant="light" radius="sm">
      {label ?? status}
    </Badge>
  );
}
