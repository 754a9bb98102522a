/** The delivery area: applications (list, create, page), clusters and Git repositories. */
import type { RouteObject } from 'react-router';
import type { NavItem } from '../app/nav.ts';
import { ApplicationCreate } from './ApplicationCreate.tsx';
import { ApplicationPage } from './ApplicationPage.tsx';
import { ApplicationsList } from './ApplicationsList.tsx';
import { ClustersList } from './ClustersList.tsx';
import { GitRepositoriesList } from './GitRepositoriesList.tsx';

export const routes: RouteObject[] = [
  { path: 'applications', element: <ApplicationsList /> },
  { path: 'applications/new', element: <ApplicationCreate /> },
  { path: 'applications/:name', element: <ApplicationPage /> },
  { path: 'clusters', element: <ClustersList /> },
  { path: 'git-repositories', element: <GitRepositoriesList /> },
];

export const nav: NavItem[] = [
  { label: 'Applications', to: '/applications', section: 'Delivery' },
  { label: 'Clusters', to: '/clusters', section: 'Delivery', adminOnly: true },
  { label: 'Git repositories', to: '/git-repositories', section: 'Delivery', adminOnly: true },
];
