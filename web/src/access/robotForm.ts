/**
 * The robot form's values and how they map to the API (pure, unit-tested): the same picker
 * creates a robot (POST /robots) and edits one (PUT /robots/{name}, only what changed — an
 * untouched expiry must not be pushed back by re-sending the remaining days).
 */

/** What robots usually need, grouped as Harbor's robot dialog does. */
export const ROBOT_PERMISSIONS: { resource: string; actions: string[] }[] = [
  { resource: 'repository', actions: ['pull', 'push', 'delete', 'list'] },
  { resource: 'artifact', actions: ['read', 'list', 'delete'] },
  { resource: 'tag', actions: ['list', 'create', 'delete'] },
  { resource: 'application', actions: ['read', 'sync'] },
];

const DAY = 86_400_000;

export interface RobotFormValues {
  description: string;
  /** Days from now until expiry; -1 never (NumberInput gives a string while being typed). */
  days: number | string;
  /** System robots: comma-separated project names or `*`. Project robots ignore it. */
  namespaces: string;
  /** `resource:action` of every chosen permission. */
  chosen: string[];
}

export interface Access {
  resource: string;
  action: string;
}

export interface PermissionSet {
  namespace: string;
  access: Access[];
}

/** The part of a robot the form reads (the list's item type is wider). */
export interface RobotLike {
  level: 'system' | 'project';
  project: string | null;
  description: string;
  expiresAt: number | null;
  permissions: PermissionSet[];
}

export interface RobotChanges {
  description?: string;
  duration?: number;
  permissions?: PermissionSet[];
}

export const NEW_ROBOT: RobotFormValues = { description: '', days: 30, namespaces: '*', chosen: ['repository:pull'] };

export function accessOf(chosen: string[]): Access[] {
  return chosen.map((p) => {
    const i = p.indexOf(':');
    return { resource: p.slice(0, i), action: p.slice(i + 1) };
  });
}

function namespaceList(namespaces: string): string[] {
  return [...new Set(namespaces.split(',').map((n) => n.trim()).filter(Boolean))];
}

/** The permission sets the form describes: one per project, each with the chosen access. */
export function permissionSets(values: RobotFormValues, project?: string): PermissionSet[] {
  const access = accessOf(values.chosen);
  return (project ? [project] : namespaceList(values.namespaces)).map((namespace) => ({ namespace, access }));
}

/** Whole days left (rounded up; 0 once expired), -1 when it never expires. */
export function remainingDays(expiresAt: number | null, now = Date.now()): number {
  if (expiresAt === null || expiresAt <= 0) return -1;
  return Math.max(0, Math.ceil((expiresAt - now) / DAY));
}

/**
 * The form filled from an existing robot. The picker gives every project the same access, so a
 * robot whose projects differ shows the union (`uniform: false` lets the dialog say so).
 */
export function formValuesOf(robot: RobotLike, now = Date.now()): RobotFormValues & { uniform: boolean } {
  const keys = robot.permissions.map((p) => p.access.map((a) => `${a.resource}:${a.action}`).sort());
  const chosen = [...new Set(keys.flat())].sort();
  return {
    description: robot.description,
    days: remainingDays(robot.expiresAt, now),
    namespaces: robot.permissions.map((p) => p.namespace).join(', '),
    chosen,
    uniform: keys.every((k) => k.join() === keys[0]?.join()),
  };
}

/** Whether `days` is a duration the API takes: 1 to 36500 days, or -1 for never. */
export function validDays(days: number | string): boolean {
  const n = Number(days);
  return days !== '' && Number.isInteger(n) && (n === -1 || (n >= 1 && n <= 36_500));
}

/** The PUT body for what differs between the robot as loaded and the form (empty: nothing to do). */
export function robotChanges(robot: RobotLike, values: RobotFormValues, now = Date.now()): RobotChanges {
  const before = formValuesOf(robot, now);
  const changes: RobotChanges = {};
  if (values.description !== before.description) changes.description = values.description;
  if (Number(values.days) !== before.days) changes.duration = Number(values.days);
  const project = robot.level === 'project' ? (robot.project ?? undefined) : undefined;
  const sameChosen = [...values.chosen].sort().join() === before.chosen.join();
  const sameNamespaces = project !== undefined || namespaceList(values.namespaces).sort().join() === namespaceList(before.namespaces).sort().join();
  if (!sameChosen || !sameNamespaces) changes.permissions = permissionSets(values, project);
  return changes;
}
