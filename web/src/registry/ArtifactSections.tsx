/** The parts of an artifact's detail: config summary, layers, index children, referrers tree. */
import { Anchor, Code, SimpleGrid, Table, Title } from '@mantine/core';
import { Link } from 'react-router';
import type { GetResult } from '../api/types.ts';
import { bytes, CopyButton, Field, RelativeTime, shortDigest, TableScroll } from '../components/index.ts';
import { artifactUrl } from './paths.ts';
import { platformName } from './Platforms.tsx';

type Detail = GetResult<'/api/v1/projects/{project}/repositories/{repository}/artifacts/{reference}'>;


export function ConfigSummary({ config }: { config: NonNullable<Detail['config']> }) {
  const labels = Object.entries(config.labels);
  return (
    <section aria-labelledby="config-heading">
      <Title order={2} size="h4" id="config-heading" mb="xs">
        Configuration
      </Title>
      <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
        <Field label="Platform">{[config.os, config.architecture, config.variant].filter(Boolean).join('/') || '—'}</Field>
        <Field label="Created">{config.created ? <RelativeTime value={config.created} /> : '—'}</Field>
        <Field label="Author">{config.author ?? '—'}</Field>
        <Field label="Entrypoint">{config.entrypoint ? <Code>{JSON.stringify(config.entrypoint)}</Code> : '—'}</Field>
        <Field label="Command">{config.cmd ? <Code>{JSON.stringify(config.cmd)}</Code> : '—'}</Field>
        <Field label="Working directory">{config.working_dir ?? '—'}</Field>
        <Field label="Exposed ports">{config.exposed_ports.join(', ') || '—'}</Field>
        <Field label="Environment variables">{config.env_count}</Field>
      </SimpleGrid>
      {labels.length > 0 && (
        <Table mt="sm" withTableBorder captionSide="top">
          <Table.Caption>Labels</Table.Caption>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Label</Table.Th>
              <Table.Th scope="col">Value</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {labels.map(([k, v]) => (
              <Table.Tr key={k}>
                <Table.Td style={{ wordBreak: 'break-all' }}>{k}</Table.Td>
                <Table.Td style={{ wordBreak: 'break-all' }}>{v}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </section>
  );
}

export function Layers({ layers }: { layers: Detail['layers'] }) {
  return (
    <TableScroll label="Layers" minWidth={420}>
      <Table striped withTableBorder captionSide="top">
        <Table.Caption>Layers ({layers.length}, {bytes(layers.reduce((a, l) => a + l.size, 0))})</Table.Caption>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">#</Table.Th>
            <Table.Th scope="col">Digest</Table.Th>
            <Table.Th scope="col">Size</Table.Th>
            <Table.Th scope="col" visibleFrom="sm">
              Media type
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {layers.map((l, i) => (
            <Table.Tr key={`${i}-${l.digest}`}>
              <Table.Td>{i + 1}</Table.Td>
              <Table.Td ff="monospace" fz="sm">
                {shortDigest(l.digest)} <CopyButton value={l.digest} label={`Copy digest of layer ${i + 1}`} />
              </Table.Td>
              <Table.Td>{bytes(l.size)}</Table.Td>
              <Table.Td visibleFrom="sm" fz="xs">
                {l.media_type}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </TableScroll>
  );
}

export function Children({ project, repository, children }: { project: string; repository: string; children: Detail['references'] }) {
  return (
    <TableScroll label="Images in this index" minWidth={420}>
      <Table striped withTableBorder captionSide="top">
        <Table.Caption>Images in this index ({children.length})</Table.Caption>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Platform</Table.Th>
            <Table.Th scope="col">Digest</Table.Th>
            <Table.Th scope="col">Size</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {children.map((c) => (
            <Table.Tr key={c.digest}>
              <Table.Td>{c.platform ? platformName(c.platform) : '—'}</Table.Td>
              <Table.Td ff="monospace" fz="sm">
                <Anchor component={Link} to={artifactUrl(project, repository, c.digest)}>
                  {shortDigest(c.digest)}
                </Anchor>
              </Table.Td>
              <Table.Td>{bytes(c.size)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </TableScroll>
  );
}

/** The referrers tree (signatures, SBOMs, attestations …), depth-first as the API lists it, indented by depth. */
export function Referrers({ project, repository, referrers }: { project: string; repository: string; referrers: Detail['referrers'] }) {
  return (
    <TableScroll label="Referrers" minWidth={420}>
      <Table striped withTableBorder captionSide="top">
        <Table.Caption>Referrers ({referrers.length})</Table.Caption>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Artifact type</Table.Th>
            <Table.Th scope="col">Digest</Table.Th>
            <Table.Th scope="col">Refers to</Table.Th>
            <Table.Th scope="col">Size</Table.Th>
            <Table.Th scope="col" visibleFrom="sm">
              Pushed
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {referrers.map((r) => (
            <Table.Tr key={r.digest}>
              <Table.Td style={{ paddingLeft: `${r.depth}rem` }}>
                {r.depth > 1 && <span aria-hidden="true">└ </span>}
                {r.artifact_type ?? r.media_type}
              </Table.Td>
              <Table.Td ff="monospace" fz="sm">
                <Anchor component={Link} to={artifactUrl(project, repository, r.digest)}>
                  {shortDigest(r.digest)}
                </Anchor>
              </Table.Td>
              <Table.Td ff="monospace" fz="sm">
                {r.depth === 1 ? 'this artifact' : shortDigest(r.subject)}
              </Table.Td>
              <Table.Td>{bytes(r.size)}</Table.Td>
              <Table.Td visibleFrom="sm">
                <RelativeTime value={r.push_time} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </TableScroll>
  );
}
