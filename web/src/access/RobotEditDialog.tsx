/**
 * Edit a robot after creation: description, expiry and permissions, in the fields creation uses,
 * filled from the robot. Only what changed is sent (PUT /robots/{name}): the expiry field shows
 * the days left, and re-sending them would restart the count. Enabling and disabling stay in
 * the list's menu; the secret is never shown here.
 */
import { useState } from 'react';
import { Alert, Button, Group, Modal, Stack } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { api, unwrap } from '../api/client.ts';
import type { ListItem } from '../api/types.ts';
import { ApiErrorAlert } from '../components/index.ts';
import { RobotFields } from './RobotFields.tsx';
import { formValuesOf, robotChanges, validDays, type RobotFormValues } from './robotForm.ts';

type Robot = ListItem<'/api/v1/robots'>;

function currentExpiry(expiresAt: number | null): string {
  if (expiresAt === null || expiresAt <= 0) return 'Now: never expires.';
  const when = new Date(expiresAt).toLocaleString();
  return expiresAt <= Date.now() ? `Now: expired ${when}.` : `Now: expires ${when}.`;
}

/** Mounted per robot (keyed by name), so the form starts from that robot's values. */
export function RobotEditDialog({ robot, onClose, onSaved }: { robot: Robot; onClose: () => void; onSaved: () => void }) {
  const [initial] = useState(() => formValuesOf(robot));
  const [values, setValues] = useState<RobotFormValues>(initial);
  const project = robot.level === 'project' ? (robot.project ?? undefined) : undefined;
  const changes = robotChanges(robot, values);
  const daysOk = changes.duration === undefined || validDays(values.days);
  const save = useMutation({
    mutationFn: () => unwrap(api.PUT('/api/v1/robots/{name}', { params: { path: { name: robot.name } }, body: robotChanges(robot, values) })),
    onSuccess: onSaved,
  });
  return (
    <Modal opened onClose={onClose} title={`Edit ${robot.name}`} size="lg">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (Object.keys(changes).length === 0) onClose();
          else if (daysOk) save.mutate();
        }}
      >
        <Stack>
          <RobotFields
            values={values}
            onChange={(patch) => setValues((v) => ({ ...v, ...patch }))}
            project={project}
            extra={initial.chosen}
            expiryDescription={`${currentExpiry(robot.expiresAt)} A new value counts from today; -1: never.`}
            daysError={daysOk ? undefined : 'From 1 to 36500 days, or -1 for never'}
          />
          {!initial.uniform && (
            <Alert variant="filled" color="yellow.4" autoContrast title="Permissions differ between projects">
              This robot holds different permissions on its projects. Changing the permissions or projects here gives every listed project the selected ones.
            </Alert>
          )}
          <ApiErrorAlert error={save.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={save.isPending} disabled={values.chosen.length === 0 || !daysOk}>
              Save changes
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
