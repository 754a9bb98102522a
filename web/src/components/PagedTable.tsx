/**
 * A server-paged table: page, page_size and sort live in the URL (?page=2&page_size=25&sort=-name)
 * so back/forward and links keep the view; the total comes from X-Total-Count. Sortable
 * columns are header buttons with aria-sort. The caption names the table for screen readers.
 */
import type { ReactNode } from 'react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Center, Group, Loader, Pagination, Select, Table, Text, UnstyledButton, VisuallyHidden } from '@mantine/core';
import { useSearchParams } from 'react-router';
import type { Page } from '../api/client.ts';
import { ApiErrorAlert } from './ApiErrorAlert.tsx';
import { TableScroll } from './TableScroll.tsx';

export interface Column<T> {
  key: string;
  header: string;
  render: (row: T) => ReactNode;
  /** The API's sort field; makes the header a sort button. */
  sort?: string;
  /** Hidden on narrow windows. */
  wide?: boolean;
}

export interface PageQuery {
  page: number;
  pageSize: number;
  sort?: string;
}

export interface PagedTableProps<T> {
  caption: string;
  /** Query key prefix; page, page size and sort are appended. */
  queryKey: readonly unknown[];
  fetch: (q: PageQuery) => Promise<Page<T>>;
  columns: Column<T>[];
  rowKey: (row: T) => string;
  empty?: ReactNode;
  defaultSort?: string;
  defaultPageSize?: number;
  /** Prefix of the URL parameters, when a page has two tables. */
  param?: string;
}

const SIZES = ['10', '25', '50', '100'];

export function PagedTable<T>({ caption, queryKey, fetch, columns, rowKey, empty = 'Nothing here yet.', defaultSort, defaultPageSize = 25, param = '' }: PagedTableProps<T>) {
  const [params, setParams] = useSearchParams();
  const page = Math.max(1, Number(params.get(`${param}page`)) || 1);
  const pageSize = Number(params.get(`${param}page_size`)) || defaultPageSize;
  const sort = params.get(`${param}sort`) ?? defaultSort;
  const set = (changes: Record<string, string | undefined>) =>
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        for (const [k, v] of Object.entries(changes)) {
          if (v === undefined) next.delete(`${param}${k}`);
          else next.set(`${param}${k}`, v);
        }
        return next;
      },
      { replace: true },
    );

  const q = useQuery({
    queryKey: [...queryKey, { page, pageSize, sort }],
    queryFn: () => fetch({ page, pageSize, ...(sort ? { sort } : {}) }),
    placeholderData: keepPreviousData,
  });
  const pages = q.data ? Math.max(1, Math.ceil(q.data.total / pageSize)) : 1;

  const header = (c: Column<T>) => {
    if (!c.sort) return c.header;
    const active = sort === c.sort ? 'ascending' : sort === `-${c.sort}` ? 'descending' : undefined;
    const next = active === 'ascending' ? `-${c.sort}` : c.sort;
    return (
      <UnstyledButton onClick={() => set({ sort: next, page: undefined })} fw={700} fz="sm">
        {c.header} <span aria-hidden="true">{active === 'ascending' ? '▲' : active === 'descending' ? '▼' : '↕'}</span>
        <VisuallyHidden>{active ? `, sorted ${active}` : ', sort'}</VisuallyHidden>
      </UnstyledButton>
    );
  };

  return (
    <div>
      <ApiErrorAlert error={q.error} />
      <TableScroll label={caption}>
        <Table striped highlightOnHover captionSide="top" verticalSpacing="xs" aria-busy={q.isFetching}>
          <Table.Caption>{caption}</Table.Caption>
          <Table.Thead>
            <Table.Tr>
              {columns.map((c) => (
                <Table.Th key={c.key} scope="col" visibleFrom={c.wide ? 'sm' : undefined} aria-sort={c.sort ? (sort === c.sort ? 'ascending' : sort === `-${c.sort}` ? 'descending' : 'none') : undefined}>
                  {header(c)}
                </Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {q.data?.items.map((row) => (
              <Table.Tr key={rowKey(row)}>
                {columns.map((c) => (
                  <Table.Td key={c.key} visibleFrom={c.wide ? 'sm' : undefined}>
                    {c.render(row)}
                  </Table.Td>
                ))}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </TableScroll>
      {q.isPending && (
        <Center p="md">
          <Loader size="sm" aria-label="Loading" />
        </Center>
      )}
      {q.data && q.data.items.length === 0 && (
        <Text c="dimmed" p="md" ta="center">
          {empty}
        </Text>
      )}
      {q.data && q.data.total > 0 && (
        <Group justify="space-between" mt="sm" wrap="wrap">
          <Text size="sm" c="dimmed" aria-live="polite">
            {(page - 1) * pageSize + 1}–{Math.min(page * pageSize, q.data.total)} of {q.data.total}
          </Text>
          <Group gap="sm">
            <Select aria-label="Rows per page" data={SIZES} value={String(pageSize)} onChange={(v) => set({ page_size: v ?? undefined, page: undefined })} w={90} allowDeselect={false} />
            <Pagination total={pages} value={page} onChange={(p) => set({ page: String(p) })} getControlProps={(control) => ({ 'aria-label': `${control} page` })} getItemProps={(p) => ({ 'aria-label': `Page ${p}` })} />
          </Group>
        </Group>
      )}
    </div>
  );
}
