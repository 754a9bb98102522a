/**
 * Create a robot: name, then the shared fields (description, expiry in days, projects for system
 * robots, permissions). Project robots hold permissions on their project; system robots
 * (administrators) on chosen projects or all (*). The response carries the secret, which the
 * caller shows once.
 */
import { useState } from 'react';
import { Button, Group, Modal, Stack, TextInput } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { api, unwrap } from '../api/client.ts';
import { ApiErrorAlert } from '../components/index.ts';
import { RobotFields } from './RobotFields.tsx';
import { NEW_ROBOT, permissionSets, type RobotFormValues } from './robotForm.ts';

export interface CreatedRobot {
  name: string;
  secret: string;
}

export function RobotCreateDialog({ project, opened, onClose, onCreated }: { project?: string; opened: boolean; onClose: () => void; onCreated: (r: CreatedRobot) => void }) {
  const [name, setName] = useState('');
  const [values, setValues] = useState<RobotFormValues>(NEW_ROBOT);
  const create = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/v1/robots', {
          body: { name: name.trim(), level: project ? 'project' : 'system', description: values.description, duration: Number(values.days), permissions: permissionSets(values, project) },
        }),
      ),
    onSuccess: (robot) => {
      setName('');
      setValues(NEW_ROBOT);
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
          <RobotFields values={values} onChange={(patch) => setValues((v) => ({ ...v, ...patch }))} project={project} />
          <ApiErrorAlert error={create.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={create.isPending} disabled={values.chosen.length === 0}>
              Create robot
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
