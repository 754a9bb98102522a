/** Clusters (system administrators): connection state, add, remove with confirmation. Credentials are write-only. */
import { Alert, Button, Group, Loader, Stack, Table, Text, Title } from '@mantine/core';
import { TableScroll } from '../components/TableScroll.tsx';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../api/client.ts';
import { ClusterAdd } from './ClusterAdd.tsx';
import { ConfirmDialog } from '../components/ConfirmDialog.tsx';
import { ConnectionState } from './Connection.tsx';
import { errorText, unwrap } from './http.ts';
import { usePermissions } from './perms.ts';
import { RelativeTime } from '../components/RelativeTime.tsx';

export const clusterKeys = ['clusters'] as const;

export function ClustersList() {
  const perms = usePermissions();
  const client = useQueryClient();
  const list = useQuery({ queryKey: clusterKeys, queryFn: async () => unwrap(await api.GET('/api/v1/clusters')), enabled: perms.admin, refetchInterval: 30_000 });
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<string | undefined>();
  const remove = useMutation({
    mutationFn: async (name: string) => unwrap(await api.DELETE('/api/v1/clusters/{name}', { params: { path: { name } } })),
    onSuccess: async (_r, name) => {
      notifications.show({ color: 'green', message: `Cluster ${name} removed` });
      setRemoving(undefined);
      await client.invalidateQueries({ queryKey: clusterKeys });
    },
  });
  if (!perms.loaded) return <Loader aria-label="Loading" />;
  if (!perms.admin) return <Alert title="Clusters">Only system administrators manage clusters.</Alert>;
  return (
    <Stack gap="md">
      <Group justify="space-between">
        <Title order={1} size="h2">Clusters</Title>
        <Button onClick={() => setAdding(true)}>Add cluster</Button>
      </Group>
      {list.isError ? <Alert color="red">{errorText(list.error)}</Alert> : null}
      <TableScroll label="Clusters table" minWidth={640}>
        <Table striped>
          <Table.Caption>{list.isPending ? 'Loading clusters…' : `${list.data?.length ?? 0} clusters`}</Table.Caption>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Name</Table.Th>
              <Table.Th scope="col">API server</Table.Th>
              <Table.Th scope="col">Authentication</Table.Th>
              <Table.Th scope="col">Connection</Table.Th>
              <Table.Th scope="col">Added</Table.Th>
              <Table.Th scope="col">Action</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(list.data ?? []).map((c) => (
              <Table.Tr key={c.name}>
                <Table.Td>{c.name}</Table.Td>
                <Table.Td style={{ overflowWrap: 'anywhere' }}>{c.server}</Table.Td>
                <Table.Td>
                  {c.auth}
                  <Text size="xs" c="dimmed">
                    {c.hasCaData ? 'own CA' : c.insecureSkipTlsVerify ? 'TLS not verified' : 'system CAs'}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <ConnectionState of={c} />
                </Table.Td>
                <Table.Td>
                  <RelativeTime value={c.createdAt} /> by {c.createdBy}
                </Table.Td>
                <Table.Td>
                  <Button size="compact-sm" color="red" variant="subtle" aria-label={`Remove cluster ${c.name}`} onClick={() => setRemoving(c.name)}>
                    Remove
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </TableScroll>
      {adding ? <ClusterAdd onClose={() => setAdding(false)} /> : null}
      {removing ? (
        <ConfirmDialog
          title={`Remove cluster ${removing}?`}
          confirmLabel="Remove"
          opened onConfirm={() => remove.mutateAsync(removing)}
          onClose={() => setRemoving(undefined)}
        >
          Berth forgets the cluster and its credentials. Refused while applications deploy to it.
        </ConfirmDialog>
      ) : null}
    </Stack>
  );
}
