/** The platform area: the job queue and outgoing webhooks; views load on first visit (route `lazy`). */
import type { RouteObject } from 'react-router';
import type { NavItem } from '../app/nav.ts';

export const routes: RouteObject[] = [
  { path: 'jobs', lazy: async () => ({ Component: (await import('./JobsList.tsx')).JobsList }) },
  { path: 'jobs/:id', lazy: async () => ({ Component: (await import('./JobDetail.tsx')).JobDetail }) },
  { path: 'webhooks', lazy: async () => ({ Component: (await import('./WebhooksPage.tsx')).WebhooksPage }) },
  { path: 'admin/vulnerability-data', lazy: async () => ({ Component: (await import('./VulnDbPage.tsx')).VulnDbPage }) },
  { path: 'webhooks/:project/:name', lazy: async () => ({ Component: (await import('./WebhookDetail.tsx')).WebhookDetail }) },
];

export const nav: NavItem[] = [
  { label: 'Webhooks', to: '/webhooks', section: 'Platform' },
  { label: 'Jobs', to: '/jobs', section: 'Platform', adminOnly: true },
  { label: 'Vulnerability data', to: '/admin/vulnerability-data', section: 'Administration', adminOnly: true },
];
