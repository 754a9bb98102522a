/** Projects the viewer can see: visibility, members, repositories; create when allowed. */
import { Anchor, Group, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, unwrapPage } from '../api/client.ts';
import type { ListItem } from '../api/types.ts';
import { PagedTable, PageHeader, RelativeTime, StatusBadge, type Column } from '../components/index.ts';

type Project = ListItem<'/api/v1/projects'>;

const columns: Column<Project>[] = [
  {
    key: 'name',
    header: 'Name',
    sort: 'name',
    render: (p) => (
      <Anchor component={Link} to={`/projects/${encodeURIComponent(p.name)}`}>
        {p.name}
      </Anchor>
    ),
  },
  { key: 'visibility', header: 'Visibility', render: (p) => <StatusBadge status={p.public ? 'public' : 'private'} /> },
  { key: 'repositories', header: 'Repositories', render: (p) => p.repositoryCount ?? '—' },
  { key: 'created', header: 'Created', sort: 'created', wide: true, render: (p) => <RelativeTime value={p.createdAt} /> },
];

export function ProjectsPage() {
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 250);
  return (
    <>
      <PageHeader title="Projects" />
      <Group mb="sm">
        <TextInput label="Search projects" placeholder="name" value={search} onChange={(e) => setSearch(e.currentTarget.value)} w={260} />
      </Group>
      <PagedTable
        caption="Projects"
        queryKey={['projects', q]}
        rowKey={(p) => p.name}
        columns={columns}
        fetch={({ page, pageSize, sort }) =>
          unwrapPage(api.GET('/api/v1/projects', { params: { query: { page, page_size: pageSize, ...(sort ? { sort } : {}), ...(q ? { q: `name=~${q}` } : {}) } } }))
        }
      />
    </>
  );
}
