/** A project's page: name, visibility, and tabs (repositories; members, robots, audit log as allowed). */
import { Group, Tabs } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Outlet, useLocation, useNavigate, useParams } from 'react-router';
import { projectTabs } from '../access/index.tsx';
import { api, unwrap } from '../api/client.ts';
import { usePermissions } from '../app/permissions.ts';
import { ApiErrorAlert, PageHeader, StatusBadge } from '../components/index.ts';
import { projectUrl } from './paths.ts';
import { ProjectActions } from './ProjectActions.tsx';

const REPOSITORIES = 'repositories';

export function ProjectLayout() {
  const project = useParams().project!;
  const base = projectUrl(project);
  const perms = usePermissions(project);
  const location = useLocation();
  const navigate = useNavigate();
  const info = useQuery({ queryKey: ['project', project], queryFn: () => unwrap(api.GET('/api/v1/projects/{project}', { params: { path: { project } } })) });
  const tabs = [{ path: REPOSITORIES, label: 'Repositories', permission: '' }, ...projectTabs.filter((t) => perms.can(t.permission))];
  const rest = location.pathname.slice(base.length).split('/')[1] ?? '';
  const active = tabs.some((t) => t.path === rest) ? rest : REPOSITORIES;
  return (
    <>
      <PageHeader
        title={
          <Group gap="sm" component="span">
            {project}
            {info.data && <StatusBadge status={info.data.public ? 'public' : 'private'} label={info.data.public ? 'Public' : 'Private'} />}
          </Group>
        }
        crumbs={[{ label: 'Projects', to: '/projects' }]}
        actions={info.data && <ProjectActions project={project} isPublic={info.data.public} />}
      />
      <ApiErrorAlert error={info.error} />
      <Tabs value={active} onChange={(v) => void navigate(v && v !== REPOSITORIES ? `${base}/${v}` : base)} keepMounted={false}>
        <Tabs.List aria-label="Project sections" mb="md">
          {tabs.map((t) => (
            <Tabs.Tab key={t.path} value={t.path}>
              {t.label}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        {tabs.map((t) => (
          <Tabs.Panel key={t.path} value={t.path}>
            {t.path === active && <Outlet />}
          </Tabs.Panel>
        ))}
      </Tabs>
    </>
  );
}
