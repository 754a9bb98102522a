/**
 * The access area: your API tokens; for administrators users, robots, settings and the audit
 * log. A project's members, robots and audit log are tabs of the project page
 * (registry/ProjectLayout.tsx mounts `projectRoutes`).
 */
import type { RouteObject } from 'react-router';
import type { NavItem } from '../app/nav.ts';
import { AuditPage } from './AuditPage.tsx';
import { MembersPage } from './MembersPage.tsx';
import { RobotsPage } from './RobotsPage.tsx';
import { SettingsPage } from './SettingsPage.tsx';
import { TokensPage } from './TokensPage.tsx';
import { UsersPage } from './UsersPage.tsx';

export const routes: RouteObject[] = [
  { path: 'account/tokens', element: <TokensPage /> },
  { path: 'admin/users', element: <UsersPage /> },
  { path: 'admin/robots', element: <RobotsPage system /> },
  { path: 'admin/settings', element: <SettingsPage /> },
  { path: 'admin/audit', element: <AuditPage system /> },
];

/** Tabs of a project page: path (relative to /projects/:project), label, permission to see it. */
export const projectTabs: { path: string; label: string; permission: string }[] = [
  { path: 'members', label: 'Members', permission: 'member:list' },
  { path: 'robots', label: 'Robot accounts', permission: 'robot:list' },
  { path: 'logs', label: 'Audit log', permission: 'log:list' },
];

export const projectRoutes: RouteObject[] = [
  { path: 'members', element: <MembersPage /> },
  { path: 'robots', element: <RobotsPage /> },
  { path: 'logs', element: <AuditPage /> },
];

export const nav: NavItem[] = [
  { label: 'API tokens', to: '/account/tokens', section: 'Access' },
  { label: 'Users', to: '/admin/users', section: 'Administration', adminOnly: true },
  { label: 'Robot accounts', to: '/admin/robots', section: 'Administration', adminOnly: true },
  { label: 'Audit log', to: '/admin/audit', section: 'Administration', adminOnly: true },
  { label: 'Settings', to: '/admin/settings', section: 'Administration', adminOnly: true },
];
