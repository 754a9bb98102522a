/** Server paging controls: page buttons and a page size, labelled for screen readers. */
import { Group, NativeSelect, Pagination, Text } from '@mantine/core';
import { PAGE_SIZES } from './filters.ts';

export interface PagerProps {
  label: string;
  page: number;
  pageSize: number;
  total: number;
  onChange: (page: number, pageSize: number) => void;
}

export function Pager({ label, page, pageSize, total, onChange }: PagerProps) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  return (
    <Group justify="space-between" wrap="wrap">
      <nav aria-label={label}>
        <Pagination
          value={Math.min(page, pages)}
          total={pages}
          onChange={(p) => onChange(p, pageSize)}
          siblings={1}
          getControlProps={(control) => ({ 'aria-label': `${control} page` })}
          getItemProps={(p) => ({ 'aria-label': `Page ${p}` })}
        />
      </nav>
      <Group gap="xs">
        <Text size="sm" c="dimmed">
          {total} in all
        </Text>
        <NativeSelect
          aria-label="Rows per page"
          value={String(pageSize)}
          data={PAGE_SIZES.map(String)}
          onChange={(e) => onChange(1, Number(e.currentTarget.value))}
          size="xs"
        />
      </Group>
    </Group>
  );
}
