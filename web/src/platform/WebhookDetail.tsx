/** A webhook policy: its targets, deliveries (newest first), test delivery, edit, rotate secret, delete — as the role allows. */
import { Alert, Anchor, Breadcrumbs, Button, Group, Loader, Stack, Text, Title } from '@mantine/core';
import { Tone } from '../delivery/badges.tsx';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api } from '../api/client.ts';
import { ConfirmDialog } from '../components/ConfirmDialog.tsx';
import { errorText, unwrap } from '../delivery/http.ts';
import { usePermissions } from '../delivery/perms.ts';
import { DeliveriesTable, TestResults } from './Deliveries.tsx';
import { SecretDialog } from '../components/index.ts';
import { WebhookForm } from './WebhookForm.tsx';

export function WebhookDetail() {
  const { project = '', name = '' } = useParams();
  const perms = usePermissions(project);
  const client = useQueryClient();
  const navigate = useNavigate();
  const path = { params: { path: { project, name } } };
  const policy = useQuery({ queryKey: ['webhooks', project, name], queryFn: async () => unwrap(await api.GET('/api/v1/projects/{project}/webhooks/{name}', path)) });
  const [editing, setEditing] = useState(false);
  const [confirm, setConfirm] = useState<'delete' | 'rotate' | undefined>();
  const [secret, setSecret] = useState<string | undefined>();
  const test = useMutation({
    mutationFn: async () => unwrap(await api.POST('/api/v1/projects/{project}/webhooks/{name}/test', path)),
    onSettled: () => client.invalidateQueries({ queryKey: ['webhooks', project, name, 'deliveries'] }),
  });
  const rotate = useMutation({
    mutationFn: async () => unwrap(await api.POST('/api/v1/projects/{project}/webhooks/{name}/rotate-secret', path)),
    onSuccess: (r) => {
      setConfirm(undefined);
      setSecret(r.secret);
    },
  });
  const del = useMutation({
    mutationFn: async () => unwrap(await api.DELETE('/api/v1/projects/{project}/webhooks/{name}', path)),
    onSuccess: async () => {
      notifications.show({ color: 'green', message: `Webhook ${name} deleted` });
      client.removeQueries({ queryKey: ['webhooks', project, name] });
      await navigate(`/webhooks?project=${encodeURIComponent(project)}`);
    },
  });
  if (policy.isPending) return <Loader aria-label="Loading webhook" />;
  if (policy.isError) return <Alert color="red" title={`Webhook ${name}`}>{errorText(policy.error)}</Alert>;
  const p = policy.data;
  const canUpdate = perms.can('webhook:update');
  return (
    <Stack gap="md">
      <Breadcrumbs aria-label="Breadcrumb">
        <Anchor component={Link} to={`/webhooks?project=${encodeURIComponent(project)}`}>
          Webhooks of {project}
        </Anchor>
        <Text span>{p.name}</Text>
      </Breadcrumbs>
      <Group justify="space-between" wrap="wrap">
        <Group gap="sm">
          <Title order={1} size="h2">{p.name}</Title>
          <Tone color={p.enabled ? 'green' : 'gray'}>
            {p.enabled ? 'enabled' : 'disabled'}
          </Tone>
        </Group>
        <Group gap="xs">
          {canUpdate ? (
            <>
              <Button loading={test.isPending} onClick={() => test.mutate()}>
                Send test event
              </Button>
              <Button variant="default" onClick={() => setEditing(true)}>
                Edit
              </Button>
              <Button variant="default" onClick={() => setConfirm('rotate')}>
                Rotate secret
              </Button>
            </>
          ) : null}
          {perms.can('webhook:delete') ? (
            <Button color="red" variant="outline" onClick={() => setConfirm('delete')}>
              Delete
            </Button>
          ) : null}
        </Group>
      </Group>
      <Text size="sm">
        {p.description ? `${p.description} · ` : ''}Events: {p.eventTypes.join(', ')} · Applications: {p.applications.join(', ')}
      </Text>
      <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
        Targets: {p.targets.map((t) => `${t.type} ${t.address} (${t.payloadFormat}${t.authHeaderSet ? ', Authorization set' : ''}${t.skipCertVerify ? ', certificate not verified' : ''})`).join('; ')}
      </Text>
      {test.isError ? <Alert color="red" title="Test not sent">{errorText(test.error)}</Alert> : null}
      {test.data ? <TestResults results={test.data} /> : null}
      <DeliveriesTable project={project} name={name} />
      {editing ? <WebhookForm project={project} policy={p} onClose={() => setEditing(false)} onCreated={() => undefined} /> : null}
      {secret ? <SecretDialog title="New signing secret" secret={secret} note="Receivers use it to check the X-Berth-Signature of each delivery." onClose={() => setSecret(undefined)} /> : null}
      {confirm === 'rotate' ? (
        <ConfirmDialog title={`Rotate the secret of ${p.name}?`} confirmLabel="Rotate" opened onConfirm={() => rotate.mutateAsync()} onClose={() => setConfirm(undefined)}>
          A new secret signs every delivery from now on; receivers must be given it.
        </ConfirmDialog>
      ) : null}
      {confirm === 'delete' ? (
        <ConfirmDialog title={`Delete webhook ${p.name}?`} confirmLabel="Delete" opened onConfirm={() => del.mutateAsync()} onClose={() => setConfirm(undefined)}>
          The policy and its delivery log are deleted.
        </ConfirmDialog>
      ) : null}
    </Stack>
  );
}
