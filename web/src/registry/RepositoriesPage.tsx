/** A project's repositories: server-paged, searchable, sortable. */
import { useState } from 'react';
import { Anchor, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { Link, useParams } from 'react-router';
import { api, unwrapPage } from '../api/client.ts';
import type { ListItem } from '../api/types.ts';
import { PagedTable, RelativeTime, type Column } from '../components/index.ts';
import { repositoryUrl, withinProject } from './paths.ts';

type Repository = ListItem<'/api/v1/projects/{project}/repositories'>;

export function RepositoriesPage() {
  const project = useParams().project!;
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 250);
  const columns: Column<Repository>[] = [
    {
      key: 'name',
      header: 'Name',
      sort: 'name',
      render: (r) => (
        <Anchor component={Link} to={repositoryUrl(project, withinProject(project, r.name))} style={{ wordBreak: 'break-all' }}>
          {r.name}
        </Anchor>
      ),
    },
    { key: 'artifacts', header: 'Artifacts', render: (r) => r.artifact_count },
    { key: 'pulls', header: 'Pulls', sort: 'pull_count', render: (r) => r.pull_count },
    { key: 'updated', header: 'Last modified', sort: 'update_time', wide: true, render: (r) => <RelativeTime value={r.update_time} /> },
  ];
  return (
    <>
      <TextInput label="Search repositories" placeholder="name" value={search} onChange={(e) => setSearch(e.currentTarget.value)} w={260} mb="sm" />
      <PagedTable
        caption={`Repositories of ${project}`}
        queryKey={['repositories', project, q]}
        rowKey={(r) => r.name}
        columns={columns}
        defaultSort="-update_time"
        empty="No repositories yet: push an image to create one."
        fetch={({ page, pageSize, sort }) =>
          unwrapPage(
            api.GET('/api/v1/projects/{project}/repositories', {
              params: { path: { project }, query: { page, page_size: pageSize, ...(sort ? { sort } : {}), ...(q ? { q: `name=~${q}` } : {}) } },
            }),
          )
        }
      />
    </>
  );
}
