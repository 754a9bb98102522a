/**
 * The resource tree (or a flat list) of an application and the selected
 * resource's details and diff. Big trees start collapsed below the managed
 * resources; the tree is windowed either way.
 */
import { Alert, Button, Grid, Group, Loader, SegmentedControl, Text } from '@mantine/core';
import { useMemo, useState } from 'react';
import { errorText } from './http.ts';
import { useResourceTree } from './queries.ts';
import { ResourceDetail } from './ResourceDetail.tsx';
import { ResourceList } from './ResourceList.tsx';
import { ResourceTree } from './ResourceTree.tsx';
import { allParents, buildTree, countNodes, defaultExpanded, type TreeNode, type TreeNodeInput } from './tree.ts';
import type { Application } from './types.ts';

export function ResourcesPanel({ app, canSync }: { app: Application; canSync: boolean }) {
  const tree = useResourceTree(app.name);
  const [mode, setMode] = useState('tree');
  const [selected, setSelected] = useState<TreeNode | undefined>();
  const root = useMemo(() => {
    const top: TreeNodeInput = {
      group: 'berth.dev',
      kind: 'Application',
      namespace: '',
      name: app.name,
      health: app.status?.health,
      sync: app.status?.sync.status,
      managed: false,
    };
    return buildTree(top, tree.data?.nodes ?? []);
  }, [app.name, app.status?.health, app.status?.sync.status, tree.data]);
  const total = useMemo(() => countNodes(root), [root]);
  const [expanded, setExpanded] = useState<Set<string> | 'all' | undefined>();
  // Until the user opens or closes something, the default follows the data (it arrives after the first render).
  // "Expand all" stays a mode until a node is toggled: Pods arrive after their ReplicaSet and open too.
  const open = expanded === 'all' ? allParents(root) : (expanded ?? defaultExpanded(root, total));

  if (tree.isPending) return <Loader aria-label="Loading resources" />;
  if (tree.isError) return <Alert color="red" title="Could not load the resource tree">{errorText(tree.error)}</Alert>;
  // The selection follows refreshed data by id.
  const current = selected ? (findById(root, selected.id) ?? selected) : undefined;

  return (
    <Grid gap="md">
      {tree.data.truncated ? (
        <Grid.Col span={12}>
          <Alert variant="filled" color="yellow.4" autoContrast title="Large application">
            Only the first 2,000 resources are shown.
          </Alert>
        </Grid.Col>
      ) : null}
      <Grid.Col span={{ base: 12, md: current ? 7 : 12 }}>
        <Group justify="space-between" mb="xs" wrap="wrap">
          <SegmentedControl
            aria-label="Resource view"
            value={mode}
            onChange={setMode}
            data={[
              { value: 'tree', label: 'Tree' },
              { value: 'list', label: 'List' },
            ]}
          />
          {mode === 'tree' ? (
            <Group gap={4}>
              <Button size="xs" variant="subtle" onClick={() => setExpanded('all')}>
                Expand all
              </Button>
              <Button size="xs" variant="subtle" onClick={() => setExpanded(new Set([root.id]))}>
                Collapse all
              </Button>
            </Group>
          ) : null}
        </Group>
        {mode === 'tree' ? (
          <ResourceTree root={root} expanded={open} onExpandedChange={setExpanded} selectedId={current?.id} onSelect={setSelected} label={`Resources of ${app.name} (${total - 1})`} />
        ) : (
          <ResourceList root={root} selectedId={current?.id} onSelect={setSelected} />
        )}
        {total === 1 ? (
          <Text size="sm" mt="xs">
            No resources in the cluster yet: the application has not been synced, or its cluster cannot be reached.
          </Text>
        ) : null}
      </Grid.Col>
      {current ? (
        <Grid.Col span={{ base: 12, md: 5 }}>
          <ResourceDetail appName={app.name} item={current} canSync={canSync} onClose={() => setSelected(undefined)} />
        </Grid.Col>
      ) : null}
    </Grid>
  );
}

function findById(root: TreeNode, id: string): TreeNode | undefined {
  const stack = [root];
  while (stack.length > 0) {
    const item = stack.pop()!;
    if (item.id === id) return item;
    stack.push(...item.children);
  }
  return undefined;
}
