/** The resources as a flat table (filterable, 100 rows a page), for those who prefer a list to the tree. */
import { Button, Group, Pagination, Table, TextInput, VisuallyHidden } from '@mantine/core';
import { TableScroll } from '../components/TableScroll.tsx';
import { useMemo, useState } from 'react';
import { HealthBadge, SyncBadge } from './badges.tsx';
import { flatNodes, type TreeNode } from './tree.ts';

const PAGE = 100;

export function ResourceList({ root, selectedId, onSelect }: { root: TreeNode; selectedId: string | undefined; onSelect: (item: TreeNode) => void }) {
  const [filter, setFilter] = useState('');
  const [page, setPage] = useState(1);
  const rows = useMemo(() => flatNodes(root, filter), [root, filter]);
  const pages = Math.max(1, Math.ceil(rows.length / PAGE));
  const at = Math.min(page, pages);
  return (
    <>
      <TextInput
        label="Filter resources"
        placeholder="Kind or name"
        value={filter}
        onChange={(e) => {
          setFilter(e.currentTarget.value);
          setPage(1);
        }}
        mb="xs"
        maw={320}
      />
      <TableScroll label="Resources table" minWidth={560}>
        <Table striped highlightOnHover>
          <Table.Caption>{rows.length} resources</Table.Caption>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Kind</Table.Th>
              <Table.Th scope="col">Name</Table.Th>
              <Table.Th scope="col">Namespace</Table.Th>
              <Table.Th scope="col">Health</Table.Th>
              <Table.Th scope="col">Sync</Table.Th>
              <Table.Th scope="col">
                <VisuallyHidden>Details</VisuallyHidden>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.slice((at - 1) * PAGE, at * PAGE).map((item) => (
              <Table.Tr key={item.id} aria-selected={item.id === selectedId}>
                <Table.Td>{item.node.kind}</Table.Td>
                <Table.Td style={{ overflowWrap: 'anywhere' }}>{item.node.name}</Table.Td>
                <Table.Td>{item.node.namespace || '—'}</Table.Td>
                <Table.Td>{item.node.health ? <HealthBadge status={item.node.health.status} message={item.node.health.message} /> : '—'}</Table.Td>
                <Table.Td>{item.node.sync ? <SyncBadge status={item.node.sync} /> : '—'}</Table.Td>
                <Table.Td>
                  <Button size="compact-xs" variant="subtle" aria-label={`Details of ${item.node.kind} ${item.node.name}`} onClick={() => onSelect(item)}>
                    Details
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </TableScroll>
      {pages > 1 ? (
        <Group mt="xs">
          <nav aria-label="Resource pages">
            <Pagination value={at} total={pages} onChange={setPage} getItemProps={(p) => ({ 'aria-label': `Page ${p}` })} getControlProps={(c) => ({ 'aria-label': `${c} page` })} />
          </nav>
        </Group>
      ) : null}
    </>
  );
}
