/**
 * Vulnerability data (system administrators): the imported sources (kind, version, when,
 * records, ecosystems), removing one, importing a file or URL, and re-scanning everything.
 * Scans never reach the network: what is listed here is all the matcher knows.
 */
import { useState } from 'react';
import { Alert, Button, Loader, Stack, Table, Text, VisuallyHidden } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client.ts';
import { usePermissions } from '../app/permissions.ts';
import { ApiErrorAlert, ConfirmDialog, notifyDone, notifyFailed, PageHeader, RelativeTime, TableScroll } from '../components/index.ts';
import { VulnDbImport } from './VulnDbImport.tsx';
import { listSources, removeSource, vulnDbKey } from './vulndb.ts';

export function VulnDbPage() {
  const perms = usePermissions();
  const client = useQueryClient();
  const [removing, setRemoving] = useState<string>();
  const sources = useQuery({ queryKey: vulnDbKey, queryFn: listSources, enabled: perms.admin });
  const scanAll = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/scan-all')),
    onSuccess: (r) => notifyDone(`${r.queued} ${r.queued === 1 ? 'artifact' : 'artifacts'} queued for scanning`),
    onError: (err) => notifyFailed(err, 'Scan not started'),
  });

  if (perms.isPending) return <Loader aria-label="Loading" />;
  if (!perms.admin)
    return (
      <Stack>
        <PageHeader title="Vulnerability data" />
        <Alert>Only system administrators manage vulnerability data.</Alert>
      </Stack>
    );
  const list = sources.data ?? [];
  const total = list.reduce((n, s) => n + s.records, 0);
  return (
    <Stack gap="lg">
      <PageHeader
        title="Vulnerability data"
        actions={
          <Button variant="default" loading={scanAll.isPending} onClick={() => scanAll.mutate()}>
            Scan all artifacts
          </Button>
        }
      />
      <Text size="sm" c="dimmed">
        Scans match packages against the advisories imported here, offline. After an import, stored scans are matched again without reading any layer.
      </Text>
      <ApiErrorAlert error={sources.error} />
      <TableScroll label="Vulnerability data sources">
        <Table striped captionSide="top" verticalSpacing="xs">
          <Table.Caption>Vulnerability data sources</Table.Caption>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Source</Table.Th>
              <Table.Th scope="col">Kind</Table.Th>
              <Table.Th scope="col">Version</Table.Th>
              <Table.Th scope="col">Records</Table.Th>
              <Table.Th scope="col">Ecosystems</Table.Th>
              <Table.Th scope="col">Imported</Table.Th>
              <Table.Th scope="col">
                <VisuallyHidden>Actions</VisuallyHidden>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.map((s) => (
              <Table.Tr key={s.name}>
                <Table.Td fw={600}>{s.name}</Table.Td>
                <Table.Td>{s.kind}</Table.Td>
                <Table.Td style={{ wordBreak: 'break-all' }}>{s.version ?? '—'}</Table.Td>
                <Table.Td>{s.records.toLocaleString()}</Table.Td>
                <Table.Td>{(s.ecosystems ?? []).slice(0, 6).join(', ') + ((s.ecosystems ?? []).length > 6 ? ` and ${(s.ecosystems ?? []).length - 6} more` : '')}</Table.Td>
                <Table.Td>
                  <RelativeTime value={s.imported_at} />
                  {s.imported_by ? ` by ${s.imported_by}` : ''}
                </Table.Td>
                <Table.Td>
                  <Button size="xs" color="red" variant="light" onClick={() => setRemoving(s.name)} aria-label={`Remove ${s.name}`}>
                    Remove
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </TableScroll>
      {sources.isPending && <Loader size="sm" aria-label="Loading" />}
      {sources.data && list.length === 0 && (
        <Text c="dimmed" ta="center">
          No vulnerability data yet: scans list packages but can find no vulnerabilities. Import some below.
        </Text>
      )}
      {list.length > 0 && (
        <Text size="sm" aria-live="polite">
          {list.length} {list.length === 1 ? 'source' : 'sources'}, {total.toLocaleString()} records.
        </Text>
      )}
      <VulnDbImport />
      <ConfirmDialog
        opened={removing !== undefined}
        onClose={() => setRemoving(undefined)}
        title="Remove vulnerability data"
        confirmLabel="Remove"
        onConfirm={async () => {
          await removeSource(removing!);
          notifyDone(`${removing} removed`);
          await client.invalidateQueries({ queryKey: vulnDbKey });
        }}
      >
        Remove {removing} and its advisories? Scans will no longer report vulnerabilities known only from it (stored scans are matched again).
      </ConfirmDialog>
    </Stack>
  );
}
