/** Register a cluster: API server and a bearer token or client certificate; secrets are sent once and never shown again. */
import { Alert, Button, Checkbox, Group, Modal, NativeSelect, PasswordInput, Stack, Textarea, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api } from '../api/client.ts';
import { errorText, unwrap } from './http.ts';
import type { ClusterBody } from './types.ts';

export function ClusterAdd({ onClose }: { onClose: () => void }) {
  const client = useQueryClient();
  const [f, setF] = useState({ name: '', server: '', auth: 'token', token: '', cert: '', key: '', ca: '', insecure: false });
  const add = useMutation({
    mutationFn: async (body: ClusterBody) => unwrap(await api.POST('/api/v1/clusters', { body })),
    onSuccess: async (c) => {
      notifications.show({ color: 'green', message: `Cluster ${c.name} added` });
      await client.invalidateQueries({ queryKey: ['clusters'] });
      onClose();
    },
  });
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    add.mutate({
      name: f.name.trim(),
      server: f.server.trim(),
      ...(f.auth === 'token' && f.token ? { bearerToken: f.token } : {}),
      ...(f.auth === 'cert' ? { clientCertData: f.cert, clientKeyData: f.key } : {}),
      ...(f.ca.trim() ? { caData: f.ca } : {}),
      insecureSkipTlsVerify: f.insecure,
    });
  };
  const text = (k: keyof typeof f) => (e: { currentTarget: { value: string } }) => setF({ ...f, [k]: e.currentTarget.value });
  return (
    <Modal opened closeButtonProps={{ 'aria-label': 'Close' }} onClose={onClose} title="Add cluster" size="lg">
      <form onSubmit={submit} aria-label="Add cluster">
        <Stack gap="sm">
          <TextInput label="Name" required value={f.name} onChange={text('name')} />
          <TextInput label="API server URL" required placeholder="https://host:6443" value={f.server} onChange={text('server')} />
          <NativeSelect label="Authentication" value={f.auth} onChange={text('auth')} data={[{ value: 'token', label: 'Bearer token' }, { value: 'cert', label: 'Client certificate' }, { value: 'none', label: 'None' }]} />
          {f.auth === 'token' ? <PasswordInput label="Bearer token" required autoComplete="off" value={f.token} onChange={text('token')} /> : null}
          {f.auth === 'cert' ? (
            <>
              <Textarea label="Client certificate (PEM)" required autosize minRows={3} value={f.cert} onChange={text('cert')} />
              <Textarea label="Client key (PEM)" required autosize minRows={3} value={f.key} onChange={text('key')} />
            </>
          ) : null}
          <Textarea label="CA certificates (PEM)" description="Leave empty to use the system CAs" autosize minRows={2} value={f.ca} onChange={text('ca')} disabled={f.insecure} />
          <Checkbox label="Skip TLS verification (insecure)" checked={f.insecure} onChange={(e) => setF({ ...f, insecure: e.currentTarget.checked })} disabled={Boolean(f.ca.trim())} />
          {add.isError ? (
            <Alert color="red" title="Not added" role="alert">
              {errorText(add.error)}
            </Alert>
          ) : null}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={add.isPending}>
              Add
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
