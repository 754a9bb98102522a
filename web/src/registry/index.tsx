/**
 * The registry area: projects (with their access tabs), repositories, artifacts. Views load
 * on first use (route `lazy`), so the first page downloads only the shell and the view it shows.
 */
import type { RouteObject } from 'react-router';
import { projectRoutes } from '../access/index.tsx';
import type { NavItem } from '../app/nav.ts';

export const routes: RouteObject[] = [
  { path: 'projects', lazy: async () => ({ Component: (await import('./ProjectsPage.tsx')).ProjectsPage }) },
  { path: 'projects/:project/repositories/*', lazy: async () => ({ Component: (await import('./RepositoryRoutes.tsx')).RepositoryRoutes }) },
  {
    path: 'projects/:project',
    lazy: async () => ({ Component: (await import('./ProjectLayout.tsx')).ProjectLayout }),
    children: [{ index: true, lazy: async () => ({ Component: (await import('./RepositoriesPage.tsx')).RepositoriesPage }) }, ...projectRoutes],
  },
];

export const nav: NavItem[] = [{ label: 'Projects', to: '/projects', section: 'Registry' }];
