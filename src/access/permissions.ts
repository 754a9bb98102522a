/**
 * The permission table: which project role may do what. The single source
 * of truth for the token service, the REST API and the CLI, and rendered
 * into docs/permissions.md by scripts/gen-docs.ts. Roles and their meaning
 * follow Harbor's (ids kept for API compatibility).
 */

export const ROLES = ['projectAdmin', 'maintainer', 'developer', 'guest', 'limitedGuest'] as const;
export type Role = (typeof ROLES)[number];

/** Harbor's numeric role ids. */
export const ROLE_IDS: Record<Role, number> = { projectAdmin: 1, developer: 2, guest: 3, maintainer: 4, limitedGuest: 5 };

export const RESOURCES = {
  repository: ['pull', 'push', 'delete', 'list'],
  artifact: ['read', 'list', 'delete'],
  tag: ['list', 'create', 'delete'],
  project: ['read', 'update', 'delete'],
  member: ['list', 'create', 'update', 'delete'],
  robot: ['list', 'read', 'create', 'update', 'delete'],
  log: ['list'],
  application: ['read', 'create', 'update', 'delete', 'sync'],
  /** Outgoing webhook policies and their delivery logs: project administrators only. */
  webhook: ['read', 'create', 'update', 'delete'],
  /** Requesting vulnerability scans (reading results needs artifact:read). */
  scan: ['create'],
  /** Immutable tag rules (Harbor: maintainers manage them, guests list them). */
  immutable_rule: ['list', 'create', 'update', 'delete'],
  /** The project's trust policy: who must have signed what (src/supply-chain/trust). */
  trust_policy: ['read', 'update'],
} as const;

export type Resource = keyof typeof RESOURCES;
export type Permission = { [R in Resource]: `${R}:${(typeof RESOURCES)[R][number]}` }[Resource];

export const ALL_PERMISSIONS: readonly Permission[] = (Object.entries(RESOURCES) as [Resource, readonly string[]][]).flatMap(([r, actions]) =>
  actions.map((a) => `${r}:${a}` as Permission),
);

/**
 * Read access granted to everyone who can see a public project. Deliberately
 * without application:read: a public project's images are public, its
 * deployments (clusters, namespaces, repositories) are not.
 */
export const PUBLIC_READ: readonly Permission[] = ['repository:pull', 'repository:list', 'artifact:read', 'artifact:list', 'tag:list', 'project:read'];

const LIMITED_GUEST: readonly Permission[] = [...PUBLIC_READ, 'application:read'];
const GUEST: readonly Permission[] = [...LIMITED_GUEST, 'member:list', 'robot:list', 'log:list', 'immutable_rule:list', 'trust_policy:read'];
/** Developers deploy what is in Git (sync, refresh, rollback) but do not define applications. */
const DEVELOPER: readonly Permission[] = [...GUEST, 'repository:push', 'tag:create', 'application:sync', 'scan:create'];
const MAINTAINER: readonly Permission[] = [
  ...DEVELOPER,
  'repository:delete',
  'artifact:delete',
  'tag:delete',
  'robot:read',
  'immutable_rule:create',
  'immutable_rule:update',
  'immutable_rule:delete',
  'application:create',
  'application:update',
  'application:delete',
];
const PROJECT_ADMIN: readonly Permission[] = ALL_PERMISSIONS;

export const ROLE_PERMISSIONS: Record<Role, ReadonlySet<Permission>> = {
  limitedGuest: new Set(LIMITED_GUEST),
  guest: new Set(GUEST),
  developer: new Set(DEVELOPER),
  maintainer: new Set(MAINTAINER),
  projectAdmin: new Set(PROJECT_ADMIN),
};

/** The roles ordered from most to least privileged, for "highest role wins". */
export function strongestRole(roles: Iterable<Role>): Role | undefined {
  let best: Role | undefined;
  for (const r of roles) if (best === undefined || ROLES.indexOf(r) < ROLES.indexOf(best)) best = r;
  return best;
}

export function isRole(s: string): s is Role {
  return (ROLES as readonly string[]).includes(s);
}

export function isPermission(s: string): s is Permission {
  return (ALL_PERMISSIONS as readonly string[]).includes(s);
}

/**
 * System permissions: not part of any project role, held by system
 * administrators only (the job queue is shared by every project).
 */
export const SYSTEM_PERMISSIONS = ['job:read', 'job:manage'] as const;
export type SystemPermission = (typeof SYSTEM_PERMISSIONS)[number];

/** Whether `principal` holds a system permission: system administrators hold them all. */
export function hasSystemPermission(principal: { admin: boolean }, _permission: SystemPermission): boolean {
  return principal.admin;
}

/**
 * Registry token actions and the permission each needs. `delete` covers
 * deleting manifests, blobs and tags through /v2.
 */
export const TOKEN_ACTION_PERMISSION: Record<string, Permission> = {
  pull: 'repository:pull',
  push: 'repository:push',
  delete: 'artifact:delete',
};

/** Markdown table of the permissions of each role (docs/permissions.md). */
export function permissionsTable(): string {
  const header = `| permission | ${ROLES.join(' | ')} | anonymous / any user on a public project |`;
  const sep = `| --- | ${ROLES.map(() => ':---:').join(' | ')} | :---: |`;
  const rows = ALL_PERMISSIONS.map((p) => {
    const cells = ROLES.map((r) => (ROLE_PERMISSIONS[r].has(p) ? '✓' : ''));
    return `| \`${p}\` | ${cells.join(' | ')} | ${PUBLIC_READ.includes(p) ? '✓' : ''} |`;
  });
  const system = ['', '| system permission | system administrators | everyone else |', '| --- | :---: | :---: |', ...SYSTEM_PERMISSIONS.map((p) => `| \`${p}\` | ✓ |  |`)];
  return [header, sep, ...rows, ...system].join('\n');
}
