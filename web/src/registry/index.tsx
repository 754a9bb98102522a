/** The registry area: projects (with their access tabs), repositories, artifacts. */
import type { RouteObject } from 'react-router';
import { projectRoutes } from '../access/index.tsx';
import type { NavItem } from '../app/nav.ts';
import { ProjectLayout } from './ProjectLayout.tsx';
import { ProjectsPage } from './ProjectsPage.tsx';
import { RepositoriesPage } from './RepositoriesPage.tsx';
import { RepositoryRoutes } from './RepositoryRoutes.tsx';

export const routes: RouteObject[] = [
  { path: 'projects', element: <ProjectsPage /> },
  { path: 'projects/:project/repositories/*', element: <RepositoryRoutes /> },
  { path: 'projects/:project', element: <ProjectLayout />, children: [{ index: true, element: <RepositoriesPage /> }, ...projectRoutes] },
];

export const nav: NavItem[] = [{ label: 'Projects', to: '/projects', section: 'Registry' }];
