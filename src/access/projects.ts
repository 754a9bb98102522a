/**
 * Projects (the first path component of repository names) and their
 * members. Membership is by user or by OIDC group, with one role each.
 */
import { NO_AUDIT, audited, type AuditContext } from '../audit/audited.ts';
import type { AuditRecorder } from '../audit/types.ts';
import type { Transaction } from 'kysely';
import type { Database, Db } from '../platform/db/schema.ts';
import { containsIgnoringCase } from '../platform/db/sql.ts';
import { NO_EVENTS, type EventPublisher } from '../platform/events/types.ts';
import { AccessError, notFound } from './errors.ts';
import { isRole, type Role } from './permissions.ts';

const PROJECT_NAME = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;

export interface Project {
  name: string;
  public: boolean;
  /** Harbor's metadata `auto_scan`: every push is scanned (src/supply-chain/scanning). */
  autoScan: boolean;
  /** Harbor's metadata `auto_sbom_generation`: a CycloneDX SBOM is attached after each scan. */
  autoSbom: boolean;
  createdBy: string;
  createdAt: number;
  updatedAt: number;
  repositoryCount?: number;
}

export interface Member {
  kind: 'user' | 'group';
  name: string;
  role: Role;
  createdAt: number;
}

/** The project of a repository name. */
export function projectOf(repository: string): string {
  const slash = repository.indexOf('/');
  return slash < 0 ? repository : repository.slice(0, slash);
}

export function assertProjectName(name: string): void {
  if (name.length > 255 || !PROJECT_NAME.test(name)) {
    throw new AccessError('BAD_REQUEST', `invalid project name ${JSON.stringify(name.slice(0, 80))}: lowercase [a-z0-9] joined by '.', '_', '__' or '-', at most 255 characters`);
  }
}

type ProjectRow = { name: string; public: number; auto_scan: number; auto_sbom_generation: number; created_by: string; created_at: number; updated_at: number };

export type ProjectDeletionGuard = (trx: Transaction<Database>, project: string, force: boolean) => Promise<(() => void) | undefined>;

export class ProjectService {
  readonly #deletionGuards: ProjectDeletionGuard[] = [];
  readonly #db: Db;
  readonly #audit: AuditRecorder;
  /** Called after any change that may alter who can do what. */
  onChange: () => void = () => {};
  /** Where project.* domain events go (set at wiring). */
  events: EventPublisher = NO_EVENTS;

  constructor(db: Db, audit: AuditRecorder = NO_AUDIT) {
    this.#db = db;
    this.#audit = audit;
  }

  /**
   * Creates a project; `admin` (when given) becomes its projectAdmin in the
   * same transaction, so a creator is never left without rights.
   */
  async create(input: { name: string; public?: boolean; autoScan?: boolean; autoSbom?: boolean; createdBy: string; admin?: string }, ctx?: AuditContext): Promise<Project> {
    assertProjectName(input.name);
    const now = Date.now();
    await audited(this.#db, this.#audit, ctx, { resourceType: 'project', resource: input.name, action: 'create', project: input.name, detail: `${input.public ? 'public' : 'private'}${input.autoScan ? ', auto_scan' : ''}${input.autoSbom ? ', auto_sbom_generation' : ''}` }, async (trx) => {
      const r = await trx
        .insertInto('projects')
        .values({ name: input.name, public: input.public ? 1 : 0, auto_scan: input.autoScan ? 1 : 0, auto_sbom_generation: input.autoSbom ? 1 : 0, created_by: input.createdBy, created_at: now, updated_at: now })
        .onConflict((oc) => oc.column('name').doNothing())
        .executeTakeFirst();
      if (Number(r.numInsertedOrUpdatedRows ?? 0n) === 0) throw new AccessError('CONFLICT', `project ${input.name} already exists`);
      if (input.admin) await trx.insertInto('project_members').values({ project: input.name, member_kind: 'user', member_name: input.admin, role: 'projectAdmin', created_at: now }).execute();
      await this.events.publish(trx, { type: 'project.created', actor: ctx?.actor?.name ?? input.createdBy, data: { project: input.name } });
    });
    this.onChange();
    return this.get(input.name);
  }

  /** Creates the project if missing (first push by an administrator). */
  async ensure(name: string, createdBy: string, ctx?: AuditContext): Promise<void> {
    if (await this.find(name)) return;
    const now = Date.now();
    const created = await this.#db.transaction().execute(async (trx) => {
      const r = await trx
        .insertInto('projects')
        .values({ name, public: 0, created_by: createdBy, created_at: now, updated_at: now })
        .onConflict((oc) => oc.column('name').doNothing())
        .executeTakeFirst();
      const inserted = Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
      // A concurrent push may have created it first: only the creator records it.
      if (inserted && ctx) {
        await this.#audit.recordIn(trx, { ...ctx, resourceType: 'project', resource: name, action: 'create', project: name, outcome: 'success', detail: 'created by first push' });
      }
      if (inserted) await this.events.publish(trx, { type: 'project.created', actor: ctx?.actor?.name ?? createdBy, data: { project: name } });
      return inserted;
    });
    if (created) this.onChange();
  }

  async find(name: string): Promise<Project | undefined> {
    const row = await this.#db.selectFrom('projects').selectAll().where('name', '=', name).executeTakeFirst();
    return row && toProject(row);
  }

  async get(name: string): Promise<Project> {
    const p = await this.find(name);
    if (!p) throw notFound(`project ${name}`);
    return { ...p, repositoryCount: await this.#repositoryCount(name) };
  }

  /** Projects whose names are in `visible` (or all), filtered and paged. */
  async list(
    visible: 'all' | ReadonlySet<string>,
    filter: { name?: string; nameContains?: string; public?: boolean },
    sort: { field: 'name' | 'created_at'; desc: boolean }[],
    page: { page: number; pageSize: number },
    alsoPublic: boolean,
  ): Promise<{ items: Project[]; total: number }> {
    let q = this.#db.selectFrom('projects');
    if (visible !== 'all') {
      const names = [...visible];
      q = q.where((eb) => {
        const ors = [];
        if (names.length > 0) ors.push(eb('name', 'in', names));
        if (alsoPublic) ors.push(eb('public', '=', 1));
        return ors.length > 0 ? eb.or(ors) : eb.val(false);
      });
    }
    if (filter.name !== undefined) q = q.where('name', '=', filter.name);
    if (filter.nameContains !== undefined) q = q.where(containsIgnoringCase('name', filter.nameContains));
    if (filter.public !== undefined) q = q.where('public', '=', filter.public ? 1 : 0);
    const total = Number((await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    let rows = q.selectAll();
    for (const s of sort.length > 0 ? sort : [{ field: 'name' as const, desc: false }]) rows = rows.orderBy(s.field, s.desc ? 'desc' : 'asc');
    const items = await rows.limit(page.pageSize).offset((page.page - 1) * page.pageSize).execute();
    return { items: items.map(toProject), total };
  }

  async update(name: string, changes: { public?: boolean; autoScan?: boolean; autoSbom?: boolean }, ctx?: AuditContext): Promise<Project> {
    await this.get(name);
    const set: { public?: number; auto_scan?: number; auto_sbom_generation?: number; updated_at: number } = { updated_at: Date.now() };
    if (changes.public !== undefined) set.public = changes.public ? 1 : 0;
    if (changes.autoScan !== undefined) set.auto_scan = changes.autoScan ? 1 : 0;
    if (changes.autoSbom !== undefined) set.auto_sbom_generation = changes.autoSbom ? 1 : 0;
    const detail = [changes.public === undefined ? '' : changes.public ? 'public' : 'private', changes.autoScan === undefined ? '' : `auto_scan=${changes.autoScan}`, changes.autoSbom === undefined ? '' : `auto_sbom_generation=${changes.autoSbom}`].filter(Boolean).join(', ');
    await audited(this.#db, this.#audit, ctx, { resourceType: 'project', resource: name, action: 'update', project: name, detail }, async (trx) => {
      await trx.updateTable('projects').set(set).where('name', '=', name).execute();
      await this.events.publish(trx, { type: 'project.updated', actor: ctx?.actor?.name ?? 'system', data: { project: name } });
    });
    this.onChange();
    return this.get(name);
  }

  /**
   * Deletes a project. Refused while it holds repositories or project robots,
   * unless `force`, which deletes them too (blobs are reclaimed by GC).
   */
  /**
   * Other domains (delivery: applications) refuse or extend a project
   * deletion in its transaction; a guard returns what to run after commit.
   */
  addDeletionGuard(guard: ProjectDeletionGuard): void {
    this.#deletionGuards.push(guard);
  }

  async delete(name: string, force: boolean, ctx?: AuditContext): Promise<void> {
    await this.get(name);
    const afterCommit: (() => void)[] = [];
    await audited(this.#db, this.#audit, ctx, { resourceType: 'project', resource: name, action: 'delete', project: name, ...(force ? { detail: 'force' } : {}) }, async (trx) => {
      const repos = await trx
        .selectFrom('repositories')
        .select('name')
        .where((eb) => eb.or([eb('name', '=', name), eb('name', 'like', `${name}/%`)]))
        .execute();
      // `_` (valid in project names) is a LIKE wildcard: filter again, exactly.
      const owned = repos.map((r) => r.name).filter((r) => projectOf(r) === name);
      const robots = await trx.selectFrom('robots').select('name').where('project', '=', name).execute();
      if (!force && (owned.length > 0 || robots.length > 0)) {
        throw new AccessError('PRECONDITION_FAILED', `project ${name} is not empty (${owned.length} repositories, ${robots.length} robot accounts); delete them first or pass force`);
      }
      for (const guard of this.#deletionGuards) {
        const after = await guard(trx, name, force);
        if (after) afterCommit.push(after);
      }
      for (const repo of owned) {
        await trx.deleteFrom('tags').where('repository', '=', repo).execute();
        await trx.deleteFrom('manifest_references').where('repository', '=', repo).execute();
        await trx.deleteFrom('manifests').where('repository', '=', repo).execute();
        await trx.deleteFrom('repository_blobs').where('repository', '=', repo).execute();
        await trx.deleteFrom('repositories').where('name', '=', repo).execute();
      }
      if (robots.length > 0) await trx.deleteFrom('robots').where('project', '=', name).execute();
      await trx.deleteFrom('robot_permissions').where('namespace', '=', name).execute();
      await trx.deleteFrom('project_members').where('project', '=', name).execute();
      await trx.deleteFrom('projects').where('name', '=', name).execute();
      await this.events.publish(trx, { type: 'project.deleted', actor: ctx?.actor?.name ?? 'system', data: { project: name } });
    });
    for (const after of afterCommit) after();
    this.onChange();
  }

  async publicNames(): Promise<Set<string>> {
    return new Set((await this.#db.selectFrom('projects').select('name').where('public', '=', 1).execute()).map((r) => r.name));
  }

  /** Creates private projects for repositories that have none (older data). */
  async adoptOrphanRepositories(owner: string): Promise<number> {
    const known = new Set((await this.#db.selectFrom('projects').select('name').execute()).map((r) => r.name));
    const missing = new Set<string>();
    for (const r of await this.#db.selectFrom('repositories').select('name').execute()) {
      const p = projectOf(r.name);
      if (!known.has(p)) missing.add(p);
    }
    for (const p of missing) await this.ensure(p, owner);
    return missing.size;
  }

  // ---- members ----

  async members(project: string): Promise<Member[]> {
    await this.get(project);
    const rows = await this.#db.selectFrom('project_members').selectAll().where('project', '=', project).orderBy('member_kind').orderBy('member_name').execute();
    return rows.map((r) => ({ kind: r.member_kind, name: r.member_name, role: r.role as Role, createdAt: Number(r.created_at) }));
  }

  async addMember(project: string, member: { kind: 'user' | 'group'; name: string; role: string }, userExists: (name: string) => Promise<boolean>, ctx?: AuditContext): Promise<Member> {
    await this.get(project);
    if (!isRole(member.role)) throw new AccessError('BAD_REQUEST', `unknown role ${JSON.stringify(member.role)}`);
    if (member.kind === 'user' && !(await userExists(member.name))) throw notFound(`user ${member.name}`);
    if (member.kind === 'group' && (member.name.length === 0 || member.name.length > 255)) throw new AccessError('BAD_REQUEST', 'group names are 1 to 255 characters');
    const role = member.role;
    await audited(this.#db, this.#audit, ctx, { resourceType: 'member', resource: `${project}/${member.kind}:${member.name}`, action: 'create', project, detail: role }, async (trx) => {
      const r = await trx
        .insertInto('project_members')
        .values({ project, member_kind: member.kind, member_name: member.name, role, created_at: Date.now() })
        .onConflict((oc) => oc.columns(['project', 'member_kind', 'member_name']).doNothing())
        .executeTakeFirst();
      if (Number(r.numInsertedOrUpdatedRows ?? 0n) === 0) throw new AccessError('CONFLICT', `${member.kind} ${member.name} is already a member of ${project}`);
    });
    this.onChange();
    return { kind: member.kind, name: member.name, role: member.role, createdAt: Date.now() };
  }

  async updateMember(project: string, kind: 'user' | 'group', name: string, role: string, ctx?: AuditContext): Promise<void> {
    if (!isRole(role)) throw new AccessError('BAD_REQUEST', `unknown role ${JSON.stringify(role)}`);
    await audited(this.#db, this.#audit, ctx, { resourceType: 'member', resource: `${project}/${kind}:${name}`, action: 'update', project, detail: role }, async (trx) => {
      const r = await trx.updateTable('project_members').set({ role }).where('project', '=', project).where('member_kind', '=', kind).where('member_name', '=', name).executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) throw notFound(`${kind} ${name} in project ${project}`);
    });
    this.onChange();
  }

  async removeMember(project: string, kind: 'user' | 'group', name: string, ctx?: AuditContext): Promise<void> {
    await audited(this.#db, this.#audit, ctx, { resourceType: 'member', resource: `${project}/${kind}:${name}`, action: 'delete', project }, async (trx) => {
      const r = await trx.deleteFrom('project_members').where('project', '=', project).where('member_kind', '=', kind).where('member_name', '=', name).executeTakeFirst();
      if (Number(r.numDeletedRows) === 0) throw notFound(`${kind} ${name} in project ${project}`);
    });
    this.onChange();
  }

  /** Roles of a user (directly or through groups) in a project. */
  async rolesOf(project: string, username: string, groups: readonly string[]): Promise<Role[]> {
    const rows = await this.#db
      .selectFrom('project_members')
      .select('role')
      .where('project', '=', project)
      .where((eb) => {
        const user = eb.and([eb('member_kind', '=', 'user'), eb('member_name', '=', username)]);
        return groups.length > 0 ? eb.or([user, eb.and([eb('member_kind', '=', 'group'), eb('member_name', 'in', [...groups])])]) : user;
      })
      .execute();
    return rows.map((r) => r.role).filter(isRole);
  }

  /** Projects where a user is a member (directly or through groups). */
  async memberProjects(username: string, groups: readonly string[]): Promise<string[]> {
    const rows = await this.#db
      .selectFrom('project_members')
      .select('project')
      .distinct()
      .where((eb) => {
        const user = eb.and([eb('member_kind', '=', 'user'), eb('member_name', '=', username)]);
        return groups.length > 0 ? eb.or([user, eb.and([eb('member_kind', '=', 'group'), eb('member_name', 'in', [...groups])])]) : user;
      })
      .execute();
    return rows.map((r) => r.project);
  }

  async #repositoryCount(project: string): Promise<number> {
    const rows = await this.#db
      .selectFrom('repositories')
      .select('name')
      .where((eb) => eb.or([eb('name', '=', project), eb('name', 'like', `${project}/%`)]))
      .execute();
    return rows.filter((r) => projectOf(r.name) === project).length;
  }
}

function toProject(r: ProjectRow): Project {
  return { name: r.name, public: Number(r.public) === 1, autoScan: Number(r.auto_scan) === 1, autoSbom: Number(r.auto_sbom_generation) === 1, createdBy: r.created_by, createdAt: Number(r.created_at), updatedAt: Number(r.updated_at) };
}
