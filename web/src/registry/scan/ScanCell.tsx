/**
 * The "Vulnerabilities" cell of an artifact list row: not scanned, under way, failed, or the
 * severity summary; with a Scan button for those allowed (scan:create).
 */
import { Group, Text } from '@mantine/core';
import { StatusBadge } from '../../components/index.ts';
import { ScanButton } from './ScanButton.tsx';
import { SeverityBar } from './Severity.tsx';
import { isActive, type ScanOverview } from './types.ts';

export function ScanCell({ project, repository, digest, overview, canScan, scannable }: { project: string; repository: string; digest: string; overview: ScanOverview | undefined; canScan: boolean; scannable: boolean }) {
  const status = overview?.scan_status;
  let body;
  if (!overview) body = <Text size="sm" c="dimmed">{scannable ? 'Not scanned' : '—'}</Text>;
  else if (isActive(status)) body = <StatusBadge status="running" label={status === 'Pending' ? 'Queued' : 'Scanning…'} />;
  else if (status === 'Error') body = <StatusBadge status="error" label="Scan failed" />;
  else if (overview.summary) body = <SeverityBar summary={overview.summary} />;
  else body = <StatusBadge status="success" label="Scanned" />;
  return (
    <Group gap="xs" wrap="nowrap">
      {body}
      {canScan && scannable && !isActive(status) && <ScanButton project={project} repository={repository} digest={digest} rescan={Boolean(overview)} size="xs" variant="light" />}
    </Group>
  );
}
