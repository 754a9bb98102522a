/**
 * Decides what a principal may do, from the permission table: system admins
 * everything; users by their strongest project role (direct or through OIDC
 * groups); robots by their explicit permissions; everyone the public read set
 * on public projects (anonymous callers only when `anonymousPull` is on).
 * The token service, Basic-auth /v2 requests, the catalog filter and the
 * REST API all ask this one authorizer. Decisions are cached for a second
 * and the cache is dropped on every access change in this process.
 */
import { ALL_PERMISSIONS, PUBLIC_READ, ROLE_PERMISSIONS, TOKEN_ACTION_PERMISSION, strongestRole, type Permission } from './permissions.ts';
import type { Principal } from './principal.ts';
import { projectOf, type ProjectService } from './projects.ts';
import type { RobotService } from './robots.ts';
import type { Access } from './scopes.ts';

export interface Authorizer {
  /** The subset of `requested` registry accesses that `principal` may have. */
  grant(principal: Principal, requested: readonly Access[]): Promise<Access[]>;
}

const CACHE_TTL_MS = 1000;
const CACHE_MAX = 10_000;
const NONE: ReadonlySet<Permission> = new Set();
const EVERYTHING: ReadonlySet<Permission> = new Set(ALL_PERMISSIONS);

export class RbacAuthorizer implements Authorizer {
  readonly #projects: ProjectService;
  readonly #robots: RobotService;
  readonly #anonymousPull: boolean;
  readonly #cache = new Map<string, { value: ReadonlySet<Permission>; expires: number }>();

  constructor(projects: ProjectService, robots: RobotService, options: { anonymousPull: boolean }) {
    this.#projects = projects;
    this.#robots = robots;
    this.#anonymousPull = options.anonymousPull;
  }

  invalidate(): void {
    this.#cache.clear();
  }

  async permissions(principal: Principal, project: string): Promise<ReadonlySet<Permission>> {
    if (principal.admin) return EVERYTHING;
    const key = `${principal.kind}\0${principal.name}\0${(principal.groups ?? []).join('\0')}\0\0${project}`;
    const now = Date.now();
    const hit = this.#cache.get(key);
    if (hit && hit.expires > now) return hit.value;
    const value = await this.#compute(principal, project);
    if (this.#cache.size >= CACHE_MAX) this.#cache.clear();
    this.#cache.set(key, { value, expires: now + CACHE_TTL_MS });
    return value;
  }

  async can(principal: Principal, project: string, permission: Permission): Promise<boolean> {
    return (await this.permissions(principal, project)).has(permission);
  }

  async #compute(principal: Principal, project: string): Promise<ReadonlySet<Permission>> {
    const p = await this.#projects.find(project);
    if (!p) return NONE;
    const result = new Set<Permission>();
    if (p.public && (principal.kind !== 'anonymous' || this.#anonymousPull)) for (const x of PUBLIC_READ) result.add(x);
    if (principal.kind === 'user') {
      const role = strongestRole(await this.#projects.rolesOf(project, principal.name, principal.groups ?? []));
      if (role) for (const x of ROLE_PERMISSIONS[role]) result.add(x);
    } else if (principal.kind === 'robot') {
      for (const x of await this.#robots.permissionsOn(principal.name, project)) result.add(x);
    }
    return result;
  }

  async grant(principal: Principal, requested: readonly Access[]): Promise<Access[]> {
    const granted: Access[] = [];
    for (const a of requested) {
      if (a.type === 'registry') {
        // Everyone may ask for the catalog; it lists only what they may pull.
        if (a.name === 'catalog' && (principal.kind !== 'anonymous' || this.#anonymousPull)) granted.push({ ...a, actions: ['*'] });
        continue;
      }
      const perms = principal.admin ? EVERYTHING : await this.permissions(principal, projectOf(a.name));
      const wanted = a.actions.includes('*') ? Object.keys(TOKEN_ACTION_PERMISSION) : a.actions;
      const actions = wanted.filter((x) => {
        const p = TOKEN_ACTION_PERMISSION[x];
        return p !== undefined && perms.has(p);
      });
      if (actions.length > 0) granted.push({ ...a, actions });
    }
    return granted;
  }

  /**
   * Projects whose repositories the principal may pull, for catalog and list
   * filtering: 'all' for admins (and robots with a `*` grant), else a set;
   * public projects are added by the caller's query when `includesPublic`.
   */
  async pullableProjects(principal: Principal): Promise<{ names: 'all' | Set<string>; includesPublic: boolean }> {
    if (principal.admin) return { names: 'all', includesPublic: true };
    const includesPublic = principal.kind !== 'anonymous' || this.#anonymousPull;
    if (principal.kind === 'user') {
      return { names: new Set(await this.#projects.memberProjects(principal.name, principal.groups ?? [])), includesPublic };
    }
    if (principal.kind === 'robot') {
      const ns = await this.#robots.namespaces(principal.name);
      if (ns === 'all') return { names: 'all', includesPublic: true };
      const names = new Set<string>();
      for (const n of ns) if (await this.can(principal, n, 'repository:pull')) names.add(n);
      return { names, includesPublic };
    }
    return { names: new Set(), includesPublic };
  }
}
