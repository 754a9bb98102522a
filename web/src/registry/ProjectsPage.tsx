/** Projects the viewer can see: visibility, members, repositories; create when allowed. */
import { useState } from 'react';
import { Anchor, Button, Checkbox, Group, Modal, Stack, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from 'react-router';
import { api, unwrap, unwrapPage } from '../api/client.ts';
import type { ListItem } from '../api/types.ts';
import { usePermissions } from '../app/permissions.ts';
import { ApiErrorAlert, notifyDone, PagedTable, PageHeader, RelativeTime, StatusBadge, type Column } from '../components/index.ts';
import { projectUrl } from './paths.ts';

type Project = ListItem<'/api/v1/projects'>;

const columns: Column<Project>[] = [
  {
    key: 'name',
    header: 'Name',
    sort: 'name',
    render: (p) => (
      <Anchor component={Link} to={projectUrl(p.name)}>
        {p.name}
      </Anchor>
    ),
  },
  { key: 'visibility', header: 'Visibility', render: (p) => <StatusBadge status={p.public ? 'public' : 'private'} label={p.public ? 'Public' : 'Private'} /> },
  { key: 'repositories', header: 'Repositories', render: (p) => p.repository_count },
  { key: 'members', header: 'Members', wide: true, render: (p) => p.member_count },
  { key: 'created', header: 'Created', sort: 'created', wide: true, render: (p) => <RelativeTime value={p.createdAt} /> },
];

export function ProjectsPage() {
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 250);
  const [creating, setCreating] = useState(false);
  const perms = usePermissions();
  return (
    <>
      <PageHeader title="Projects" actions={perms.can('project:create') && <Button onClick={() => setCreating(true)}>New project</Button>} />
      <Group mb="sm">
        <TextInput label="Search projects" placeholder="name" value={search} onChange={(e) => setSearch(e.currentTarget.value)} w={260} />
      </Group>
      <PagedTable
        caption="Projects"
        queryKey={['projects', q]}
        rowKey={(p) => p.name}
        columns={columns}
        defaultSort="name"
        empty="No projects you can see."
        fetch={({ page, pageSize, sort }) =>
          unwrapPage(api.GET('/api/v1/projects', { params: { query: { page, page_size: pageSize, ...(sort ? { sort } : {}), ...(q ? { q: `name=~${q}` } : {}) } } }))
        }
      />
      <CreateProjectDialog opened={creating} onClose={() => setCreating(false)} />
    </>
  );
}

function CreateProjectDialog({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const [name, setName] = useState('');
  const [isPublic, setPublic] = useState(false);
  const client = useQueryClient();
  const navigate = useNavigate();
  const create = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/projects', { body: { name: name.trim(), public: isPublic } })),
    onSuccess: async (p) => {
      notifyDone(`Project ${p.name} created`);
      setName('');
      onClose();
      await client.invalidateQueries({ queryKey: ['projects'] });
      await navigate(projectUrl(p.name));
    },
  });
  return (
    <Modal opened={opened} onClose={onClose} title="New project">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <Stack>
          <TextInput label="Project name" description="Lower-case letters, digits, . _ -" required value={name} onChange={(e) => setName(e.currentTarget.value)} data-autofocus />
          <Checkbox label="Public: anyone may pull its images" checked={isPublic} onChange={(e) => setPublic(e.currentTarget.checked)} />
          <ApiErrorAlert error={create.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={create.isPending}>
              Create project
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
