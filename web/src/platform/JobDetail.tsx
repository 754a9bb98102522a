/** One job: state, attempts, timings, lease, last error and payload; retry and cancel for job:manage holders. */
import { Alert, Anchor, Breadcrumbs, Button, Card, Code, Group, Loader, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Link, useParams } from 'react-router';
import { api } from '../api/client.ts';
import { PhaseBadge } from '../delivery/badges.tsx';
import { duration, errorText, exact, unwrap } from '../delivery/http.ts';
import { usePermissions } from '../delivery/perms.ts';
import { RelativeTime } from '../components/RelativeTime.tsx';

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed" component="dt">
        {label}
      </Text>
      <Text size="sm" component="dd" m={0} style={{ overflowWrap: 'anywhere' }}>
        {children}
      </Text>
    </div>
  );
}

export function JobDetail() {
  const id = useParams().id ?? '';
  const perms = usePermissions();
  const client = useQueryClient();
  const job = useQuery({
    queryKey: ['jobs', 'one', id],
    queryFn: async () => unwrap(await api.GET('/api/v1/jobs/{id}', { params: { path: { id } } })),
    refetchInterval: (q) => (q.state.data?.state === 'running' || q.state.data?.state === 'queued' ? 3_000 : false),
  });
  const act = useMutation({
    mutationFn: async (action: 'retry' | 'cancel') =>
      unwrap(action === 'retry' ? await api.POST('/api/v1/jobs/{id}/retry', { params: { path: { id } } }) : await api.POST('/api/v1/jobs/{id}/cancel', { params: { path: { id } } })),
    onSuccess: async (j, action) => {
      notifications.show({ color: 'green', message: `Job ${action === 'retry' ? 'queued again' : 'cancelled'}` });
      client.setQueryData(['jobs', 'one', id], j);
      await client.invalidateQueries({ queryKey: ['jobs'] });
    },
    onError: (e) => notifications.show({ color: 'red', title: 'Not done', message: errorText(e) }),
  });
  if (job.isPending) return <Loader aria-label="Loading job" />;
  if (job.isError) return <Alert color="red" title={`Job ${id}`}>{errorText(job.error)}</Alert>;
  const j = job.data;
  const canManage = perms.can('job:manage');
  return (
    <Stack gap="md">
      <Breadcrumbs aria-label="Breadcrumb">
        <Anchor component={Link} to="/jobs">
          Jobs
        </Anchor>
        <Text span ff="monospace">
          {j.id.slice(0, 8)}
        </Text>
      </Breadcrumbs>
      <Group justify="space-between" wrap="wrap">
        <Group gap="sm">
          <Title order={1} size="h2">{j.kind}</Title>
          <PhaseBadge phase={j.state} />
        </Group>
        {canManage ? (
          <Group gap="xs">
            {j.state === 'failed' || j.state === 'cancelled' ? (
              <Button loading={act.isPending} onClick={() => act.mutate('retry')}>
                Retry
              </Button>
            ) : null}
            {j.state === 'queued' || j.state === 'running' ? (
              <Button color="red" variant="outline" loading={act.isPending} onClick={() => act.mutate('cancel')}>
                Cancel job
              </Button>
            ) : null}
          </Group>
        ) : null}
      </Group>
      <Card withBorder>
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} component="dl" m={0}>
          <Field label="ID">{j.id}</Field>
          <Field label="Attempts">
            {j.attempts} of {j.maxAttempts}
          </Field>
          <Field label="Priority">{j.priority}</Field>
          <Field label="Created">
            <RelativeTime value={j.createdAt} />
          </Field>
          <Field label="Due">{exact(j.runAt)}</Field>
          <Field label="Started">
            <RelativeTime value={j.startedAt} />
          </Field>
          <Field label="Finished">
            <RelativeTime value={j.finishedAt} />
          </Field>
          <Field label="Took">{duration(j.startedAt, j.finishedAt)}</Field>
          <Field label="Lease">{j.leaseOwner ? `${j.leaseOwner} until ${exact(j.leaseExpiresAt)}` : '—'}</Field>
          <Field label="Dedupe key">{j.dedupeKey ?? '—'}</Field>
        </SimpleGrid>
      </Card>
      {j.lastError ? (
        <Alert color="red" title="Last error">
          <Code block>{j.lastError}</Code>
        </Alert>
      ) : null}
      <section aria-labelledby="job-payload">
        <Title order={2} size="h4" id="job-payload" mb="xs">
          Payload
        </Title>
        <Code block>{JSON.stringify(j.payload, null, 2)}</Code>
      </section>
    </Stack>
  );
}
