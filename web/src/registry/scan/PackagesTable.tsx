/**
 * An artifact's packages as the scan found them (OS and language packages of every platform),
 * one server page at a time, filtered by type and name; where each was found and by which
 * cataloger, with its package URL to copy.
 */
import { Code, Group, Select, Stack, Text } from '@mantine/core';
import { CopyButton, PagedTable, type Column } from '../../components/index.ts';
import { listPackages, scanKeys } from './api.ts';
import { useUrlFilters } from './filters.ts';
import { FilterText } from './FilterText.tsx';
import type { PackageRow } from './types.ts';

const P = 'p_';
const KEYS = ['type', 'q'] as const;
/** Package types the analyzer reports (src/supply-chain/types.ts PACKAGE_TYPES). */
const TYPES = ['deb', 'apk', 'rpm', 'npm', 'pypi', 'golang', 'maven', 'cargo', 'nuget', 'composer', 'gem'];

function sourceText(source: PackageRow['source']): string {
  if (!source) return '';
  if (typeof source === 'string') return source;
  return source.version ? `${source.name} ${source.version}` : source.name;
}

export function PackagesTable({ project, repository, digest }: { project: string; repository: string; digest: string }) {
  const { values, set } = useUrlFilters(P, KEYS);
  const columns: Column<PackageRow>[] = [
    {
      key: 'name',
      header: 'Package',
      render: (p) => (
        <Text size="sm" fw={600} style={{ wordBreak: 'break-all' }}>
          {p.name}
        </Text>
      ),
    },
    { key: 'version', header: 'Version', render: (p) => <Text size="sm" style={{ wordBreak: 'break-all' }}>{p.version}</Text> },
    { key: 'type', header: 'Type', render: (p) => p.type },
    { key: 'source', header: 'Source package', wide: true, render: (p) => sourceText(p.source) },
    { key: 'licenses', header: 'Licenses', wide: true, render: (p) => (p.licenses ?? []).join(', ') },
    {
      key: 'location',
      header: 'Found in',
      wide: true,
      render: (p) => (
        <Text size="xs" ff="monospace" style={{ wordBreak: 'break-all' }}>
          {p.location ?? ''}
        </Text>
      ),
    },
    { key: 'found_by', header: 'Found by', wide: true, render: (p) => p.found_by ?? '' },
    {
      key: 'purl',
      header: 'Package URL',
      wide: true,
      render: (p) =>
        p.purl ? (
          <Group gap={2} wrap="nowrap">
            <Code style={{ wordBreak: 'break-all' }}>{p.purl}</Code>
            <CopyButton value={p.purl} label={`Copy package URL of ${p.name}`} />
          </Group>
        ) : null,
    },
  ];
  return (
    <Stack>
      <Group align="end" wrap="wrap">
        <Select label="Package type" placeholder="All types" data={TYPES} value={values.type || null} onChange={(v) => set({ type: v ?? '' })} clearable w={180} />
        <FilterText label="Search packages" placeholder="name" value={values.q} onChange={(v) => set({ q: v })} />
      </Group>
      <PagedTable
        caption="Packages"
        param={P}
        queryKey={[...scanKeys.artifact(project, repository, digest), 'packages', values]}
        rowKey={(p) => `${p.type} ${p.name} ${p.version} ${p.location ?? ''}`}
        columns={columns}
        empty={values.type || values.q ? 'No package matches these filters.' : 'No packages found.'}
        fetch={({ page, pageSize }) => listPackages(project, repository, digest, { type: values.type, q: values.q, page, pageSize })}
      />
    </Stack>
  );
}
