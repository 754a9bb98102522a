/**
 * The access area: your API tokens; for administrators users, robots, settings and the audit
 * log. A project's members, robots and audit log are tabs of the project page
 * (registry/ProjectLayout.tsx mounts `projectRoutes`).
 */
import type { RouteObject } from 'react-router';
import type { NavItem } from '../app/nav.ts';

// Views load on first use (route `lazy`): the first page downloads only the shell and its view.
const audit = (system: boolean) => async () => {
  const { AuditPage } = await import('./AuditPage.tsx');
  return { Component: () => <AuditPage system={system} /> };
};
const robots = (system: boolean) => async () => {
  const { RobotsPage } = await import('./RobotsPage.tsx');
  return { Component: () => <RobotsPage system={system} /> };
};

export const routes: RouteObject[] = [
  { path: 'account/tokens', lazy: async () => ({ Component: (await import('./TokensPage.tsx')).TokensPage }) },
  { path: 'admin/users', lazy: async () => ({ Component: (await import('./UsersPage.tsx')).UsersPage }) },
  { path: 'admin/robots', lazy: robots(true) },
  { path: 'admin/settings', lazy: async () => ({ Component: (await import('./SettingsPage.tsx')).SettingsPage }) },
  { path: 'admin/audit', lazy: audit(true) },
];

/** Tabs of a project page: path (relative to /projects/:project), label, permission to see it. */
export const projectTabs: { path: string; label: string; permission: string }[] = [
  { path: 'members', label: 'Members', permission: 'member:list' },
  { path: 'robots', label: 'Robot accounts', permission: 'robot:list' },
  { path: 'logs', label: 'Audit log', permission: 'log:list' },
];

export const projectRoutes: RouteObject[] = [
  { path: 'members', lazy: async () => ({ Component: (await import('./MembersPage.tsx')).MembersPage }) },
  { path: 'robots', lazy: robots(false) },
  { path: 'logs', lazy: audit(false) },
];

export const nav: NavItem[] = [
  { label: 'API tokens', to: '/account/tokens', section: 'Access' },
  { label: 'Users', to: '/admin/users', section: 'Administration', adminOnly: true },
  { label: 'Robot accounts', to: '/admin/robots', section: 'Administration', adminOnly: true },
  { label: 'Audit log', to: '/admin/audit', section: 'Administration', adminOnly: true },
  { label: 'Settings', to: '/admin/settings', section: 'Administration', adminOnly: true },
];
