/** A project's webhook policies (project administrators): the project is in the URL (?project=), policies link to their deliveries. */
import { Alert, Anchor, Autocomplete, Button, Group, Loader, Stack, Table, Text, Title } from '@mantine/core';
import { TableScroll } from '../components/TableScroll.tsx';
import { Tone } from '../delivery/badges.tsx';
import { useDebouncedValue } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useSyncedText } from '../delivery/useSyncedText.ts';
import { Link, useSearchParams } from 'react-router';
import { api } from '../api/client.ts';
import { errorText, unwrap } from '../delivery/http.ts';
import { usePermissions } from '../delivery/perms.ts';
import { SecretDialog } from '../components/index.ts';
import { WebhookForm } from './WebhookForm.tsx';

export function WebhooksPage() {
  const [params, setParams] = useSearchParams();
  const project = params.get('project') ?? '';
  return (
    <Stack gap="md">
      <Title order={1} size="h2">Webhooks</Title>
      <ProjectPicker value={project} onChange={(p) => setParams(p ? { project: p } : {}, { replace: true })} />
      {project ? <ProjectWebhooks project={project} /> : <Text size="sm">Choose a project to see its webhook policies.</Text>}
    </Stack>
  );
}

/** Project names matching what is typed, searched on the server (no list of every project is loaded). */
function ProjectPicker({ value, onChange }: { value: string; onChange: (p: string) => void }) {
  const [text, setText] = useSyncedText(value);
  const [search] = useDebouncedValue(text, 250);
  const projects = useQuery({
    queryKey: ['projects', 'names', search],
    queryFn: async () => unwrap(await api.GET('/api/v1/projects', { params: { query: { page: 1, page_size: 20, ...(search ? { q: `name=~${search}` } : {}) } } })),
    staleTime: 30_000,
  });
  return (
    <Autocomplete
      label="Project"
      maw={320}
      value={text}
      data={(projects.data ?? []).map((p) => p.name)}
      onChange={setText}
      onOptionSubmit={onChange}
      onBlur={() => text !== value && onChange(text.trim())}
    />
  );
}

function ProjectWebhooks({ project }: { project: string }) {
  const perms = usePermissions(project);
  const list = useQuery({
    queryKey: ['webhooks', project],
    queryFn: async () => unwrap(await api.GET('/api/v1/projects/{project}/webhooks', { params: { path: { project } } })),
    enabled: perms.can('webhook:read'),
  });
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<string | undefined>();
  if (!perms.loaded) return <Loader aria-label="Loading permissions" />;
  if (!perms.can('webhook:read')) return <Alert title={`Webhooks of ${project}`}>Webhook policies of a project are managed by its project administrators.</Alert>;
  if (list.isPending) return <Loader aria-label="Loading webhooks" />;
  if (list.isError) return <Alert color="red" title={`Webhooks of ${project}`}>{errorText(list.error)}</Alert>;
  return (
    <Stack gap="sm">
      <Group justify="space-between">
        <Title order={2} size="h3">
          {project}
        </Title>
        {perms.can('webhook:create') ? <Button onClick={() => setCreating(true)}>New webhook</Button> : null}
      </Group>
      <TableScroll label="Webhook policies table" minWidth={640}>
        <Table striped>
          <Table.Caption>{list.data.length} webhook policies</Table.Caption>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Name</Table.Th>
              <Table.Th scope="col">Events</Table.Th>
              <Table.Th scope="col">Targets</Table.Th>
              <Table.Th scope="col">State</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.data.map((p) => (
              <Table.Tr key={p.id}>
                <Table.Td>
                  <Anchor component={Link} to={`/webhooks/${encodeURIComponent(project)}/${encodeURIComponent(p.name)}`}>
                    {p.name}
                  </Anchor>
                  {p.description ? (
                    <Text size="xs" c="dimmed">
                      {p.description}
                    </Text>
                  ) : null}
                </Table.Td>
                <Table.Td style={{ overflowWrap: 'anywhere' }}>{p.eventTypes.join(', ')}</Table.Td>
                <Table.Td style={{ overflowWrap: 'anywhere' }}>{p.targets.map((t) => `${t.type} ${t.address}`).join(', ')}</Table.Td>
                <Table.Td>
                  <Tone color={p.enabled ? 'green' : 'gray'}>
                    {p.enabled ? 'enabled' : 'disabled'}
                  </Tone>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </TableScroll>
      {creating ? <WebhookForm project={project} onClose={() => setCreating(false)} onCreated={setSecret} /> : null}
      {secret ? <SecretDialog title="Webhook created" secret={secret} note="Receivers use it to check the X-Berth-Signature of each delivery." onClose={() => setSecret(undefined)} /> : null}
    </Stack>
  );
}
