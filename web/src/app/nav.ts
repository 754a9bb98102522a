/** What each area (web/src/<area>/index.tsx) contributes to the navigation. */
import type { ReactNode } from 'react';

export type NavSection = 'Registry' | 'Delivery' | 'Access' | 'Platform' | 'Administration';

export interface NavItem {
  label: string;
  to: string;
  section: NavSection;
  icon?: ReactNode;
  /** Shown to system administrators only. */
  adminOnly?: boolean;
}
