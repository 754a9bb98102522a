/** Sync history, newest first, with rollback to an entry (confirmed; refused by the server while automated sync is on). */
import { Alert, Button, Group, Loader, Modal, Stack, Table, Text } from '@mantine/core';
import { TableScroll } from '../components/TableScroll.tsx';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../api/client.ts';
import { PhaseBadge } from './badges.tsx';
import { errorText, shortSha, unwrap } from './http.ts';
import { appKeys } from './live.ts';
import { useHistory } from './queries.ts';
import { RelativeTime } from '../components/RelativeTime.tsx';
import type { Application, HistoryEntry } from './types.ts';

export function HistoryPanel({ app, canSync }: { app: Application; canSync: boolean }) {
  const history = useHistory(app.name, true);
  const [target, setTarget] = useState<HistoryEntry | undefined>();
  const automated = app.spec.syncPolicy.automated !== undefined;
  if (history.isPending) return <Loader aria-label="Loading history" />;
  if (history.isError) return <Alert color="red" title="Could not load the history">{errorText(history.error)}</Alert>;
  return (
    <Stack gap="sm">
      {canSync && automated ? <Text size="sm" c="dimmed">Rollback is off while automated sync is on (as in Argo CD): turn automated sync off to roll back.</Text> : null}
      <TableScroll label="History table" minWidth={640}>
        <Table striped>
          <Table.Caption>Last {history.data.length} syncs of {app.name}, newest first</Table.Caption>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">ID</Table.Th>
              <Table.Th scope="col">Revision</Table.Th>
              <Table.Th scope="col">Result</Table.Th>
              <Table.Th scope="col">Trigger</Table.Th>
              <Table.Th scope="col">Finished</Table.Th>
              <Table.Th scope="col">Message</Table.Th>
              {canSync ? <Table.Th scope="col">Action</Table.Th> : null}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {history.data.map((h) => (
              <Table.Tr key={h.id}>
                <Table.Td>{h.id}</Table.Td>
                <Table.Td ff="monospace" title={h.revision}>
                  {shortSha(h.revision)}
                </Table.Td>
                <Table.Td>
                  <PhaseBadge phase={h.phase} />
                </Table.Td>
                <Table.Td>
                  {h.trigger} by {h.actor}
                </Table.Td>
                <Table.Td>
                  <RelativeTime value={h.finishedAt} />
                </Table.Td>
                <Table.Td style={{ overflowWrap: 'anywhere' }}>{h.message}</Table.Td>
                {canSync ? (
                  <Table.Td>
                    <Button size="compact-sm" variant="default" disabled={automated} aria-label={`Rollback to ${shortSha(h.revision)} (history ${h.id})`} onClick={() => setTarget(h)}>
                      Rollback
                    </Button>
                  </Table.Td>
                ) : null}
              </Table.Tr>
            ))}
            {history.data.length === 0 ? (
              <Table.Tr>
                <Table.Td colSpan={canSync ? 7 : 6}>No syncs yet.</Table.Td>
              </Table.Tr>
            ) : null}
          </Table.Tbody>
        </Table>
      </TableScroll>
      {target ? <RollbackDialog app={app.name} entry={target} onClose={() => setTarget(undefined)} /> : null}
    </Stack>
  );
}

function RollbackDialog({ app, entry, onClose }: { app: string; entry: HistoryEntry; onClose: () => void }) {
  const client = useQueryClient();
  const rollback = useMutation({
    mutationFn: async () => unwrap(await api.POST('/api/v1/applications/{name}/rollback', { params: { path: { name: app } }, body: { id: entry.id } })),
    onSuccess: (op) => notifications.show({ color: op.phase === 'Succeeded' ? 'green' : 'red', title: `Rollback of ${app}: ${op.phase}`, message: op.message }),
    onError: (e) => notifications.show({ color: 'red', title: `Rollback of ${app} failed`, message: errorText(e) }),
    onSettled: () => client.invalidateQueries({ queryKey: appKeys.app(app) }),
  });
  return (
    <Modal opened closeButtonProps={{ 'aria-label': 'Close' }} onClose={onClose} title={`Roll back ${app}?`}>
      <Stack>
        <Text size="sm">
          Sync revision <code>{shortSha(entry.revision)}</code> with the source of history entry {entry.id} (synced <RelativeTime value={entry.finishedAt} />).
        </Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button
            color="orange"
            onClick={() => {
              rollback.mutate();
              notifications.show({ message: `Rollback of ${app} started` });
              onClose();
            }}
          >
            Roll back
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
