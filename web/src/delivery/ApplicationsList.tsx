/**
 * Applications: one server page at a time (filters and paging in the URL,
 * passed to GET /applications as is), so 1,000 applications cost what 25
 * do. Status follows the event stream; the previous page stays on screen
 * while the next loads.
 */
import { Alert, Anchor, Button, Group, Stack, Table, Text, Title } from '@mantine/core';
import { TableScroll } from '../components/TableScroll.tsx';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import { api } from '../api/client.ts';
import { AppFilterBar } from './AppFilterBar.tsx';
import { HealthBadge, PhaseBadge, SyncBadge } from './badges.tsx';
import { apiQuery, readFilters, writeFilters } from './filters.ts';
import { errorText, paged, shortSha } from './http.ts';
import { appKeys, pollUnlessLive, useLiveApplications } from './live.ts';
import { LiveIndicator } from './LiveIndicator.tsx';
import { Pager } from './Pager.tsx';
import { usePermissions } from './perms.ts';

export function ApplicationsList() {
  const [params, setParams] = useSearchParams();
  const filters = readFilters(params);
  const live = useLiveApplications();
  const query = apiQuery(filters);
  const list = useQuery({
    queryKey: appKeys.list(query),
    queryFn: async () => paged(await api.GET('/api/v1/applications', { params: { query } })),
    placeholderData: keepPreviousData,
    refetchInterval: pollUnlessLive(live),
  });
  const perms = usePermissions(filters.project || undefined);
  const canCreate = filters.project ? perms.can('application:create') : perms.admin;
  const total = list.data?.total ?? 0;

  return (
    <Stack gap="md">
      <Group justify="space-between" wrap="wrap">
        <Group gap="sm">
          <Title order={1} size="h2">Applications</Title>
          <LiveIndicator state={live} />
        </Group>
        {canCreate ? (
          <Button component={Link} to={filters.project ? `/applications/new?project=${encodeURIComponent(filters.project)}` : '/applications/new'}>
            New application
          </Button>
        ) : null}
      </Group>
      <AppFilterBar filters={filters} onChange={(change) => setParams(writeFilters(filters, change), { replace: true })} />
      {list.isError ? <Alert color="red" title="Could not load applications">{errorText(list.error)}</Alert> : null}
      <TableScroll label="Applications table" minWidth={720}>
        <Table striped highlightOnHover aria-busy={list.isFetching}>
          <Table.Caption>{list.isPending ? 'Loading applications…' : `${total} application${total === 1 ? '' : 's'}`}</Table.Caption>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Name</Table.Th>
              <Table.Th scope="col">Sync</Table.Th>
              <Table.Th scope="col">Health</Table.Th>
              <Table.Th scope="col">Project</Table.Th>
              <Table.Th scope="col">Destination</Table.Th>
              <Table.Th scope="col">Source</Table.Th>
              <Table.Th scope="col">Last operation</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(list.data?.items ?? []).map((a) => (
              <Table.Tr key={a.name}>
                <Table.Td>
                  <Anchor component={Link} to={`/applications/${encodeURIComponent(a.name)}`}>
                    {a.name}
                  </Anchor>
                </Table.Td>
                <Table.Td>
                  <SyncBadge status={a.sync} />
                </Table.Td>
                <Table.Td>
                  <HealthBadge status={a.health} />
                </Table.Td>
                <Table.Td>{a.project}</Table.Td>
                <Table.Td>
                  {a.destination.name ?? a.destination.server}
                  {a.destination.namespace ? ` / ${a.destination.namespace}` : ''}
                </Table.Td>
                <Table.Td>
                  <Text size="sm" truncate="end" maw={260} title={`${a.repoURL} ${a.path}@${a.targetRevision}`}>
                    {a.path}@{a.targetRevision}
                  </Text>
                  {a.revision ? (
                    <Text size="xs" c="dimmed" ff="monospace">
                      {shortSha(a.revision)}
                    </Text>
                  ) : null}
                </Table.Td>
                <Table.Td>{a.operation ? <PhaseBadge phase={a.operation} /> : '—'}</Table.Td>
              </Table.Tr>
            ))}
            {list.isSuccess && list.data.items.length === 0 ? (
              <Table.Tr>
                <Table.Td colSpan={7}>No applications match.</Table.Td>
              </Table.Tr>
            ) : null}
          </Table.Tbody>
        </Table>
      </TableScroll>
      <Pager label="Applications pages" page={filters.page} pageSize={filters.pageSize} total={total} onChange={(page, pageSize) => setParams(writeFilters(filters, { page, pageSize }), { replace: false })} />
    </Stack>
  );
}
