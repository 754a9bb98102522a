/** Git repositories with credentials (system administrators): which credentials each has (never their values), connection state, add, remove. */
import { Alert, Button, Group, Loader, Stack, Table, Text, Title } from '@mantine/core';
import { TableScroll } from '../components/TableScroll.tsx';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../api/client.ts';
import { ConfirmDialog } from '../components/ConfirmDialog.tsx';
import { ConnectionState } from './Connection.tsx';
import { GitRepositoryAdd } from './GitRepositoryAdd.tsx';
import { errorText, unwrap } from './http.ts';
import { usePermissions } from './perms.ts';
import { RelativeTime } from '../components/RelativeTime.tsx';

export const gitRepoKeys = ['git-repositories'] as const;

export function GitRepositoriesList() {
  const perms = usePermissions();
  const client = useQueryClient();
  const list = useQuery({ queryKey: gitRepoKeys, queryFn: async () => unwrap(await api.GET('/api/v1/git-repositories')), enabled: perms.admin, refetchInterval: 30_000 });
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<string | undefined>();
  const remove = useMutation({
    mutationFn: async (url: string) => unwrap(await api.DELETE('/api/v1/git-repositories', { params: { query: { url } } })),
    onSuccess: async (_r, url) => {
      notifications.show({ color: 'green', message: `Repository ${url} removed` });
      setRemoving(undefined);
      await client.invalidateQueries({ queryKey: gitRepoKeys });
    },
  });
  if (!perms.loaded) return <Loader aria-label="Loading" />;
  if (!perms.admin) return <Alert title="Git repositories">Only system administrators manage Git repository credentials.</Alert>;
  return (
    <Stack gap="md">
      <Group justify="space-between">
        <Title order={1} size="h2">Git repositories</Title>
        <Button onClick={() => setAdding(true)}>Add repository</Button>
      </Group>
      <Text size="sm" c="dimmed">
        Repositories not listed here are read anonymously.
      </Text>
      {list.isError ? <Alert color="red">{errorText(list.error)}</Alert> : null}
      <TableScroll label="Git repositories table" minWidth={640}>
        <Table striped>
          <Table.Caption>{list.isPending ? 'Loading repositories…' : `${list.data?.length ?? 0} repositories with credentials`}</Table.Caption>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">URL</Table.Th>
              <Table.Th scope="col">Type</Table.Th>
              <Table.Th scope="col">Credentials</Table.Th>
              <Table.Th scope="col">Connection</Table.Th>
              <Table.Th scope="col">Added</Table.Th>
              <Table.Th scope="col">Action</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(list.data ?? []).map((r) => (
              <Table.Tr key={r.normalizedUrl}>
                <Table.Td style={{ overflowWrap: 'anywhere' }}>{r.url}</Table.Td>
                <Table.Td>{r.type}</Table.Td>
                <Table.Td>
                  {[r.username ? `user ${r.username}` : '', r.hasPassword ? 'password' : '', r.hasSshPrivateKey ? 'SSH key' : '', r.hasKnownHosts ? 'known hosts' : '', r.insecureIgnoreHostKey ? 'host key not checked' : '']
                    .filter(Boolean)
                    .join(', ') || 'none'}
                </Table.Td>
                <Table.Td>
                  <ConnectionState of={r} />
                </Table.Td>
                <Table.Td>
                  <RelativeTime value={r.createdAt} /> by {r.createdBy}
                </Table.Td>
                <Table.Td>
                  <Button size="compact-sm" color="red" variant="subtle" aria-label={`Remove repository ${r.url}`} onClick={() => setRemoving(r.url)}>
                    Remove
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </TableScroll>
      {adding ? <GitRepositoryAdd onClose={() => setAdding(false)} /> : null}
      {removing ? (
        <ConfirmDialog
          title="Remove repository?"
          confirmLabel="Remove"
          opened onConfirm={() => remove.mutateAsync(removing)}
          onClose={() => setRemoving(undefined)}
        >
          Berth forgets the credentials of {removing}; it is read anonymously from then on.
        </ConfirmDialog>
      ) : null}
    </Stack>
  );
}
