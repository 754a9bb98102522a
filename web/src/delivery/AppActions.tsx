/** Sync, refresh and delete: each rendered only when the viewer's role allows it. */
import { Button, Checkbox, Group, Modal, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { api } from '../api/client.ts';
import { ApiErrorAlert } from '../components/ApiErrorAlert.tsx';
import { errorText, unwrap } from './http.ts';
import { appKeys } from './live.ts';
import type { Can } from './perms.ts';
import { SyncDialog } from './SyncDialog.tsx';
import type { Application } from './types.ts';

export function AppActions({ app, perms }: { app: Application; perms: Can }) {
  const client = useQueryClient();
  const [syncing, setSyncing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const refresh = useMutation({
    mutationFn: async (hard: boolean) => unwrap(await api.POST('/api/v1/applications/{name}/refresh', { params: { path: { name: app.name }, query: { hard: hard ? 'true' : 'false' } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: appKeys.app(app.name) }),
    onError: (e) => notifications.show({ color: 'red', title: 'Refresh failed', message: errorText(e) }),
  });
  const canSync = perms.can('application:sync');
  const phase = app.status?.operationState?.phase;
  const running = phase === 'Running' || phase === 'Terminating';
  return (
    <Group gap="xs">
      {canSync ? (
        <>
          <Button onClick={() => setSyncing(true)} disabled={running} title={running ? 'An operation is running' : undefined}>
            {running ? 'Syncing…' : 'Sync'}
          </Button>
          <Button variant="default" loading={refresh.isPending} onClick={() => refresh.mutate(false)}>
            Refresh
          </Button>
          <Button variant="default" disabled={refresh.isPending} onClick={() => refresh.mutate(true)}>
            Hard refresh
          </Button>
        </>
      ) : null}
      {perms.can('application:delete') ? (
        <Button color="red" variant="outline" onClick={() => setDeleting(true)}>
          Delete
        </Button>
      ) : null}
      {syncing ? <SyncDialog app={app} onClose={() => setSyncing(false)} /> : null}
      {deleting ? <DeleteDialog name={app.name} onClose={() => setDeleting(false)} /> : null}
    </Group>
  );
}

function DeleteDialog({ name, onClose }: { name: string; onClose: () => void }) {
  const [cascade, setCascade] = useState(true);
  const navigate = useNavigate();
  const client = useQueryClient();
  const del = useMutation({
    mutationFn: async () => unwrap(await api.DELETE('/api/v1/applications/{name}', { params: { path: { name }, query: { cascade: cascade ? 'true' : 'false' } } })),
    onSuccess: async () => {
      notifications.show({ color: 'green', message: `Application ${name} deleted` });
      client.removeQueries({ queryKey: appKeys.app(name) });
      await client.invalidateQueries({ queryKey: appKeys.lists });
      await navigate('/applications');
    },
  });
  return (
    <Modal opened closeButtonProps={{ 'aria-label': 'Close' }} onClose={onClose} title={`Delete application ${name}?`}>
      <Stack>
        <Text size="sm">The application is removed from Berth. This cannot be undone.</Text>
        <Checkbox label="Also delete its resources from the cluster (cascade)" checked={cascade} onChange={(e) => setCascade(e.currentTarget.checked)} />
        <ApiErrorAlert error={del.error} title="Not deleted" />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button color="red" loading={del.isPending} onClick={() => del.mutate()}>
            Delete {name}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
