/**
 * The delivery area: applications (list, create, page), clusters and Git
 * repositories. Views load on first visit (route `lazy`), so the registry's
 * first paint does not wait for them.
 */
import type { RouteObject } from 'react-router';
import type { NavItem } from '../app/nav.ts';

export const routes: RouteObject[] = [
  { path: 'applications', lazy: async () => ({ Component: (await import('./ApplicationsList.tsx')).ApplicationsList }) },
  { path: 'applications/new', lazy: async () => ({ Component: (await import('./ApplicationCreate.tsx')).ApplicationCreate }) },
  { path: 'applications/:name', lazy: async () => ({ Component: (await import('./ApplicationPage.tsx')).ApplicationPage }) },
  { path: 'clusters', lazy: async () => ({ Component: (await import('./ClustersList.tsx')).ClustersList }) },
  { path: 'git-repositories', lazy: async () => ({ Component: (await import('./GitRepositoriesList.tsx')).GitRepositoriesList }) },
];

export const nav: NavItem[] = [
  { label: 'Applications', to: '/applications', section: 'Delivery' },
  { label: 'Clusters', to: '/clusters', section: 'Delivery', adminOnly: true },
  { label: 'Git repositories', to: '/git-repositories', section: 'Delivery', adminOnly: true },
];
