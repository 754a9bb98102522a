/** Project roles as the API names them, with the labels Harbor users know. */
export const ROLE_LABELS = {
  projectAdmin: 'Project admin',
  maintainer: 'Maintainer',
  developer: 'Developer',
  guest: 'Guest',
  limitedGuest: 'Limited guest',
} as const;

export type Role = keyof typeof ROLE_LABELS;

export const ROLE_OPTIONS = (Object.keys(ROLE_LABELS) as Role[]).map((value) => ({ value, label: ROLE_LABELS[value] }));
