/** The platform area (owned by the `webdelivery` helper): routes and navigation items the shell mounts. */
import type { RouteObject } from 'react-router';
import type { NavItem } from '../app/nav.ts';

export const routes: RouteObject[] = [];

export const nav: NavItem[] = [];
