/**
 * Robot accounts: system level (many or all projects) and project level,
 * named `robot$<name>` and `robot$<project>+<name>`, with explicit
 * {resource, action} permissions per project, an expiry, and a secret shown
 * once. Expired, disabled and deleted robots are refused at once, including
 * their tokens issued before (see AccountStatus).
 */
import { NO_AUDIT, audited, type AuditContext } from '../audit/audited.ts';
import type { AuditRecorder } from '../audit/types.ts';
import type { Db } from '../platform/db/schema.ts';
import { NO_EVENTS, type EventPublisher } from '../platform/events/types.ts';
import { AccessError, notFound } from './errors.ts';
import { isPermission, type Permission } from './permissions.ts';
import type { Principal } from './principal.ts';
import { assertProjectName } from './projects.ts';
import { hashSecret, newSecret, secretMatches } from './secrets.ts';

export const ROBOT_PREFIX = 'robot$';
const DAY = 86_400_000;
const ROBOT_NAME = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

export interface RobotPermissionSet {
  /** Project name, or `*` (system robots only). */
  namespace: string;
  access: { resource: string; action: string }[];
}

export interface Robot {
  name: string;
  level: 'system' | 'project';
  project: string | null;
  description: string;
  disabled: boolean;
  /** Epoch ms; null when it never expires. */
  expiresAt: number | null;
  createdBy: string;
  createdAt: number;
  updatedAt: number;
  permissions: RobotPermissionSet[];
}

export interface RobotInput {
  name: string;
  level: 'system' | 'project';
  description?: string;
  /** Days until expiry; -1 never expires. */
  duration?: number;
  disabled?: boolean;
  permissions: RobotPermissionSet[];
}

export class RobotService {
  readonly #db: Db;
  readonly #audit: AuditRecorder;
  onChange: () => void = () => {};
  /** Where robot.* domain events go (set at wiring). */
  events: EventPublisher = NO_EVENTS;

  constructor(db: Db, audit: AuditRecorder = NO_AUDIT) {
    this.#db = db;
    this.#audit = audit;
  }

  /**
   * Creates a robot and returns it with its secret (shown once).
   * `mayGrant(project, permission)` says whether the creator holds a
   * permission there: nobody can give a robot more than they have.
   */
  async create(input: RobotInput, createdBy: string, mayGrant: (namespace: string, p: Permission) => Promise<boolean>, ctx?: AuditContext): Promise<{ robot: Robot; secret: string }> {
    const { fullName, project } = this.#validate(input);
    await this.#assertProjectsExist(input.permissions);
    await this.#checkGrants(input.permissions, mayGrant);
    if (await this.#row(fullName)) throw new AccessError('CONFLICT', `robot ${fullName} already exists`);
    const secret = newSecret();
    const now = Date.now();
    const detail = describePermissions(input.permissions);
    await audited(this.#db, this.#audit, ctx, { resourceType: 'robot', resource: fullName, action: 'create', detail, ...(project ? { project } : {}) }, async (trx) => {
      await trx
        .insertInto('robots')
        .values({
          name: fullName,
          level: input.level,
          project,
          description: input.description ?? '',
          secret_hash: hashSecret(secret),
          disabled: input.disabled ? 1 : 0,
          expires_at: expiryOf(input.duration, now),
          created_by: createdBy,
          created_at: now,
          updated_at: now,
          expiry_notice_days: null,
        })
        .execute();
      const rows = flatten(fullName, input.permissions);
      if (rows.length > 0) await trx.insertInto('robot_permissions').values(rows).execute();
      await this.events.publish(trx, { type: 'robot.created', actor: ctx?.actor?.name ?? createdBy, data: { robot: fullName, ...(project ? { project } : {}) } });
    });
    this.onChange();
    return { robot: await this.get(fullName), secret };
  }

  async get(name: string): Promise<Robot> {
    const row = await this.#row(name);
    if (!row) throw notFound(`robot ${name}`);
    const perms = await this.#db.selectFrom('robot_permissions').selectAll().where('robot', '=', name).orderBy('namespace').orderBy('resource').orderBy('action').execute();
    const byNs = new Map<string, { resource: string; action: string }[]>();
    for (const p of perms) byNs.set(p.namespace, [...(byNs.get(p.namespace) ?? []), { resource: p.resource, action: p.action }]);
    return {
      name: row.name,
      level: row.level,
      project: row.project,
      description: row.description,
      disabled: Number(row.disabled) === 1,
      expiresAt: row.expires_at === null ? null : Number(row.expires_at),
      createdBy: row.created_by,
      createdAt: Number(row.created_at),
      updatedAt: Number(row.updated_at),
      permissions: [...byNs].map(([namespace, access]) => ({ namespace, access })),
    };
  }

  async list(filter: { project?: string; level?: 'system' | 'project' }, page: { page: number; pageSize: number }): Promise<{ items: Robot[]; total: number }> {
    let q = this.#db.selectFrom('robots');
    if (filter.project !== undefined) q = q.where('project', '=', filter.project);
    if (filter.level !== undefined) q = q.where('level', '=', filter.level);
    const total = Number((await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    const names = await q.select('name').orderBy('name').limit(page.pageSize).offset((page.page - 1) * page.pageSize).execute();
    return { items: await Promise.all(names.map((n) => this.get(n.name))), total };
  }

  async update(
    name: string,
    changes: { description?: string; disabled?: boolean; duration?: number; permissions?: RobotPermissionSet[] },
    mayGrant: (namespace: string, p: Permission) => Promise<boolean>,
    ctx?: AuditContext,
  ): Promise<Robot> {
    const robot = await this.get(name);
    assertDuration(changes.duration);
    if (changes.permissions) {
      this.#validatePermissions(robot.level, robot.project, changes.permissions);
      await this.#assertProjectsExist(changes.permissions);
      await this.#checkGrants(changes.permissions, mayGrant);
    }
    const now = Date.now();
    const action = changes.disabled === true ? 'disable' : changes.disabled === false ? 'enable' : 'update';
    const detail = [
      changes.duration !== undefined ? `duration=${changes.duration}` : '',
      changes.permissions ? describePermissions(changes.permissions) : '',
    ].filter(Boolean).join(' ');
    await audited(this.#db, this.#audit, ctx, { resourceType: 'robot', resource: name, action, detail, ...(robot.project ? { project: robot.project } : {}) }, async (trx) => {
      const set: { description?: string; disabled?: number; expires_at?: number | null; expiry_notice_days?: null; updated_at: number } = { updated_at: now };
      if (changes.description !== undefined) set.description = changes.description;
      if (changes.disabled !== undefined) set.disabled = changes.disabled ? 1 : 0;
      if (changes.duration !== undefined) {
        set.expires_at = expiryOf(changes.duration, now);
        set.expiry_notice_days = null;
      }
      await trx.updateTable('robots').set(set).where('name', '=', name).execute();
      if (changes.permissions) {
        await trx.deleteFrom('robot_permissions').where('robot', '=', name).execute();
        const rows = flatten(name, changes.permissions);
        if (rows.length > 0) await trx.insertInto('robot_permissions').values(rows).execute();
      }
    });
    this.onChange();
    return this.get(name);
  }

  /** A new secret (random, or the caller's if it is strong enough). */
  async refreshSecret(name: string, chosen?: string, ctx?: AuditContext): Promise<string> {
    const robot = await this.get(name);
    if (chosen !== undefined && (chosen.length < 16 || chosen.length > 128)) {
      throw new AccessError('BAD_REQUEST', 'a chosen robot secret must be 16 to 128 characters');
    }
    const secret = chosen ?? newSecret();
    await audited(this.#db, this.#audit, ctx, { resourceType: 'robot', resource: name, action: 'refresh-secret', ...(robot.project ? { project: robot.project } : {}) }, (trx) =>
      trx.updateTable('robots').set({ secret_hash: hashSecret(secret), updated_at: Date.now() }).where('name', '=', name).execute(),
    );
    this.onChange();
    return secret;
  }

  async delete(name: string, ctx?: AuditContext): Promise<void> {
    const robot = await this.get(name);
    await audited(this.#db, this.#audit, ctx, { resourceType: 'robot', resource: name, action: 'delete', ...(robot.project ? { project: robot.project } : {}) }, async (trx) => {
      const r = await trx.deleteFrom('robots').where('name', '=', name).executeTakeFirst();
      if (Number(r.numDeletedRows) === 0) throw notFound(`robot ${name}`);
      await this.events.publish(trx, { type: 'robot.deleted', actor: ctx?.actor?.name ?? 'system', data: { robot: name, ...(robot.project ? { project: robot.project } : {}) } });
    });
    this.onChange();
  }

  /** The robot's principal when the secret matches and it is usable. */
  async verify(name: string, secret: string, now = Date.now()): Promise<Principal | undefined> {
    const row = await this.#row(name);
    const ok = secretMatches(secret, row?.secret_hash ?? '0'.repeat(64));
    if (!row || !ok || !usable(row, now)) return undefined;
    return { kind: 'robot', name, admin: false };
  }

  async isActive(name: string, now = Date.now()): Promise<boolean> {
    const row = await this.#row(name);
    return row !== undefined && usable(row, now);
  }

  /** The robot's permissions on a project (including `*` grants). */
  async permissionsOn(name: string, project: string): Promise<Set<Permission>> {
    const rows = await this.#db.selectFrom('robot_permissions').select(['resource', 'action']).where('robot', '=', name).where('namespace', 'in', [project, '*']).execute();
    return new Set(rows.map((r) => `${r.resource}:${r.action}`).filter(isPermission));
  }

  /** Projects a robot has any permission on; 'all' for a `*` grant. */
  async namespaces(name: string): Promise<'all' | string[]> {
    const rows = await this.#db.selectFrom('robot_permissions').select('namespace').distinct().where('robot', '=', name).execute();
    return rows.some((r) => r.namespace === '*') ? 'all' : rows.map((r) => r.namespace);
  }

  /**
   * Publishes `robot.expiring` events 7 days and 1 day before expiry, and
   * `robot.expired` once it has passed, each once per robot and expiry (a
   * scheduled job, see main.ts).
   */
  async recordExpiryNotices(now = Date.now()): Promise<number> {
    const rows = await this.#db.selectFrom('robots').select(['name', 'expires_at', 'expiry_notice_days', 'project']).where('expires_at', 'is not', null).where('expires_at', '<=', now + 7 * DAY).execute();
    let recorded = 0;
    for (const r of rows) {
      const left = Number(r.expires_at) - now;
      const threshold = left <= 0 ? 0 : left <= DAY ? 1 : 7;
      if (r.expiry_notice_days !== null && Number(r.expiry_notice_days) <= threshold) continue;
      await this.#db.transaction().execute(async (trx) => {
        const about = { robot: r.name, expiresAt: Number(r.expires_at), ...(r.project ? { project: r.project } : {}) };
        if (threshold === 0) await this.events.publish(trx, { type: 'robot.expired', actor: 'system', data: about });
        else await this.events.publish(trx, { type: 'robot.expiring', actor: 'system', data: { ...about, daysLeft: threshold } });
        await trx.updateTable('robots').set({ expiry_notice_days: threshold }).where('name', '=', r.name).execute();
      });
      recorded++;
    }
    return recorded;
  }

  #validate(input: RobotInput): { fullName: string; project: string | null } {
    if (!ROBOT_NAME.test(input.name) || input.name.length > 128) {
      throw new AccessError('BAD_REQUEST', `invalid robot name ${JSON.stringify(input.name.slice(0, 80))}: lowercase [a-z0-9] joined by '.', '_' or '-', at most 128 characters`);
    }
    assertDuration(input.duration);
    if (input.level === 'project') {
      const project = input.permissions[0]?.namespace;
      if (input.permissions.length !== 1 || !project || project === '*') {
        throw new AccessError('BAD_REQUEST', 'a project robot has exactly one permission set, for its project');
      }
      assertProjectName(project);
      this.#validatePermissions('project', project, input.permissions);
      return { fullName: `${ROBOT_PREFIX}${project}+${input.name}`, project };
    }
    this.#validatePermissions('system', null, input.permissions);
    return { fullName: `${ROBOT_PREFIX}${input.name}`, project: null };
  }

  #validatePermissions(level: 'system' | 'project', project: string | null, sets: RobotPermissionSet[]): void {
    if (sets.length === 0) throw new AccessError('BAD_REQUEST', 'a robot needs at least one permission set');
    for (const set of sets) {
      if (level === 'project' && set.namespace !== project) throw new AccessError('BAD_REQUEST', `a robot of project ${project} cannot hold permissions on ${set.namespace}`);
      if (set.namespace !== '*') assertProjectName(set.namespace);
      if (set.access.length === 0) throw new AccessError('BAD_REQUEST', `no access listed for ${set.namespace}`);
      for (const a of set.access) {
        if (!isPermission(`${a.resource}:${a.action}`)) throw new AccessError('BAD_REQUEST', `unknown permission ${a.resource}:${a.action}`);
      }
    }
  }

  /**
   * Permissions name existing projects only: a grant on a project that does
   * not exist yet would silently apply to whoever creates it later.
   */
  async #assertProjectsExist(sets: RobotPermissionSet[]): Promise<void> {
    const names = [...new Set(sets.map((s) => s.namespace).filter((n) => n !== '*'))];
    if (names.length === 0) return;
    const found = new Set((await this.#db.selectFrom('projects').select('name').where('name', 'in', names).execute()).map((r) => r.name));
    const missing = names.filter((n) => !found.has(n));
    if (missing.length > 0) throw notFound(`project ${missing.join(', ')}`);
  }

  async #checkGrants(sets: RobotPermissionSet[], mayGrant: (namespace: string, p: Permission) => Promise<boolean>): Promise<void> {
    for (const set of sets) {
      for (const a of set.access) {
        const p = `${a.resource}:${a.action}` as Permission;
        if (!(await mayGrant(set.namespace, p))) throw new AccessError('FORBIDDEN', `you cannot grant ${p} on ${set.namespace}: you do not hold it`);
      }
    }
  }

  #row(name: string) {
    return this.#db.selectFrom('robots').selectAll().where('name', '=', name).executeTakeFirst();
  }
}

function assertDuration(duration: number | undefined): void {
  if (duration !== undefined && !(duration === -1 || (Number.isInteger(duration) && duration > 0 && duration <= 36_500))) {
    throw new AccessError('BAD_REQUEST', 'duration is a number of days from 1 to 36500, or -1 for never');
  }
}

function describePermissions(sets: RobotPermissionSet[]): string {
  return sets.map((s) => `${s.namespace}:${s.access.map((a) => `${a.resource}:${a.action}`).join(',')}`).join(' ');
}

function usable(row: { disabled: number; expires_at: number | null }, now: number): boolean {
  return Number(row.disabled) === 0 && (row.expires_at === null || Number(row.expires_at) > now);
}

function expiryOf(duration: number | undefined, now: number): number | null {
  const days = duration ?? 30;
  return days === -1 ? null : now + days * DAY;
}

function flatten(robot: string, sets: RobotPermissionSet[]) {
  const seen = new Set<string>();
  const rows: { robot: string; namespace: string; resource: string; action: string }[] = [];
  for (const s of sets) {
    for (const a of s.access) {
      const key = `${s.namespace}\0${a.resource}\0${a.action}`;
      if (seen.has(key)) continue;
      seen.add(key);
      rows.push({ robot, namespace: s.namespace, resource: a.resource, action: a.action });
    }
  }
  return rows;
}
