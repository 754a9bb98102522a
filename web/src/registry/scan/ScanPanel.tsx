/**
 * The artifact page's scan summary: status (live), scanner, when, severity counts, the
 * platforms analysed, what the analyzer skipped and why, Scan/Rescan (scan:create) and the
 * SBOM download.
 */
import { Alert, Group, Paper, Stack, Table, Text, Title } from '@mantine/core';
import type { UseQueryResult } from '@tanstack/react-query';
import { ApiErrorAlert, RelativeTime, StatusBadge, TableScroll, shortDigest } from '../../components/index.ts';
import { SbomDownload } from './SbomDownload.tsx';
import { ScanButton } from './ScanButton.tsx';
import { SeverityBadges } from './Severity.tsx';
import { isActive, type ScanReport } from './types.ts';

const STATUS_LABEL = { Pending: 'Queued', Running: 'Scanning…', Success: 'Scanned', Error: 'Scan failed' } as const;

/** Seconds between two RFC 3339 times, or undefined. */
function seconds(start: string | null, end: string | null): number | undefined {
  if (!start || !end) return undefined;
  const s = (Date.parse(end) - Date.parse(start)) / 1000;
  return Number.isFinite(s) && s >= 0 ? s : undefined;
}

/** `scanned`: the artifact has a report (its scan_overview); before that the report is not asked for. */
export function ScanPanel({ project, repository, digest, report, scanned, canScan }: { project: string; repository: string; digest: string; report: UseQueryResult<ScanReport | null>; scanned: boolean; canScan: boolean }) {
  const r = scanned ? report.data : undefined;
  const status = r?.scan_status;
  const took = r ? seconds(r.start_time, r.end_time) : undefined;
  return (
    <section aria-labelledby="scan-heading">
      <Group justify="space-between" mb="xs" wrap="wrap">
        <Title order={2} size="h4" id="scan-heading">
          Vulnerability scan
        </Title>
        <Group gap="xs">
          {r && status === 'Success' && <SbomDownload project={project} repository={repository} digest={digest} />}
          {canScan && !isActive(status) && (!scanned || report.isSuccess) && <ScanButton project={project} repository={repository} digest={digest} rescan={Boolean(r)} />}
        </Group>
      </Group>
      <ApiErrorAlert error={report.error} />
      <Paper withBorder p="md">
        {(!scanned || (report.isSuccess && !r)) && (
          <Text size="sm" c="dimmed">
            Not scanned yet.{canScan ? ' Scan it to see its packages and known vulnerabilities.' : ''}
          </Text>
        )}
        {r && (
          <Stack gap="sm">
            <Group gap="sm" role="status" aria-live="polite" aria-label="Scan status">
              {status && <StatusBadge status={status === 'Pending' ? 'queued' : status} label={STATUS_LABEL[status]} />}
              {status === 'Success' && r.summary && <SeverityBadges summary={r.summary} />}
              {status === 'Success' && r.summary && r.summary.total > 0 && (
                <Text size="sm">
                  {r.summary.fixable} of {r.summary.total} fixable
                </Text>
              )}
            </Group>
            <Text size="sm" c="dimmed">
              {r.scanner ? `${r.scanner.name} ${r.scanner.version} (${r.scanner.vendor}) · ` : ''}
              {r.end_time ? (r.scanner ? 'finished' : 'Finished') : r.start_time ? (r.scanner ? 'started' : 'Started') : ''}{' '}
              {(r.end_time ?? r.start_time) && <RelativeTime value={r.end_time ?? r.start_time} />}
              {took !== undefined && status === 'Success' ? ` in ${took < 10 ? took.toFixed(1) : Math.round(took)} s` : ''}
            </Text>
            {status === 'Error' && r.error && (
              <Alert color="red" title="The scan failed">
                {r.error}
              </Alert>
            )}
            {r.platforms && r.platforms.length > 0 && (
              <TableScroll label="Platforms scanned">
                <Table captionSide="top" verticalSpacing={4} fz="sm">
                  <Table.Caption>Platforms scanned</Table.Caption>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th scope="col">Image</Table.Th>
                      <Table.Th scope="col">Platform</Table.Th>
                      <Table.Th scope="col">Distribution</Table.Th>
                      <Table.Th scope="col">Packages</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {r.platforms.map((p) => (
                      <Table.Tr key={p.digest}>
                        <Table.Td ff="monospace">{shortDigest(p.digest)}</Table.Td>
                        <Table.Td>{[p.os, p.architecture].filter(Boolean).join('/') || '—'}</Table.Td>
                        <Table.Td>{p.distro ?? '—'}</Table.Td>
                        <Table.Td>{p.packages}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </TableScroll>
            )}
            {r.skipped && r.skipped.length > 0 && (
              <details>
                <summary>
                  <Text span size="sm">
                    {r.skipped.length} {r.skipped.length === 1 ? 'file' : 'files'} not analysed
                  </Text>
                </summary>
                <Stack gap={2} mt="xs">
                  {r.skipped.slice(0, 100).map((s, i) => (
                    <Text key={i} size="sm" style={{ wordBreak: 'break-all' }}>
                      <Text span ff="monospace" size="sm">
                        {s.path}
                      </Text>
                      {s.layer ? ` (layer ${shortDigest(s.layer)})` : ''}: {s.reason}
                    </Text>
                  ))}
                  {r.skipped.length > 100 && <Text size="sm" c="dimmed">… and {r.skipped.length - 100} more</Text>}
                </Stack>
              </details>
            )}
          </Stack>
        )}
      </Paper>
    </section>
  );
}
