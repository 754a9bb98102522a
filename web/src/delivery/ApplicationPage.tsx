/**
 * One application, as in Argo CD: a header with its state and actions, then
 * tabs for the resource tree (with each resource's diff), all differences,
 * the sync history (rollback) and the operations with per-resource results.
 */
import { Alert, Anchor, Breadcrumbs, Group, Loader, Stack, Tabs, Text, Title } from '@mantine/core';
import { Link, useParams, useSearchParams } from 'react-router';
import { AppActions } from './AppActions.tsx';
import { AppSummary } from './AppSummary.tsx';
import { DiffPanel } from './DiffPanel.tsx';
import { HistoryPanel } from './HistoryPanel.tsx';
import { errorText } from './http.ts';
import { useLiveApplications } from './live.ts';
import { LiveIndicator } from './LiveIndicator.tsx';
import { OperationsPanel } from './OperationsPanel.tsx';
import { usePermissions } from './perms.ts';
import { useApplication } from './queries.ts';
import { ResourcesPanel } from './ResourcesPanel.tsx';

const TABS = ['resources', 'diff', 'history', 'operations'];

export function ApplicationPage() {
  const name = useParams().name ?? '';
  const live = useLiveApplications();
  const app = useApplication(name, live);
  const perms = usePermissions(app.data?.project);
  // The tab is in the URL (?tab=history), so a reload or a shared link opens it.
  const [params, setParams] = useSearchParams();
  const tab = TABS.includes(params.get('tab') ?? '') ? params.get('tab') : 'resources';
  const setTab = (t: string | null): void => setParams(t && t !== 'resources' ? { tab: t } : {}, { replace: true });

  if (app.isPending) return <Loader aria-label="Loading application" />;
  if (app.isError) return <Alert color="red" title={`Application ${name}`}>{errorText(app.error)}</Alert>;
  const a = app.data;

  return (
    <Stack gap="md">
      <Breadcrumbs aria-label="Breadcrumb">
        <Anchor component={Link} to="/applications">
          Applications
        </Anchor>
        <Text span>{a.name}</Text>
      </Breadcrumbs>
      <Group justify="space-between" wrap="wrap">
        <Group gap="sm">
          <Title order={1} size="h2">{a.name}</Title>
          <LiveIndicator state={live} />
        </Group>
        <AppActions app={a} perms={perms} />
      </Group>
      <AppSummary app={a} />
      <Tabs value={tab} onChange={setTab} keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="resources">Resources</Tabs.Tab>
          <Tabs.Tab value="diff">Differences</Tabs.Tab>
          <Tabs.Tab value="history">History</Tabs.Tab>
          <Tabs.Tab value="operations">Operations</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="resources" pt="md">
          <ResourcesPanel app={a} canSync={perms.can('application:sync')} />
        </Tabs.Panel>
        <Tabs.Panel value="diff" pt="md">
          <DiffPanel name={a.name} />
        </Tabs.Panel>
        <Tabs.Panel value="history" pt="md">
          <HistoryPanel app={a} canSync={perms.can('application:sync')} />
        </Tabs.Panel>
        <Tabs.Panel value="operations" pt="md">
          <OperationsPanel app={a} />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
