/**
 * The fields robot creation and editing share: description, expiry, projects (system robots)
 * and the permission picker. Permissions outside the usual groups (granted through the API)
 * are listed too, so the picker never drops one silently.
 */
import type { ReactNode } from 'react';
import { Checkbox, NumberInput, SimpleGrid, Stack, Text, TextInput, Textarea } from '@mantine/core';
import { ROBOT_PERMISSIONS, type RobotFormValues } from './robotForm.ts';

const KNOWN = new Set(ROBOT_PERMISSIONS.flatMap((g) => g.actions.map((a) => `${g.resource}:${a}`)));

export function RobotFields({
  values,
  onChange,
  project,
  expiryDescription = '-1: never',
  daysError,
  extra = [],
}: {
  values: RobotFormValues;
  onChange: (patch: Partial<RobotFormValues>) => void;
  /** A project robot's project: its permissions are on that project only. */
  project?: string | undefined;
  expiryDescription?: ReactNode;
  daysError?: string | undefined;
  /** Permissions the robot held when the form opened that are not in the usual groups. */
  extra?: string[];
}) {
  const other = extra.filter((p) => !KNOWN.has(p));
  const groups = other.length > 0 ? [...ROBOT_PERMISSIONS, { resource: 'other', actions: [] }] : ROBOT_PERMISSIONS;
  return (
    <>
      <Textarea label="Description" value={values.description} onChange={(e) => onChange({ description: e.currentTarget.value })} autosize minRows={1} />
      <NumberInput label="Expires after (days)" description={expiryDescription} error={daysError} value={values.days} onChange={(days) => onChange({ days })} min={-1} max={36_500} allowDecimal={false} />
      {!project && (
        <TextInput label="Projects" description="Comma-separated project names, or * for all" required value={values.namespaces} onChange={(e) => onChange({ namespaces: e.currentTarget.value })} />
      )}
      <Checkbox.Group label="Permissions" value={values.chosen} onChange={(chosen) => onChange({ chosen })} required>
        <SimpleGrid cols={{ base: 1, xs: 2 }} mt="xs">
          {groups.map((g) => (
            <Stack key={g.resource} gap={4}>
              <Text size="sm" fw={600}>
                {g.resource}
              </Text>
              {(g.resource === 'other' ? other : g.actions.map((a) => `${g.resource}:${a}`)).map((p) => (
                <Checkbox key={p} value={p} label={p} />
              ))}
            </Stack>
          ))}
        </SimpleGrid>
      </Checkbox.Group>
    </>
  );
}
