/** Your personal API tokens: create (the token is shown once), revoke. */
import { useState } from 'react';
import { Button, Group, Modal, NumberInput, Stack, Table, TextInput } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client.ts';
import type { ListItem } from '../api/types.ts';
import { ApiErrorAlert, ConfirmDialog, notifyDone, PageHeader, RelativeTime, StatusBadge, TableScroll } from '../components/index.ts';
import { expiryState } from './expiry.ts';
import { SecretDialog } from '../components/index.ts';

type Token = ListItem<'/api/v1/users/me/tokens'>;
const KEY = ['my-tokens'];

export function TokensPage() {
  const client = useQueryClient();
  const tokens = useQuery({ queryKey: KEY, queryFn: () => unwrap(api.GET('/api/v1/users/me/tokens')) });
  const [creating, setCreating] = useState(false);
  const [shown, setShown] = useState<{ name: string; secret: string } | null>(null);
  const [revoking, setRevoking] = useState<Token | null>(null);
  return (
    <Stack>
      <PageHeader title="Personal API tokens" actions={<Button onClick={() => setCreating(true)}>New token</Button>} />
      <ApiErrorAlert error={tokens.error} />
      <TableScroll label="Your API tokens">
        <Table striped captionSide="top">
          <Table.Caption>Your API tokens, for the CLI, scripts and docker login</Table.Caption>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Name</Table.Th>
              <Table.Th scope="col">Created</Table.Th>
              <Table.Th scope="col">Last used</Table.Th>
              <Table.Th scope="col">Expires</Table.Th>
              <Table.Th scope="col">Actions</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {tokens.data?.map((t) => {
              const state = expiryState(t.expiresAt);
              return (
                <Table.Tr key={t.id}>
                  <Table.Td>{t.name}</Table.Td>
                  <Table.Td>
                    <RelativeTime value={t.createdAt} />
                  </Table.Td>
                  <Table.Td>
                    <RelativeTime value={t.lastUsedAt} fallback="Never" />
                  </Table.Td>
                  <Table.Td>
                    <Group gap={6}>
                      <RelativeTime value={t.expiresAt} fallback="Never" />
                      {state === 'expiring' && <StatusBadge status="expiring" label="Expires soon" />}
                      {state === 'expired' && <StatusBadge status="expired" label="Expired" />}
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    <Button size="xs" variant="light" color="red" onClick={() => setRevoking(t)} aria-label={`Revoke ${t.name}`}>
                      Revoke
                    </Button>
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      </TableScroll>
      {tokens.data?.length === 0 && <div>No tokens yet.</div>}
      <CreateTokenDialog
        opened={creating}
        onClose={() => setCreating(false)}
        onCreated={(t) => {
          setCreating(false);
          setShown(t);
          void client.invalidateQueries({ queryKey: KEY });
        }}
      />
      <SecretDialog title="API token" name={shown?.name ?? ''} secret={shown?.secret ?? null} onClose={() => setShown(null)} />
      <ConfirmDialog
        opened={revoking !== null}
        onClose={() => setRevoking(null)}
        title="Revoke token"
        confirmLabel="Revoke"
        onConfirm={async () => {
          if (!revoking) return;
          await unwrap(api.DELETE('/api/v1/users/me/tokens/{id}', { params: { path: { id: revoking.id } } }));
          notifyDone(`Token ${revoking.name} revoked`);
          await client.invalidateQueries({ queryKey: KEY });
        }}
      >
        Revoke {revoking?.name}? Scripts using it stop working at once.
      </ConfirmDialog>
    </Stack>
  );
}

function CreateTokenDialog({ opened, onClose, onCreated }: { opened: boolean; onClose: () => void; onCreated: (t: { name: string; secret: string }) => void }) {
  const [name, setName] = useState('');
  const [days, setDays] = useState<number | string>(90);
  const create = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/users/me/tokens', { body: { name: name.trim(), ...(days === '' ? {} : { expiresInDays: Number(days) }) } })),
    onSuccess: (t) => {
      setName('');
      onCreated({ name: t.name, secret: t.secret });
    },
  });
  return (
    <Modal opened={opened} onClose={onClose} title="New API token">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <Stack>
          <TextInput label="Name" required value={name} onChange={(e) => setName(e.currentTarget.value)} data-autofocus />
          <NumberInput label="Expires after (days)" description="Empty: never" value={days} onChange={setDays} min={1} max={3650} allowDecimal={false} />
          <ApiErrorAlert error={create.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={create.isPending}>
              Create token
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
