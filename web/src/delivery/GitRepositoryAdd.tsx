/** Register a Git repository: username and password (or token) for HTTPS, a private key and known hosts for SSH. Sent once, never shown. */
import { Alert, Button, Checkbox, Group, Modal, PasswordInput, Stack, Textarea, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api } from '../api/client.ts';
import { errorText, unwrap } from './http.ts';
import type { GitRepoBody } from './types.ts';

const isSsh = (url: string): boolean => url.startsWith('ssh://') || /^[\w.-]+@[\w.-]+:/.test(url);

export function GitRepositoryAdd({ onClose }: { onClose: () => void }) {
  const client = useQueryClient();
  const [f, setF] = useState({ url: '', username: '', password: '', key: '', knownHosts: '', insecure: false });
  const add = useMutation({
    mutationFn: async (body: GitRepoBody) => unwrap(await api.POST('/api/v1/git-repositories', { body })),
    onSuccess: async (r) => {
      notifications.show({ color: 'green', message: `Repository ${r.url} added` });
      await client.invalidateQueries({ queryKey: ['git-repositories'] });
      onClose();
    },
  });
  const ssh = isSsh(f.url.trim());
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    add.mutate({
      url: f.url.trim(),
      ...(!ssh && f.username ? { username: f.username } : {}),
      ...(!ssh && f.password ? { password: f.password } : {}),
      ...(ssh && f.key ? { sshPrivateKey: f.key } : {}),
      ...(ssh && f.knownHosts ? { knownHosts: f.knownHosts } : {}),
      ...(ssh && f.insecure ? { insecureIgnoreHostKey: true } : {}),
    });
  };
  const text = (k: keyof typeof f) => (e: { currentTarget: { value: string } }) => setF({ ...f, [k]: e.currentTarget.value });
  return (
    <Modal opened closeButtonProps={{ 'aria-label': 'Close' }} onClose={onClose} title="Add Git repository" size="lg">
      <form onSubmit={submit} aria-label="Add Git repository">
        <Stack gap="sm">
          <TextInput label="Repository URL" required placeholder="https://git.example.com/team/deploy.git or git@host:team/deploy.git" value={f.url} onChange={text('url')} />
          {ssh ? (
            <>
              <Textarea label="SSH private key" autosize minRows={3} value={f.key} onChange={text('key')} styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }} />
              <Textarea label="Known hosts" description="known_hosts lines for the server" autosize minRows={2} value={f.knownHosts} onChange={text('knownHosts')} />
              <Checkbox label="Do not check the host key (insecure)" checked={f.insecure} onChange={(e) => setF({ ...f, insecure: e.currentTarget.checked })} />
            </>
          ) : (
            <>
              <TextInput label="Username" autoComplete="off" value={f.username} onChange={text('username')} />
              <PasswordInput label="Password or token" autoComplete="off" value={f.password} onChange={text('password')} />
            </>
          )}
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
