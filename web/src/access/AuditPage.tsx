/**
 * The audit log (administrators: everything; a project's page: its records, log:list) with
 * filters kept in the URL: time range, user, resource type, resource, operation, outcome.
 */
import { Badge, Button, Group, Select, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useParams, useSearchParams } from 'react-router';
import { api, unwrapPage } from '../api/client.ts';
import type { ListItem } from '../api/types.ts';
import { PagedTable, PageHeader, RelativeTime, StatusBadge, type Column } from '../components/index.ts';

type Entry = ListItem<'/api/v1/audit-logs'>;

const FILTERS = ['actor', 'resource_type', 'resource', 'action', 'outcome', 'from', 'to'] as const;
type Filter = (typeof FILTERS)[number];

const columns: Column<Entry>[] = [
  { key: 'time', header: 'Time', sort: 'time', render: (e) => <RelativeTime value={e.time} /> },
  {
    key: 'actor',
    header: 'User',
    render: (e) => (
      <Group gap={4} wrap="nowrap">
        <Text size="sm">{e.actor.name || '—'}</Text>
        {e.actor.kind !== 'user' && (
          <Badge size="xs" variant="outline" tt="none">
            {e.actor.kind}
          </Badge>
        )}
      </Group>
    ),
  },
  { key: 'action', header: 'Operation', render: (e) => e.action },
  { key: 'resource', header: 'Resource', render: (e) => <Text size="sm" style={{ wordBreak: 'break-all' }}>{`${e.resourceType}: ${e.resource}`}</Text> },
  { key: 'outcome', header: 'Outcome', render: (e) => <StatusBadge status={e.outcome} /> },
  { key: 'ip', header: 'Source IP', wide: true, render: (e) => e.sourceIp },
  { key: 'detail', header: 'Detail', wide: true, render: (e) => <Text size="xs">{e.detail ?? ''}</Text> },
];

/** datetime-local value (local time) → ISO 8601 (UTC), which the API takes. */
function toIso(local: string): string | undefined {
  if (!local) return undefined;
  const t = new Date(local);
  return Number.isNaN(t.getTime()) ? undefined : t.toISOString();
}

export function AuditPage({ system = false }: { system?: boolean }) {
  const routeParams = useParams();
  const project = system ? undefined : routeParams.project;
  const [params, setParams] = useSearchParams();
  const value = (f: Filter) => params.get(f) ?? '';
  const set = (f: Filter, v: string) =>
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        if (v) next.set(f, v);
        else next.delete(f);
        next.delete('page');
        return next;
      },
      { replace: true },
    );
  const current = Object.fromEntries(FILTERS.map((f) => [f, value(f)])) as Record<Filter, string>;
  const [filters] = useDebouncedValue(current, 300);

  const outcome: 'success' | 'failure' | undefined = filters.outcome === 'success' ? 'success' : filters.outcome === 'failure' ? 'failure' : undefined;
  const query = {
    ...(filters.actor ? { actor: filters.actor } : {}),
    ...(filters.resource_type ? { resource_type: filters.resource_type } : {}),
    ...(filters.resource ? { resource: filters.resource } : {}),
    ...(filters.action ? { action: filters.action } : {}),
    ...(outcome ? { outcome } : {}),
    ...(toIso(filters.from) ? { from: toIso(filters.from) } : {}),
    ...(toIso(filters.to) ? { to: toIso(filters.to) } : {}),
  };

  return (
    <Stack>
      {system && <PageHeader title="Audit log" />}
      <form aria-label="Audit log filters" onSubmit={(e) => e.preventDefault()}>
        <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }} spacing="sm">
          <TextInput label="From" type="datetime-local" value={current.from} onChange={(e) => set('from', e.currentTarget.value)} />
          <TextInput label="To" type="datetime-local" value={current.to} onChange={(e) => set('to', e.currentTarget.value)} />
          <TextInput label="User" value={current.actor} onChange={(e) => set('actor', e.currentTarget.value)} />
          <TextInput label="Operation" placeholder="create, delete, push, login …" value={current.action} onChange={(e) => set('action', e.currentTarget.value)} />
          <TextInput label="Resource type" placeholder="project, artifact, robot …" value={current.resource_type} onChange={(e) => set('resource_type', e.currentTarget.value)} />
          <TextInput label="Resource" value={current.resource} onChange={(e) => set('resource', e.currentTarget.value)} />
          <Select
            label="Outcome"
            value={current.outcome || null}
            onChange={(v) => set('outcome', v ?? '')}
            clearable
            data={[
              { value: 'success', label: 'Success' },
              { value: 'failure', label: 'Failure' },
            ]}
          />
          <Group align="end">
            <Button variant="default" onClick={() => setParams(new URLSearchParams(), { replace: true })}>
              Clear filters
            </Button>
          </Group>
        </SimpleGrid>
      </form>
      <PagedTable
        caption={project ? `Audit log of ${project}` : 'Audit log'}
        queryKey={['audit', project ?? '*', query]}
        rowKey={(e) => e.id}
        columns={columns}
        defaultSort="-time"
        empty="No records match."
        fetch={({ page, pageSize, sort }) => {
          const q = { ...query, page, page_size: pageSize, ...(sort ? { sort } : {}) };
          return project
            ? unwrapPage(api.GET('/api/v1/projects/{project}/audit-logs', { params: { path: { project }, query: q } }))
            : unwrapPage(api.GET('/api/v1/audit-logs', { params: { query: q } }));
        }}
      />
    </Stack>
  );
}
