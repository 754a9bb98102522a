/** Jobs (system administrators): newest first, filtered by kind and state in the URL, paged on the server. */
import { Alert, Anchor, Group, Loader, NativeSelect, Stack, Table, TextInput, Title } from '@mantine/core';
import { TableScroll } from '../components/TableScroll.tsx';
import { useDebouncedCallback } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useSyncedText } from '../delivery/useSyncedText.ts';
import { Link, useSearchParams } from 'react-router';
import { api } from '../api/client.ts';
import { PhaseBadge } from '../delivery/badges.tsx';
import { errorText, paged } from '../delivery/http.ts';
import { Pager } from '../delivery/Pager.tsx';
import { usePermissions } from '../delivery/perms.ts';
import { RelativeTime } from '../components/RelativeTime.tsx';
import { JOB_STATES, type JobState } from './types.ts';

export function JobsList() {
  const perms = usePermissions();
  const [params, setParams] = useSearchParams();
  const kind = params.get('kind') ?? '';
  const state = (JOB_STATES as readonly string[]).includes(params.get('state') ?? '') ? (params.get('state') as JobState) : undefined;
  const page = Math.max(1, Number(params.get('page')) || 1);
  const pageSize = Math.min(100, Math.max(1, Number(params.get('page_size')) || 25));
  const query = { page, page_size: pageSize, ...(kind ? { kind } : {}), ...(state ? { state } : {}) };
  const jobs = useQuery({
    queryKey: ['jobs', query],
    queryFn: async () => paged(await api.GET('/api/v1/jobs', { params: { query } })),
    placeholderData: keepPreviousData,
    enabled: perms.admin,
    refetchInterval: 10_000,
  });
  const update = (change: Record<string, string>): void => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(change)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    if (!('page' in change)) next.delete('page');
    setParams(next, { replace: true });
  };
  const [kindText, setKindText] = useSyncedText(kind);
  const pushKind = useDebouncedCallback((v: string) => update({ kind: v.trim() }), 300);

  if (!perms.loaded) return <Loader aria-label="Loading" />;
  if (!perms.admin) return <Alert title="Jobs">Only system administrators see the job queue.</Alert>;
  const total = jobs.data?.total ?? 0;
  return (
    <Stack gap="md">
      <Title order={1} size="h2">Jobs</Title>
      <Group gap="sm" align="end" role="search" aria-label="Filter jobs">
        <TextInput
          label="Kind"
          placeholder="e.g. event:webhooks"
          value={kindText}
          onChange={(e) => {
            setKindText(e.currentTarget.value);
            pushKind(e.currentTarget.value);
          }}
        />
        <NativeSelect label="State" value={state ?? ''} data={[{ value: '', label: 'Any' }, ...JOB_STATES.map((s) => ({ value: s, label: s }))]} onChange={(e) => update({ state: e.currentTarget.value })} />
      </Group>
      {jobs.isError ? <Alert color="red">{errorText(jobs.error)}</Alert> : null}
      <TableScroll label="Jobs table" minWidth={720}>
        <Table striped highlightOnHover>
          <Table.Caption>{jobs.isPending ? 'Loading jobs…' : `${total} jobs`}</Table.Caption>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Job</Table.Th>
              <Table.Th scope="col">Kind</Table.Th>
              <Table.Th scope="col">State</Table.Th>
              <Table.Th scope="col">Attempts</Table.Th>
              <Table.Th scope="col">Created</Table.Th>
              <Table.Th scope="col">Last error</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(jobs.data?.items ?? []).map((j) => (
              <Table.Tr key={j.id}>
                <Table.Td>
                  <Anchor component={Link} to={`/jobs/${j.id}`} ff="monospace" aria-label={`Job ${j.id}`}>
                    {j.id.slice(0, 8)}
                  </Anchor>
                </Table.Td>
                <Table.Td>{j.kind}</Table.Td>
                <Table.Td>
                  <PhaseBadge phase={j.state} />
                </Table.Td>
                <Table.Td>
                  {j.attempts} / {j.maxAttempts}
                </Table.Td>
                <Table.Td>
                  <RelativeTime value={j.createdAt} />
                </Table.Td>
                <Table.Td style={{ overflowWrap: 'anywhere', maxWidth: 360 }}>{j.lastError ?? ''}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </TableScroll>
      <Pager label="Job pages" page={page} pageSize={pageSize} total={total} onChange={(p, s) => update({ page: String(p), page_size: String(s) })} />
    </Stack>
  );
}
