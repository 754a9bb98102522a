/**
 * An artifact's detail: digest, media type, size, push/pull time, pull commands to copy, tags
 * (add/remove as allowed), config summary, layers, index children, referrers; delete with
 * confirmation (artifact:delete).
 */
import { useState } from 'react';
import { Button, Code, Group, Paper, SimpleGrid, Stack, Tabs, Text, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate, useSearchParams } from 'react-router';
import { api, unwrap } from '../api/client.ts';
import { usePermissions } from '../app/permissions.ts';
import { ApiErrorAlert, bytes, ConfirmDialog, CopyButton, Field, notifyDone, PageHeader, RelativeTime, shortDigest } from '../components/index.ts';
import { ArtifactTags } from './ArtifactTags.tsx';
import { Children, ConfigSummary, Layers, Referrers } from './ArtifactSections.tsx';
import { projectUrl, repositoryUrl } from './paths.ts';
import { Platforms } from './Platforms.tsx';
import { PullCommand } from './PullCommand.tsx';
import { PackagesTable } from './scan/PackagesTable.tsx';
import { ScanPanel } from './scan/ScanPanel.tsx';
import { overviewOf } from './scan/types.ts';
import { isScannable, useScanReport } from './scan/useScanReport.ts';
import { VulnerabilityTable } from './scan/VulnerabilityTable.tsx';

export function ArtifactPage({ project, repository, reference }: { project: string; repository: string; reference: string }) {
  const perms = usePermissions(project);
  const client = useQueryClient();
  const navigate = useNavigate();
  const [deleting, setDeleting] = useState(false);
  // The open tab lives in the URL, so a link (or a reload) keeps the vulnerability filters' tab.
  const [params, setParams] = useSearchParams();
  const key = ['artifact', project, repository, reference];
  const q = useQuery({
    queryKey: key,
    // with_scan_overview: whether (and how) it was scanned, so an unscanned artifact's report is never asked for.
    queryFn: () => unwrap(api.GET('/api/v1/projects/{project}/repositories/{repository}/artifacts/{reference}', { params: { path: { project, repository, reference }, query: { with_scan_overview: 'true' } } })),
  });
  const a = q.data;
  const scannable = a !== undefined && isScannable(a);
  const everScanned = a !== undefined && overviewOf(a) !== undefined;
  const report = useScanReport(project, repository, a?.digest, scannable && everScanned);
  const scanned = report.data?.scan_status === 'Success';
  const refresh = () => Promise.all([client.invalidateQueries({ queryKey: key }), client.invalidateQueries({ queryKey: ['artifacts', project, repository] })]);
  const crumbs = [
    { label: 'Projects', to: '/projects' },
    { label: project, to: projectUrl(project) },
    { label: repository, to: repositoryUrl(project, repository) },
  ];

  return (
    <Stack>
      <PageHeader
        title={a ? `${repository}@${shortDigest(a.digest)}` : `${repository}:${reference}`}
        crumbs={crumbs}
        actions={
          a &&
          perms.can('artifact:delete') && (
            <Button color="red" variant="light" onClick={() => setDeleting(true)}>
              Delete artifact
            </Button>
          )
        }
      />
      <ApiErrorAlert error={q.error} />
      {a && (
        <>
          <Paper withBorder p="md">
            <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }} spacing="sm">
              <div>
                <Text size="xs" c="dimmed" fw={600}>
                  Digest
                </Text>
                <Group gap={4} wrap="nowrap">
                  <Code style={{ wordBreak: 'break-all' }}>{a.digest}</Code>
                  <CopyButton value={a.digest} label="Copy digest" />
                </Group>
              </div>
              <Field label="Type">{a.type}</Field>
              <Field label="Media type">{a.media_type}</Field>
              <Field label="Size">{bytes(a.size)}</Field>
              <Field label="Pushed">
                <RelativeTime value={a.push_time} />
              </Field>
              <Field label="Last pulled">
                <RelativeTime value={a.pull_time} fallback="Never" /> ({a.pull_count} pulls)
              </Field>
              {a.platforms.length > 0 && (
                <Field label="Platforms">
                  <Platforms platforms={a.platforms} />
                </Field>
              )}
              {a.subject && <Field label="Refers to">{shortDigest(a.subject)}</Field>}
            </SimpleGrid>
          </Paper>
          <section aria-labelledby="pull-heading">
            <Title order={2} size="h4" id="pull-heading" mb="xs">
              Pull
            </Title>
            <Stack gap={4}>
              <PullCommand project={project} repository={repository} reference={a.digest} label="Copy pull command by digest" />
              {(a.tags ?? []).slice(0, 3).map((t) => (
                <PullCommand key={t.name} project={project} repository={repository} reference={t.name} label={`Copy pull command for tag ${t.name}`} />
              ))}
            </Stack>
          </section>
          <section aria-labelledby="tags-heading">
            <Title order={2} size="h4" id="tags-heading" mb="xs">
              Tags
            </Title>
            <ArtifactTags
              artifact={{ project, repository, digest: a.digest }}
              tags={(a.tags ?? []).map((t) => t.name)}
              canAdd={perms.can('tag:create')}
              canRemove={perms.can('tag:delete')}
              onChanged={refresh}
            />
          </section>
          {scannable && <ScanPanel project={project} repository={repository} digest={a.digest} report={report} scanned={everScanned} canScan={perms.can('scan:create')} />}
          <Tabs
            value={params.get('tab') ?? (a.type === 'INDEX' ? 'children' : 'layers')}
            onChange={(v) => setParams((prev) => new URLSearchParams({ ...Object.fromEntries(prev), tab: v ?? '' }), { replace: true })}
            keepMounted={false}
          >
            <Tabs.List aria-label="Artifact details">
              {a.type === 'INDEX' && <Tabs.Tab value="children">Images ({a.references.length})</Tabs.Tab>}
              <Tabs.Tab value="layers">Layers ({a.layers.length})</Tabs.Tab>
              {a.config && <Tabs.Tab value="config">Configuration</Tabs.Tab>}
              <Tabs.Tab value="referrers">Referrers ({a.referrers.length})</Tabs.Tab>
              {scanned && <Tabs.Tab value="vulnerabilities">Vulnerabilities ({report.data?.summary?.total ?? 0})</Tabs.Tab>}
              {scanned && <Tabs.Tab value="packages">Packages ({(report.data?.platforms ?? []).reduce((n, p) => n + p.packages, 0)})</Tabs.Tab>}
            </Tabs.List>
            {a.type === 'INDEX' && (
              <Tabs.Panel value="children" pt="sm">
                <Children project={project} repository={repository} children={a.references} />
              </Tabs.Panel>
            )}
            <Tabs.Panel value="layers" pt="sm">
              {a.layers.length > 0 ? <Layers layers={a.layers} /> : <Text c="dimmed">No layers (an index lists images instead).</Text>}
            </Tabs.Panel>
            {a.config && (
              <Tabs.Panel value="config" pt="sm">
                <ConfigSummary config={a.config} />
              </Tabs.Panel>
            )}
            {scanned && (
              <Tabs.Panel value="vulnerabilities" pt="sm">
                <VulnerabilityTable project={project} repository={repository} digest={a.digest} />
              </Tabs.Panel>
            )}
            {scanned && (
              <Tabs.Panel value="packages" pt="sm">
                <PackagesTable project={project} repository={repository} digest={a.digest} />
              </Tabs.Panel>
            )}
            <Tabs.Panel value="referrers" pt="sm">
              {a.referrers.length > 0 ? <Referrers project={project} repository={repository} referrers={a.referrers} /> : <Text c="dimmed">No signatures, SBOMs or other referrers.</Text>}
            </Tabs.Panel>
          </Tabs>
        </>
      )}
      <ConfirmDialog
        opened={deleting}
        onClose={() => setDeleting(false)}
        title="Delete artifact"
        confirmLabel="Delete artifact"
        onConfirm={async () => {
          if (!a) return;
          await unwrap(api.DELETE('/api/v1/projects/{project}/repositories/{repository}/artifacts/{reference}', { params: { path: { project, repository, reference: a.digest } } }));
          notifyDone(`${shortDigest(a.digest)} deleted`);
          await client.invalidateQueries({ queryKey: ['artifacts', project, repository] });
          await navigate(repositoryUrl(project, repository));
        }}
      >
        Delete {project}/{repository}@{a ? shortDigest(a.digest) : ''} with all its tags ({(a?.tags ?? []).map((t) => t.name).join(', ') || 'none'}) and its referrers? This cannot be undone.
      </ConfirmDialog>
    </Stack>
  );
}

