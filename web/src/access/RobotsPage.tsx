/**
 * Robot accounts of a project (or, for administrators, every robot): expiry with a warning
 * within 7 days, enable/disable, refresh secret (shown once), delete. Actions the viewer's role
 * lacks are not rendered.
 */
import { useState } from 'react';
import { ActionIcon, Badge, Button, Group, Menu, Stack, Text, Tooltip } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useParams } from 'react-router';
import { api, unwrap, unwrapPage } from '../api/client.ts';
import type { ListItem } from '../api/types.ts';
import { usePermissions } from '../app/permissions.ts';
import { ConfirmDialog, notifyDone, notifyFailed, PagedTable, PageHeader, RelativeTime, StatusBadge, type Column, DotsIcon } from '../components/index.ts';
import { expiryState } from './expiry.ts';
import { RobotCreateDialog } from './RobotCreateDialog.tsx';
import { SecretDialog } from '../components/index.ts';

type Robot = ListItem<'/api/v1/robots'>;

function Expiry({ robot }: { robot: Robot }) {
  const state = expiryState(robot.expiresAt);
  if (state === 'never') return <Text size="sm">Never</Text>;
  return (
    <Group gap={6} wrap="nowrap">
      <RelativeTime value={robot.expiresAt} />
      {state === 'expiring' && <StatusBadge status="expiring" label="Expires soon" />}
      {state === 'expired' && <StatusBadge status="expired" label="Expired" />}
    </Group>
  );
}

export function RobotsPage({ system = false }: { system?: boolean }) {
  const params = useParams();
  const project = system ? undefined : params.project;
  const perms = usePermissions(project);
  const client = useQueryClient();
  const key = ['robots', project ?? '*'];
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<{ name: string; secret: string } | null>(null);
  const [deleting, setDeleting] = useState<Robot | null>(null);
  const refresh = () => client.invalidateQueries({ queryKey: key });

  const update = async (robot: Robot, body: { disabled: boolean }) => {
    try {
      await unwrap(api.PUT('/api/v1/robots/{name}', { params: { path: { name: robot.name } }, body }));
      notifyDone(`${robot.name} ${body.disabled ? 'disabled' : 'enabled'}`);
      await refresh();
    } catch (e) {
      notifyFailed(e);
    }
  };
  const newSecret = async (robot: Robot) => {
    try {
      const r = await unwrap(api.PATCH('/api/v1/robots/{name}/secret', { params: { path: { name: robot.name } }, body: {} }));
      setSecret({ name: robot.name, secret: r.secret });
    } catch (e) {
      notifyFailed(e);
    }
  };

  const canUpdate = perms.can('robot:update');
  const canDelete = perms.can('robot:delete');
  const columns: Column<Robot>[] = [
    { key: 'name', header: 'Name', render: (r) => <Text size="sm" ff="monospace">{r.name}</Text> },
    { key: 'status', header: 'Status', render: (r) => <StatusBadge status={r.disabled ? 'disabled' : 'enabled'} /> },
    { key: 'expires', header: 'Expires', render: (r) => <Expiry robot={r} /> },
    {
      key: 'permissions',
      header: 'Permissions',
      wide: true,
      render: (r) => (
        <Group gap={4}>
          {r.permissions.flatMap((p) => p.access.map((a) => `${system ? `${p.namespace}: ` : ''}${a.resource}:${a.action}`)).map((t) => (
            <Badge key={t} variant="outline" size="sm" tt="none">
              {t}
            </Badge>
          ))}
        </Group>
      ),
    },
    { key: 'description', header: 'Description', wide: true, render: (r) => r.description || '—' },
    {
      key: 'actions',
      header: 'Actions',
      render: (r) =>
        (canUpdate || canDelete) && (
          <Menu position="bottom-end">
            <Menu.Target>
              <Tooltip label="Actions">
                <ActionIcon variant="subtle" aria-label={`Actions for ${r.name}`}>
                  <DotsIcon />
                </ActionIcon>
              </Tooltip>
            </Menu.Target>
            <Menu.Dropdown>
              {canUpdate && <Menu.Item onClick={() => void newSecret(r)}>Refresh secret</Menu.Item>}
              {canUpdate && <Menu.Item onClick={() => void update(r, { disabled: !r.disabled })}>{r.disabled ? 'Enable' : 'Disable'}</Menu.Item>}
              {canDelete && (
                <Menu.Item color="red" onClick={() => setDeleting(r)}>
                  Delete
                </Menu.Item>
              )}
            </Menu.Dropdown>
          </Menu>
        ),
    },
  ];

  return (
    <Stack>
      {system && <PageHeader title="Robot accounts" />}
      <Group justify="flex-end">{perms.can('robot:create') && <Button onClick={() => setCreating(true)}>New robot</Button>}</Group>
      <PagedTable
        caption={project ? `Robot accounts of ${project}` : 'Robot accounts'}
        queryKey={key}
        rowKey={(r) => r.name}
        columns={columns}
        empty="No robot accounts."
        fetch={({ page, pageSize }) => unwrapPage(api.GET('/api/v1/robots', { params: { query: { page, page_size: pageSize, ...(project ? { project } : {}) } } }))}
      />
      <RobotCreateDialog
        {...(project ? { project } : {})}
        opened={creating}
        onClose={() => setCreating(false)}
        onCreated={(r) => {
          setCreating(false);
          setSecret(r);
          void refresh();
        }}
      />
      <SecretDialog title="Robot secret" name={secret?.name ?? ''} secret={secret?.secret ?? null} onClose={() => setSecret(null)} />
      <ConfirmDialog
        opened={deleting !== null}
        onClose={() => setDeleting(null)}
        title="Delete robot"
        confirmLabel="Delete"
        onConfirm={async () => {
          if (!deleting) return;
          await unwrap(api.DELETE('/api/v1/robots/{name}', { params: { path: { name: deleting.name } } }));
          notifyDone(`${deleting.name} deleted`);
          await refresh();
        }}
      >
        Delete {deleting?.name}? Its tokens stop working at once.
      </ConfirmDialog>
    </Stack>
  );
}
