/**
 * Create or edit a webhook policy: event types (from the server's list),
 * applications, 1–10 targets. Auth headers are write-only: on edit an empty
 * field keeps the stored header. After create, the signing secret is shown once.
 */
import { Alert, Button, Checkbox, Fieldset, Group, Modal, NativeSelect, PasswordInput, Stack, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api } from '../api/client.ts';
import { errorText, unwrap } from '../delivery/http.ts';
import type { TargetInput, WebhookCreateBody, WebhookPolicy } from './types.ts';

interface TargetDraft {
  type: string;
  address: string;
  payloadFormat: string;
  authHeader: string;
  authHeaderSet: boolean;
  skipCertVerify: boolean;
}

const emptyTarget = (): TargetDraft => ({ type: 'http', address: '', payloadFormat: 'Default', authHeader: '', authHeaderSet: false, skipCertVerify: false });

export function WebhookForm({ project, policy, onClose, onCreated }: { project: string; policy?: WebhookPolicy | undefined; onClose: () => void; onCreated: (secret: string) => void }) {
  const client = useQueryClient();
  const types = useQuery({ queryKey: ['webhook-event-types'], queryFn: async () => unwrap(await api.GET('/api/v1/webhooks/event-types')), staleTime: Infinity });
  const [name, setName] = useState(policy?.name ?? '');
  const [description, setDescription] = useState(policy?.description ?? '');
  const [events, setEvents] = useState<string[]>(policy?.eventTypes ?? []);
  const [apps, setApps] = useState((policy?.applications ?? ['*']).join(', '));
  const [enabled, setEnabled] = useState(policy?.enabled ?? true);
  const [targets, setTargets] = useState<TargetDraft[]>(
    policy?.targets.map((t) => ({ type: t.type, address: t.address, payloadFormat: t.payloadFormat, authHeader: '', authHeaderSet: t.authHeaderSet, skipCertVerify: t.skipCertVerify })) ?? [emptyTarget()],
  );
  const save = useMutation({
    mutationFn: async (body: WebhookCreateBody) => {
      if (!policy) return unwrap(await api.POST('/api/v1/projects/{project}/webhooks', { params: { path: { project } }, body }));
      unwrap(await api.PUT('/api/v1/projects/{project}/webhooks/{name}', { params: { path: { project, name: policy.name } }, body }));
      return undefined;
    },
    onSuccess: async (created) => {
      notifications.show({ color: 'green', message: `Webhook ${name} ${policy ? 'saved' : 'created'}` });
      await client.invalidateQueries({ queryKey: ['webhooks', project] });
      onClose();
      if (created) onCreated(created.secret);
    },
  });
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    const applications = apps.split(',').map((a) => a.trim()).filter(Boolean);
    save.mutate({
      name: name.trim(),
      description,
      eventTypes: events,
      ...(applications.length ? { applications } : {}),
      enabled,
      targets: targets.map(
        (t) =>
          ({
            type: t.type,
            address: t.address.trim(),
            payloadFormat: t.payloadFormat,
            skipCertVerify: t.skipCertVerify,
            // Empty keeps the stored header on update (write-only field).
            ...(t.authHeader ? { authHeader: t.authHeader } : {}),
          }) as TargetInput,
      ),
    });
  };
  const patch = (i: number, change: Partial<TargetDraft>): void => setTargets(targets.map((t, j) => (j === i ? { ...t, ...change } : t)));

  return (
    <Modal opened closeButtonProps={{ 'aria-label': 'Close' }} onClose={onClose} title={policy ? `Edit webhook ${policy.name}` : `New webhook in ${project}`} size="xl">
      <form onSubmit={submit} aria-label={policy ? 'Edit webhook' : 'New webhook'}>
        <Stack gap="sm">
          <TextInput label="Name" required value={name} onChange={(e) => setName(e.currentTarget.value)} />
          <TextInput label="Description" value={description} onChange={(e) => setDescription(e.currentTarget.value)} />
          <Checkbox.Group label="Event types" value={events} onChange={setEvents} withAsterisk>
            <Group gap="xs" mt={4}>
              {(types.data ?? []).map((t) => (
                <Checkbox key={t.name} value={t.name} label={t.available ? t.name : `${t.name} (reserved)`} title={t.description} />
              ))}
            </Group>
          </Checkbox.Group>
          <TextInput label="Applications" description="For APPLICATION_* events: names separated by commas, or * for all" value={apps} onChange={(e) => setApps(e.currentTarget.value)} />
          {targets.map((t, i) => (
            <Fieldset key={i} legend={`Target ${i + 1}`}>
              <Stack gap="xs">
                <Group grow align="end">
                  <NativeSelect label="Type" value={t.type} data={['http', 'slack']} onChange={(e) => patch(i, { type: e.currentTarget.value })} />
                  <NativeSelect label="Payload format" value={t.payloadFormat} data={['Default', 'CloudEvents']} disabled={t.type === 'slack'} onChange={(e) => patch(i, { payloadFormat: e.currentTarget.value })} />
                </Group>
                <TextInput label="Address" required placeholder="https://receiver.example.com/hook" value={t.address} onChange={(e) => patch(i, { address: e.currentTarget.value })} />
                <PasswordInput
                  label="Authorization header"
                  description={t.authHeaderSet ? 'A header is stored; leave empty to keep it' : 'Optional; write-only'}
                  autoComplete="off"
                  value={t.authHeader}
                  onChange={(e) => patch(i, { authHeader: e.currentTarget.value })}
                />
                <Group justify="space-between">
                  <Checkbox label="Skip certificate verification" checked={t.skipCertVerify} onChange={(e) => patch(i, { skipCertVerify: e.currentTarget.checked })} />
                  {targets.length > 1 ? (
                    <Button size="compact-sm" variant="subtle" color="red" onClick={() => setTargets(targets.filter((_, j) => j !== i))}>
                      Remove target {i + 1}
                    </Button>
                  ) : null}
                </Group>
              </Stack>
            </Fieldset>
          ))}
          {targets.length < 10 ? (
            <Group>
              <Button variant="subtle" size="xs" onClick={() => setTargets([...targets, emptyTarget()])}>
                Add target
              </Button>
            </Group>
          ) : null}
          <Checkbox label="Enabled" checked={enabled} onChange={(e) => setEnabled(e.currentTarget.checked)} />
          {save.isError ? (
            <Alert color="red" title="Not saved" role="alert">
              {errorText(save.error)}
            </Alert>
          ) : null}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={save.isPending} disabled={events.length === 0}>
              {policy ? 'Save' : 'Create'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
