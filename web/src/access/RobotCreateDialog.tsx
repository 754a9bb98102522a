/**
 * Create a robot: name, description, expiry in days (-1 never) and its permissions. Project robots
 * hold permissions on their project; system robots (administrators) on chosen projects or all (*).
 * The response carries the secret, which the caller shows once.
 */
import { useState } from 'react';
import { Button, Checkbox, Group, Modal, NumberInput, SimpleGrid, Stack, Text, TextInput, Textarea } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { api, unwrap } from '../api/client.ts';
import { ApiErrorAlert } from '../components/index.ts';

/** What robots usually need, grouped as Harbor's robot dialog does. */
export const ROBOT_PERMISSIONS: { resource: string; actions: string[] }[] = [
  { resource: 'repository', actions: ['pull', 'push', 'delete', 'list'] },
  { resource: 'artifact', actions: ['read', 'list', 'delete'] },
  { resource: 'tag', actions: ['list', 'create', 'delete'] },
  { resource: 'application', actions: ['read', 'sync'] },
];

export interface CreatedRobot {
  name: string;
  secret: string;
}

export function RobotCreateDialog({ project, opened, onClose, onCreated }: { project?: string; opened: boolean; onClose: () => void; onCreated: (r: CreatedRobot) => void }) {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [days, setDays] = useState<number | string>(30);
  const [namespaces, setNamespaces] = useState(project ?? '*');
  const [chosen, setChosen] = useState<string[]>(['repository:pull']);
  const create = useMutation({
    mutationFn: () => {
      const access = chosen.map((p) => {
        const [resource, action] = p.split(':') as [string, string];
        return { resource, action };
      });
      const targets = project ? [project] : namespaces.split(',').map((n) => n.trim()).filter(Boolean);
      return unwrap(
        api.POST('/api/v1/robots', {
          body: { name: name.trim(), level: project ? 'project' : 'system', description, duration: Number(days), permissions: targets.map((namespace) => ({ namespace, access })) },
        }),
      );
    },
    onSuccess: (robot) => {
      setName('');
      setDescription('');
      onCreated({ name: robot.name, secret: robot.secret });
    },
  });
  return (
    <Modal opened={opened} onClose={onClose} title={project ? `New robot in ${project}` : 'New system robot'} size="lg">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <Stack>
          <TextInput label="Name" description="Lower-case letters, digits, . _ -" required value={name} onChange={(e) => setName(e.currentTarget.value)} data-autofocus />
          <Textarea label="Description" value={description} onChange={(e) => setDescription(e.currentTarget.value)} autosize minRows={1} />
          <NumberInput label="Expires after (days)" description="-1: never" value={days} onChange={setDays} min={-1} max={3650} allowDecimal={false} />
          {!project && <TextInput label="Projects" description="Comma-separated project names, or * for all" required value={namespaces} onChange={(e) => setNamespaces(e.currentTarget.value)} />}
          <Checkbox.Group label="Permissions" value={chosen} onChange={setChosen} required>
            <SimpleGrid cols={{ base: 1, xs: 2 }} mt="xs">
              {ROBOT_PERMISSIONS.map((g) => (
                <Stack key={g.resource} gap={4}>
                  <Text size="sm" fw={600}>
                    {g.resource}
                  </Text>
                  {g.actions.map((a) => (
                    <Checkbox key={a} value={`${g.resource}:${a}`} label={`${g.resource}:${a}`} />
                  ))}
                </Stack>
              ))}
            </SimpleGrid>
          </Checkbox.Group>
          <ApiErrorAlert error={create.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={create.isPending} disabled={chosen.length === 0}>
              Create robot
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
