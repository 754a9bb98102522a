/**
 * A repository: its pull command and artifacts (digest, tags, size, platforms, push and pull
 * time), sortable, filtered by tag (Harbor users asked for a view by tag), deletable as allowed.
 */
import { useState } from 'react';
import { Anchor, Badge, Button, Checkbox, Group, Stack, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from 'react-router';
import { api, unwrap, unwrapPage } from '../api/client.ts';
import type { ListItem } from '../api/types.ts';
import { usePermissions } from '../app/permissions.ts';
import { ApiErrorAlert, bytes, ConfirmDialog, notifyDone, PagedTable, PageHeader, RelativeTime, shortDigest, type Column } from '../components/index.ts';
import { artifactUrl, projectUrl } from './paths.ts';
import { Platforms } from './Platforms.tsx';
import { PullCommand } from './PullCommand.tsx';
import { RepositoryDescription } from './RepositoryDescription.tsx';
import { useLiveScans } from './scan/live.ts';
import { RepositoryScanButton } from './scan/RepositoryScanButton.tsx';
import { ScanCell } from './scan/ScanCell.tsx';
import { overviewOf } from './scan/types.ts';
import { isScannable } from './scan/useScanReport.ts';

type Artifact = ListItem<'/api/v1/projects/{project}/repositories/{repository}/artifacts'>;

export function RepositoryPage({ project, repository }: { project: string; repository: string }) {
  const perms = usePermissions(project);
  const client = useQueryClient();
  const navigate = useNavigate();
  const [tag, setTag] = useState('');
  const [taggedOnly, setTaggedOnly] = useState(false);
  const [tagQ] = useDebouncedValue(tag.trim(), 250);
  const [deleting, setDeleting] = useState(false);
  // openapi-fetch percent-encodes path values (a/b → a%2Fb), which the API decodes.
  const path = { project, repository };
  const repo = useQuery({ queryKey: ['repository', project, repository], queryFn: () => unwrap(api.GET('/api/v1/projects/{project}/repositories/{repository}', { params: { path } })) });
  const q = tagQ ? `tags=~${tagQ}` : taggedOnly ? 'tags=*' : undefined;
  // Scan results arrive as events (artifact.scanned), which refresh the list.
  useLiveScans();
  const canScan = perms.can('scan:create');

  const columns: Column<Artifact>[] = [
    {
      key: 'digest',
      header: 'Digest',
      sort: 'digest',
      render: (a) => (
        <Anchor component={Link} to={artifactUrl(project, repository, a.digest)} ff="monospace" fz="sm">
          {shortDigest(a.digest)}
        </Anchor>
      ),
    },
    {
      key: 'tags',
      header: 'Tags',
      render: (a) =>
        a.tags && a.tags.length > 0 ? (
          <Group gap={4}>
            {a.tags.map((t) => (
              <Badge key={t.name} variant="light" tt="none" size="sm">
                {t.name}
              </Badge>
            ))}
          </Group>
        ) : (
          <Text size="sm" c="dimmed">
            untagged
          </Text>
        ),
    },
    {
      key: 'vulnerabilities',
      header: 'Vulnerabilities',
      render: (a) => <ScanCell project={project} repository={repository} digest={a.digest} overview={overviewOf(a)} canScan={canScan} scannable={isScannable(a)} />,
    },
    { key: 'size', header: 'Size', sort: 'size', render: (a) => bytes(a.size) },
    { key: 'platforms', header: 'Platforms', wide: true, render: (a) => <Platforms platforms={a.platforms} /> },
    { key: 'type', header: 'Type', wide: true, render: (a) => a.type },
    { key: 'push', header: 'Pushed', sort: 'push_time', render: (a) => <RelativeTime value={a.push_time} /> },
    { key: 'pull', header: 'Last pulled', sort: 'pull_time', wide: true, render: (a) => <RelativeTime value={a.pull_time} fallback="Never" /> },
    { key: 'pulls', header: 'Pulls', sort: 'pull_count', wide: true, render: (a) => a.pull_count },
  ];

  return (
    <Stack>
      <PageHeader
        title={`${project}/${repository}`}
        crumbs={[
          { label: 'Projects', to: '/projects' },
          { label: project, to: projectUrl(project) },
        ]}
        actions={
          <>
            {canScan && <RepositoryScanButton project={project} repository={repository} />}
            {perms.can('repository:delete') && (
              <Button color="red" variant="light" onClick={() => setDeleting(true)}>
                Delete repository
              </Button>
            )}
          </>
        }
      />
      <ApiErrorAlert error={repo.error} />
      {repo.data && <RepositoryDescription project={project} repository={repository} description={repo.data.description} canEdit={perms.can('repository:push')} />}
      <PullCommand project={project} repository={repository} />
      <Group align="end">
        <TextInput label="Filter by tag" placeholder="e.g. 1.2 or latest" value={tag} onChange={(e) => setTag(e.currentTarget.value)} w={240} />
        <Checkbox label="Tagged only" checked={taggedOnly} onChange={(e) => setTaggedOnly(e.currentTarget.checked)} disabled={tagQ !== ''} mb={8} />
      </Group>
      <PagedTable
        caption={`Artifacts of ${project}/${repository}`}
        queryKey={['artifacts', project, repository, q ?? '']}
        rowKey={(a) => a.digest}
        columns={columns}
        defaultSort="-push_time"
        empty={q ? 'No artifact has a matching tag.' : 'No artifacts.'}
        fetch={({ page, pageSize, sort }) =>
          unwrapPage(
            api.GET('/api/v1/projects/{project}/repositories/{repository}/artifacts', {
              // with_scan_overview: Harbor's per-artifact scan summary (status, severity counts).
              params: { path, query: { page, page_size: pageSize, with_scan_overview: 'true', ...(sort ? { sort } : {}), ...(q ? { q } : {}) } },
            }),
          )
        }
      />
      <ConfirmDialog
        opened={deleting}
        onClose={() => setDeleting(false)}
        title="Delete repository"
        confirmLabel="Delete repository"
        onConfirm={async () => {
          await unwrap(api.DELETE('/api/v1/projects/{project}/repositories/{repository}', { params: { path } }));
          notifyDone(`${project}/${repository} deleted`);
          await client.invalidateQueries({ queryKey: ['repositories', project] });
          await navigate(projectUrl(project));
        }}
      >
        Delete {project}/{repository} with every artifact and tag in it? This cannot be undone.
      </ConfirmDialog>
    </Stack>
  );
}
