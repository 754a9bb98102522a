/** The application's state at a glance: sync (with revision), health, source, destination, last operation, conditions. */
import { Alert, Card, Group, SimpleGrid, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { HealthBadge, PhaseBadge, SyncBadge } from './badges.tsx';
import { shortSha } from './http.ts';
import { RelativeTime } from '../components/RelativeTime.tsx';
import type { Application } from './types.ts';

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Stack gap={2}>
      <Text size="xs" c="dimmed" component="dt">
        {label}
      </Text>
      <Text size="sm" component="dd" m={0} style={{ overflowWrap: 'anywhere' }}>
        {children}
      </Text>
    </Stack>
  );
}

export function AppSummary({ app }: { app: Application }) {
  const s = app.status;
  const op = s?.operationState;
  const src = app.spec.source;
  const dest = app.spec.destination;
  return (
    <Stack gap="sm">
      <Card withBorder padding="sm">
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }} component="dl" m={0}>
          <Field label="Sync">
            <Group gap={6} component="span">
              <SyncBadge status={s?.sync.status} />
              {s?.sync.revision ? (
                <Text span ff="monospace" size="sm" title={s.sync.revision}>
                  {shortSha(s.sync.revision)}
                </Text>
              ) : null}
            </Group>
          </Field>
          <Field label="Health">
            <Group gap={6} component="span">
              <HealthBadge status={s?.health.status} message={s?.health.message} />
              {s?.health.message ? <Text span size="xs">{s.health.message}</Text> : null}
            </Group>
          </Field>
          <Field label="Source">
            {src.repoURL} — {src.path}@{src.targetRevision}
          </Field>
          <Field label="Destination">
            {dest.name ?? dest.server} / {dest.namespace || '(default)'} · project {app.project}
            {app.spec.syncPolicy.automated ? ' · automated sync' : ''}
          </Field>
          <Field label="Last operation">
            {op ? (
              <Group gap={6} component="span">
                <PhaseBadge phase={op.phase} />
                <Text span size="sm">
                  {op.dryRun ? 'dry run ' : ''}
                  {op.trigger} by {op.actor}, <RelativeTime value={op.finishedAt ?? op.startedAt} />
                </Text>
              </Group>
            ) : (
              'none'
            )}
          </Field>
          <Field label="Last operation message">
            <Text span size="sm" lineClamp={4} title={op?.message}>
              {op?.message || '—'}
            </Text>
          </Field>
          <Field label="Deployed revision">{s?.syncedRevision ? shortSha(s.syncedRevision) : '—'}</Field>
          <Field label="Compared">
            <RelativeTime value={s?.reconciledAt} />
          </Field>
        </SimpleGrid>
      </Card>
      {(s?.conditions ?? []).map((c) => (
        <Alert key={`${c.type}-${c.at}`} color="red" title={c.type}>
          {c.message}
        </Alert>
      ))}
    </Stack>
  );
}
