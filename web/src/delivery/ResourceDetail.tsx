/** The selected resource: identity, health, sync, live details, and for a managed resource its live → desired diff. */
import { Alert, Button, Card, CloseButton, Group, Loader, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client.ts';
import { HealthBadge, SyncBadge } from './badges.tsx';
import { DiffView } from './DiffView.tsx';
import { errorText, unwrap } from './http.ts';
import { appKeys } from './live.ts';
import { infoEntries } from './info.ts';
import { useDiff } from './queries.ts';
import type { TreeNode, TreeNodeInput } from './tree.ts';
import { keyText, sameKey } from './types.ts';

export function ResourceDetail({ appName, item, canSync, onClose }: { appName: string; item: TreeNode; canSync: boolean; onClose: () => void }) {
  const n = item.node;
  const isRoot = item.id === 'root';
  const diff = useDiff(appName, !isRoot && n.managed === true);
  const entry = diff.data?.find((d) => sameKey(d.key, n));
  const title = `${n.kind} ${n.name}`;
  return (
    <Card withBorder component="section" aria-label={`Details of ${title}`}>
      <Group justify="space-between" wrap="nowrap" mb="xs">
        <Title order={2} size="h4" style={{ overflowWrap: 'anywhere' }}>
          {title}
        </Title>
        <CloseButton aria-label="Close details" onClick={onClose} />
      </Group>
      <Stack gap="xs">
        <Text size="sm" c="dimmed">
          {keyText(n)}
          {n.version ? ` (${n.version})` : ''}
          {n.managed ? ' · managed by Berth' : isRoot ? '' : ' · created by its parent'}
        </Text>
        <Group gap="xs">
          {n.health ? <HealthBadge status={n.health.status} message={n.health.message} /> : null}
          {n.sync ? <SyncBadge status={n.sync} /> : null}
        </Group>
        {n.health?.message ? <Text size="sm">{n.health.message}</Text> : null}
        {canSync && n.managed && !isRoot ? <SyncOne appName={appName} node={n} /> : null}
        <Info info={n.info} />
        {n.managed && !isRoot ? (
          diff.isPending ? (
            <Loader size="sm" aria-label="Loading the diff" />
          ) : diff.isError ? (
            <Alert color="red" title="Could not compute the diff">
              {errorText(diff.error)}
            </Alert>
          ) : entry && entry.state === 'OutOfSync' ? (
            <>
              <Text size="sm" fw={500}>
                {entry.reason === 'missing' ? 'Not in the cluster yet' : entry.reason === 'extra' ? 'In the cluster but no longer in Git (prune candidate)' : 'Live differs from desired'}
              </Text>
              <DiffView diff={entry.diff} label={`Diff of ${title}`} />
            </>
          ) : (
            <Text size="sm">Live matches desired: no differences.</Text>
          )
        ) : null}
      </Stack>
    </Card>
  );
}

/** Syncs only this resource (a selective sync), as Argo CD's per-resource Sync. */
function SyncOne({ appName, node }: { appName: string; node: TreeNodeInput }) {
  const client = useQueryClient();
  const sync = useMutation({
    mutationFn: async () =>
      unwrap(await api.POST('/api/v1/applications/{name}/sync', { params: { path: { name: appName } }, body: { resources: [{ group: node.group, kind: node.kind, namespace: node.namespace, name: node.name }] } })),
    onSuccess: (op) => notifications.show({ color: op.phase === 'Succeeded' ? 'green' : 'red', title: `Sync of ${node.kind} ${node.name}: ${op.phase}`, message: op.message }),
    onError: (e) => notifications.show({ color: 'red', title: `Sync of ${node.kind} ${node.name} failed`, message: errorText(e) }),
    onSettled: () => client.invalidateQueries({ queryKey: appKeys.app(appName) }),
  });
  return (
    <Group>
      <Button size="xs" variant="default" loading={sync.isPending} onClick={() => sync.mutate()}>
        Sync this resource
      </Button>
    </Group>
  );
}

/** The live details the server adds (images, replicas, pod phase, restarts …). */
function Info({ info }: { info: unknown }) {
  const entries = infoEntries(info);
  if (entries.length === 0) return null;
  return (
    <dl style={{ margin: 0, display: 'grid', gridTemplateColumns: 'max-content 1fr', gap: '2px 12px', fontSize: 14 }}>
      {entries.map(([k, v]) => (
        <div key={k} style={{ display: 'contents' }}>
          <dt>{k}</dt>
          <dd style={{ margin: 0, overflowWrap: 'anywhere' }}>{v}</dd>
        </div>
      ))}
    </dl>
  );
}
