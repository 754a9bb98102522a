/**
 * Severity in words and colour: a badge per severity, and a summary (stacked bar plus counts)
 * for lists. Colour never stands alone: every badge says its severity, and the bar is an image
 * whose accessible name lists the counts. Shades as StatusBadge: dark fills with white text,
 * light orange/yellow with black text (each pair passes WCAG AA in both schemes).
 */
import { Badge, Box, Group, Text } from '@mantine/core';
import { SEVERITIES, type ScanSummary, type Severity } from './types.ts';

const COLOR: Record<Severity, string> = {
  Critical: 'red.9',
  High: 'orange.4',
  Medium: 'yellow.4',
  Low: 'blue.9',
  Negligible: 'gray.7',
  Unknown: 'gray.7',
};

/** CSS colours for the bar (Mantine variables, so the dark scheme keeps them). */
const BAR: Record<Severity, string> = {
  Critical: 'var(--mantine-color-red-9)',
  High: 'var(--mantine-color-orange-5)',
  Medium: 'var(--mantine-color-yellow-4)',
  Low: 'var(--mantine-color-blue-7)',
  Negligible: 'var(--mantine-color-gray-5)',
  Unknown: 'var(--mantine-color-gray-6)',
};

export function SeverityBadge({ severity, count }: { severity: Severity; count?: number }) {
  return (
    <Badge color={COLOR[severity] ?? 'gray.7'} variant="filled" autoContrast radius="sm" tt="none">
      {count === undefined ? severity : `${count} ${severity}`}
    </Badge>
  );
}

/** Counts in severity order, zeros left out. */
export function counts(summary: ScanSummary): [Severity, number][] {
  return SEVERITIES.map((s) => [s, summary.summary[s] ?? 0] as [Severity, number]).filter(([, n]) => n > 0);
}

export function describeSummary(summary: ScanSummary): string {
  if (summary.total === 0) return 'No vulnerabilities';
  return `${summary.total} vulnerabilities (${counts(summary).map(([s, n]) => `${n} ${s}`).join(', ')}), ${summary.fixable} fixable`;
}

/** A compact summary for a table cell: a bar in proportion, then the total and fixable count. */
export function SeverityBar({ summary }: { summary: ScanSummary }) {
  if (summary.total === 0) return <Badge color="teal.9" variant="filled" radius="sm" tt="none">No vulnerabilities</Badge>;
  const parts = counts(summary);
  return (
    <Group gap={6} wrap="nowrap">
      <Box role="img" aria-label={describeSummary(summary)} w={96} h={10} style={{ display: 'flex', borderRadius: 3, overflow: 'hidden', flex: 'none', outline: '1px solid var(--mantine-color-default-border)' }}>
        {parts.map(([s, n]) => (
          <span key={s} style={{ width: `${(100 * n) / summary.total}%`, minWidth: 3, background: BAR[s] }} />
        ))}
      </Box>
      <Text size="xs" aria-hidden="true" style={{ whiteSpace: 'nowrap' }}>
        {parts
          .slice(0, 2)
          .map(([s, n]) => `${n} ${s[0]}`)
          .join(' · ')}
        {parts.length > 2 ? ' …' : ''} / {summary.total}
      </Text>
    </Group>
  );
}

/** Every non-zero severity as a badge, for the artifact's summary. */
export function SeverityBadges({ summary }: { summary: ScanSummary }) {
  if (summary.total === 0) return <Badge color="teal.9" variant="filled" radius="sm" tt="none">No vulnerabilities</Badge>;
  return (
    <Group gap={4}>
      {counts(summary).map(([s, n]) => (
        <SeverityBadge key={s} severity={s} count={n} />
      ))}
    </Group>
  );
}
