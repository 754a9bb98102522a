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

/**
 * Filled badges in dark shades (9; gray 7) with white text, or light yellow/orange with black
 * text: each pair passes WCAG AA contrast (axe-core) in both colour schemes, which Mantine's
 * light variant does not at badge size.
 */
function shade(color: string): string {
  if (color === 'yellow' || color === 'orange') return `${color}.4`;
  return color === 'gray' ? 'gray.7' : `${color}.9`;
}

export function StatusBadge({ status, label }: { status: string; label?: string }) {
  const color = COLORS[status.toLowerCase().replace(/[\s_-]/g, '')] ?? 'gray';
  return (
    <Badge color={shade(color)} variant="filled" autoContrast radius="sm">
      {label ?? status}
    </Badge>
  );
}
