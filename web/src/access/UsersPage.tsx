/** Administrators: users (search, create, disable, admin flag, reset password, delete). */
import { useState } from 'react';
import { ActionIcon, Button, Menu, Stack, TextInput, Tooltip } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useQueryClient } from '@tanstack/react-query';
import { api, unwrap, unwrapPage } from '../api/client.ts';
import type { ListItem } from '../api/types.ts';
import { useAuth } from '../app/auth.tsx';
import { ConfirmDialog, notifyDone, notifyFailed, PagedTable, PageHeader, RelativeTime, StatusBadge, type Column, DotsIcon } from '../components/index.ts';
import { PasswordDialog, UserCreateDialog } from './UserDialogs.tsx';

type User = ListItem<'/api/v1/users'>;

export function UsersPage() {
  const client = useQueryClient();
  const { user: me } = useAuth();
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 250);
  const [creating, setCreating] = useState(false);
  const [resetting, setResetting] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<User | null>(null);
  const refresh = () => client.invalidateQueries({ queryKey: ['users'] });

  const update = async (u: User, body: { admin?: boolean; disabled?: boolean }, done: string) => {
    try {
      await unwrap(api.PUT('/api/v1/users/{username}', { params: { path: { username: u.username } }, body }));
      notifyDone(done);
      await refresh();
    } catch (e) {
      notifyFailed(e);
    }
  };

  const columns: Column<User>[] = [
    { key: 'username', header: 'User name', sort: 'username', render: (u) => u.username },
    { key: 'email', header: 'Email', sort: 'email', wide: true, render: (u) => u.email ?? '—' },
    { key: 'source', header: 'Source', wide: true, render: (u) => (u.source === 'oidc' ? 'OIDC' : 'Local') },
    { key: 'admin', header: 'Administrator', render: (u) => (u.admin ? 'Yes' : 'No') },
    { key: 'status', header: 'Status', render: (u) => <StatusBadge status={u.disabled ? 'disabled' : 'enabled'} /> },
    { key: 'created', header: 'Created', sort: 'created', wide: true, render: (u) => <RelativeTime value={u.createdAt} /> },
    {
      key: 'actions',
      header: 'Actions',
      render: (u) =>
        u.username !== me?.username && (
          <Menu position="bottom-end">
            <Menu.Target>
              <Tooltip label="Actions">
                <ActionIcon variant="subtle" aria-label={`Actions for ${u.username}`}>
                  <DotsIcon />
                </ActionIcon>
              </Tooltip>
            </Menu.Target>
            <Menu.Dropdown>
              <Menu.Item onClick={() => void update(u, { admin: !u.admin }, u.admin ? `${u.username} is no longer an administrator` : `${u.username} is now an administrator`)}>
                {u.admin ? 'Remove administrator' : 'Make administrator'}
              </Menu.Item>
              <Menu.Item onClick={() => void update(u, { disabled: !u.disabled }, `${u.username} ${u.disabled ? 'enabled' : 'disabled'}`)}>{u.disabled ? 'Enable' : 'Disable'}</Menu.Item>
              {u.source === 'local' && <Menu.Item onClick={() => setResetting(u.username)}>Reset password</Menu.Item>}
              <Menu.Item color="red" onClick={() => setDeleting(u)}>
                Delete
              </Menu.Item>
            </Menu.Dropdown>
          </Menu>
        ),
    },
  ];

  return (
    <Stack>
      <PageHeader title="Users" actions={<Button onClick={() => setCreating(true)}>New user</Button>} />
      <TextInput label="Search users" placeholder="user name" value={search} onChange={(e) => setSearch(e.currentTarget.value)} w={260} />
      <PagedTable
        caption="Users"
        queryKey={['users', q]}
        rowKey={(u) => u.username}
        columns={columns}
        defaultSort="username"
        fetch={({ page, pageSize, sort }) => unwrapPage(api.GET('/api/v1/users', { params: { query: { page, page_size: pageSize, ...(sort ? { sort } : {}), ...(q ? { q: `username=~${q}` } : {}) } } }))}
      />
      <UserCreateDialog opened={creating} onClose={() => setCreating(false)} onCreated={() => void refresh()} />
      <PasswordDialog username={resetting} onClose={() => setResetting(null)} />
      <ConfirmDialog
        opened={deleting !== null}
        onClose={() => setDeleting(null)}
        title="Delete user"
        confirmLabel="Delete"
        onConfirm={async () => {
          if (!deleting) return;
          await unwrap(api.DELETE('/api/v1/users/{username}', { params: { path: { username: deleting.username } } }));
          notifyDone(`${deleting.username} deleted`);
          await refresh();
        }}
      >
        Delete {deleting?.username}? Their memberships and API tokens go with the account.
      </ConfirmDialog>
    </Stack>
  );
}
