/** The access area: members, robots, API tokens, users, settings, audit log. */
import type { RouteObject } from 'react-router';
import type { NavItem } from '../app/nav.ts';

export const routes: RouteObject[] = [];

export const nav: NavItem[] = [];
