/** Create a user; reset a user's password (administrators). */
import { useState } from 'react';
import { Button, Checkbox, Group, Modal, PasswordInput, Stack, TextInput } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { api, unwrap } from '../api/client.ts';
import { ApiErrorAlert, notifyDone } from '../components/index.ts';

export function UserCreateDialog({ opened, onClose, onCreated }: { opened: boolean; onClose: () => void; onCreated: () => void }) {
  const [username, setUsername] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [admin, setAdmin] = useState(false);
  const create = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/users', { body: { username: username.trim(), password, admin, ...(email.trim() ? { email: email.trim() } : {}) } })),
    onSuccess: () => {
      notifyDone(`User ${username.trim()} created`);
      setUsername('');
      setEmail('');
      setPassword('');
      setAdmin(false);
      onClose();
      onCreated();
    },
  });
  return (
    <Modal opened={opened} onClose={onClose} title="New user">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <Stack>
          <TextInput label="User name" required value={username} onChange={(e) => setUsername(e.currentTarget.value)} autoComplete="off" data-autofocus />
          <TextInput label="Email" type="email" value={email} onChange={(e) => setEmail(e.currentTarget.value)} autoComplete="off" />
          <PasswordInput label="Password" required value={password} onChange={(e) => setPassword(e.currentTarget.value)} autoComplete="new-password" />
          <Checkbox label="Administrator" checked={admin} onChange={(e) => setAdmin(e.currentTarget.checked)} />
          <ApiErrorAlert error={create.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={create.isPending}>
              Create user
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

export function PasswordDialog({ username, onClose }: { username: string | null; onClose: () => void }) {
  const [password, setPassword] = useState('');
  const reset = useMutation({
    mutationFn: () => unwrap(api.PUT('/api/v1/users/{username}/password', { params: { path: { username: username ?? '' } }, body: { newPassword: password } })),
    onSuccess: () => {
      notifyDone(`Password of ${username ?? ''} reset`);
      setPassword('');
      onClose();
    },
  });
  return (
    <Modal opened={username !== null} onClose={onClose} title={`Reset password of ${username ?? ''}`}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          reset.mutate();
        }}
      >
        <Stack>
          <PasswordInput label="New password" required value={password} onChange={(e) => setPassword(e.currentTarget.value)} autoComplete="new-password" data-autofocus />
          <ApiErrorAlert error={reset.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={reset.isPending}>
              Reset password
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
