/** The platform area: the job queue and outgoing webhooks. */
import type { RouteObject } from 'react-router';
import type { NavItem } from '../app/nav.ts';
import { JobDetail } from './JobDetail.tsx';
import { JobsList } from './JobsList.tsx';
import { WebhookDetail } from './WebhookDetail.tsx';
import { WebhooksPage } from './WebhooksPage.tsx';

export const routes: RouteObject[] = [
  { path: 'jobs', element: <JobsList /> },
  { path: 'jobs/:id', element: <JobDetail /> },
  { path: 'webhooks', element: <WebhooksPage /> },
  { path: 'webhooks/:project/:name', element: <WebhookDetail /> },
];

export const nav: NavItem[] = [
  { label: 'Webhooks', to: '/webhooks', section: 'Platform' },
  { label: 'Jobs', to: '/jobs', section: 'Platform', adminOnly: true },
];
