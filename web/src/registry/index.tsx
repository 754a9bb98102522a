/** The registry area: projects, repositories, artifacts. */
import type { RouteObject } from 'react-router';
import type { NavItem } from '../app/nav.ts';
import { ProjectsPage } from './ProjectsPage.tsx';

export const routes: RouteObject[] = [{ path: 'projects', element: <ProjectsPage /> }];

export const nav: NavItem[] = [{ label: 'Projects', to: '/projects', section: 'Registry' }];
