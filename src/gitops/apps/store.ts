/**
 * Applications: their specs (checked against the project's delivery policy
 * on every write), their last status as the engine saved it, and their sync
 * history (the last `historyLimit` per application, like Argo CD's
 * revisionHistoryLimit). Changes are audited in the same transaction;
 * listeners hear about them after the commit.
 */
import { AccessError, notFound } from '../../access/errors.ts';
import { NO_AUDIT, audited, type AuditContext } from '../../audit/audited.ts';
import type { AuditRecorder } from '../../audit/types.ts';
import type { Selectable, Transaction } from 'kysely';
import type { Database, Db } from '../../platform/db/schema.ts';
import { containsIgnoringCase } from '../../platform/db/sql.ts';
import { applicationSourceSchema, applicationSpecSchema, dnsLabel, type ApplicationSpec } from '../model.ts';
import type { ApplicationRecord, ApplicationStatus, HistoryEntry, OperationPhase, SyncTrigger } from '../types.ts';
import type { ClusterStore } from './clusters.ts';
import { checkApplication, zodMessage, type DeliveryPolicyStore } from './policy.ts';
import { assertRepositoryUrl, normalizeRepoUrl } from './repositories.ts';

export const DEFAULT_HISTORY_LIMIT = 10;

export interface ApplicationStoreOptions {
  /** Sync history entries kept per application (default 10). */
  historyLimit?: number;
}

export interface ApplicationListFilter {
  project?: string;
  projects?: readonly string[];
  q?: string;
  name?: string;
  cluster?: string;
  namespace?: string;
  sync?: readonly string[];
  health?: readonly string[];
}

export type ApplicationListener = (name: string, record: ApplicationRecord | undefined) => void;

type AppRow = Database['applications'];

/** What create() takes: an Application document's name and spec (defaults not yet applied). */
export interface ApplicationInput {
  name: string;
  spec: unknown;
}

export class ApplicationStore {
  readonly #db: Db;
  readonly #audit: AuditRecorder;
  readonly #policies: DeliveryPolicyStore;
  readonly #clusters: ClusterStore;
  readonly #historyLimit: number;
  readonly #listeners = new Set<ApplicationListener>();

  constructor(db: Db, deps: { policies: DeliveryPolicyStore; clusters: ClusterStore; audit?: AuditRecorder }, options: ApplicationStoreOptions = {}) {
    this.#db = db;
    this.#audit = deps.audit ?? NO_AUDIT;
    this.#policies = deps.policies;
    this.#clusters = deps.clusters;
    this.#historyLimit = options.historyLimit ?? DEFAULT_HISTORY_LIMIT;
    if (!Number.isInteger(this.#historyLimit) || this.#historyLimit < 1) throw new Error(`historyLimit must be a positive integer, not ${this.#historyLimit}`);
  }

  /** Creates an application; 409 when the name is taken (names are global). */
  async create(app: ApplicationInput, actor: AuditContext): Promise<ApplicationRecord> {
    const name = parseName(app.name);
    const spec = parseSpec(app.spec);
    const row = await this.#checked(name, spec);
    const now = Date.now();
    const full: AppRow = { ...row, created_by: actor.actor.name, created_at: now, updated_at: now };
    await audited(this.#db, this.#audit, actor, { resourceType: 'application', resource: `${spec.project}/${name}`, action: 'create', project: spec.project }, async (trx) => {
      await assertProject(trx, spec.project);
      const r = await trx
        .insertInto('applications')
        .values(full)
        .onConflict((oc) => oc.column('name').doNothing())
        .executeTakeFirst();
      if (Number(r.numInsertedOrUpdatedRows ?? 0n) === 0) throw new AccessError('CONFLICT', `application ${name} already exists`);
    });
    const record = toRecord(full);
    this.#emit(name, record);
    return record;
  }

  /**
   * Replaces an application's spec. Moving it to another project is allowed
   * (the caller checks rights on both); the new project's policy applies.
   */
  async update(name: string, specInput: unknown, actor: AuditContext): Promise<ApplicationRecord> {
    const spec = parseSpec(specInput);
    const current = await this.get(name);
    if (!current) throw notFound(`application ${name}`);
    const row = await this.#checked(name, spec);
    const now = Date.now();
    const detail = current.project === spec.project ? undefined : `moved from project ${current.project}`;
    await audited(this.#db, this.#audit, actor, { resourceType: 'application', resource: `${spec.project}/${name}`, action: 'update', project: spec.project, ...(detail ? { detail } : {}) }, async (trx) => {
      await assertProject(trx, spec.project);
      const r = await trx
        .updateTable('applications')
        .set({ project: row.project, spec: row.spec, repo_url: row.repo_url, dest_name: row.dest_name, dest_server: row.dest_server, dest_namespace: row.dest_namespace, updated_at: now })
        .where('name', '=', name)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) throw notFound(`application ${name}`);
    });
    const record: ApplicationRecord = { ...current, project: spec.project, spec, updatedAt: now };
    this.#emit(name, record);
    return record;
  }

  /** Deletes an application with its status and history (the caller then tells the engine). */
  async delete(name: string, actor: AuditContext): Promise<ApplicationRecord> {
    const current = await this.get(name);
    if (!current) throw notFound(`application ${name}`);
    await audited(this.#db, this.#audit, actor, { resourceType: 'application', resource: `${current.project}/${name}`, action: 'delete', project: current.project }, async (trx) => {
      await trx.deleteFrom('application_history').where('app', '=', name).execute();
      await trx.deleteFrom('application_status').where('app', '=', name).execute();
      const r = await trx.deleteFrom('applications').where('name', '=', name).executeTakeFirst();
      if (Number(r.numDeletedRows) === 0) throw notFound(`application ${name}`);
    });
    this.#emit(name, undefined);
    return current;
  }

  async get(name: string): Promise<ApplicationRecord | undefined> {
    const row = await this.#db.selectFrom('applications').selectAll().where('name', '=', name).executeTakeFirst();
    return row && toRecord(row);
  }

  /**
   * A page of applications, by name, each with its last saved status. `project`
   * filters on one project, `projects` restricts to those visible to the
   * caller (omit for all); `q` matches names containing it (case-insensitive),
   * `name` exactly; `cluster` (name or server), `namespace`, `sync` and
   * `health` (any of the values; an app never compared is Unknown) filter in
   * SQL, so a page costs two queries whatever the number of applications.
   */
  async list(options: ApplicationListFilter & { page: number; pageSize: number }): Promise<{ items: { record: ApplicationRecord; status: ApplicationStatus | undefined }[]; total: number }> {
    let q = this.#db.selectFrom('applications').leftJoin('application_status', 'application_status.app', 'applications.name');
    if (options.project !== undefined) q = q.where('applications.project', '=', options.project);
    if (options.projects !== undefined) {
      const visible = [...options.projects];
      q = visible.length > 0 ? q.where('applications.project', 'in', visible) : q.where((eb) => eb.val(false));
    }
    if (options.q) q = q.where(containsIgnoringCase('applications.name', options.q));
    if (options.name !== undefined) q = q.where('applications.name', '=', options.name);
    const cluster = options.cluster;
    if (cluster !== undefined) q = q.where((eb) => eb.or([eb('applications.dest_name', '=', cluster), eb('applications.dest_server', '=', cluster)]));
    if (options.namespace !== undefined) q = q.where('applications.dest_namespace', '=', options.namespace);
    if (options.sync?.length) q = q.where((eb) => eb.fn.coalesce('application_status.sync_status', eb.val('Unknown')), 'in', [...options.sync]);
    if (options.health?.length) q = q.where((eb) => eb.fn.coalesce('application_status.health_status', eb.val('Unknown')), 'in', [...options.health]);
    const total = Number((await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    const rows = await q
      .selectAll('applications')
      .select('application_status.status')
      .orderBy('applications.name')
      .limit(options.pageSize)
      .offset((options.page - 1) * options.pageSize)
      .execute();
    return { items: rows.map((r) => ({ record: toRecord(r), status: r.status ? (JSON.parse(r.status) as ApplicationStatus) : undefined })), total };
  }

  /** The projects that hold applications (to find those a caller may read without loading every application). */
  async projectsWithApplications(): Promise<string[]> {
    return (await this.#db.selectFrom('applications').select('project').distinct().execute()).map((r) => r.project);
  }

  async listAll(): Promise<ApplicationRecord[]> {
    return (await this.#db.selectFrom('applications').selectAll().orderBy('name').execute()).map(toRecord);
  }

  /** Called after every committed create, update (record) and delete (undefined); returns an unsubscribe function. */
  onChange(listener: ApplicationListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Tells listeners that applications were deleted outside the store (guardProjectDeletion, after commit). */
  forgotten(names: readonly string[]): void {
    for (const n of names) this.#emit(n, undefined);
  }

  // ---- status ----

  /** Saves the engine's view of an application; ignored when the application is gone. */
  async saveStatus(name: string, status: ApplicationStatus): Promise<void> {
    const row = { app: name, status: JSON.stringify(status), sync_status: status.sync.status, health_status: status.health.status, operation_phase: status.operationState?.phase ?? null, updated_at: Date.now() };
    await this.#db.transaction().execute(async (trx) => {
      const exists = await trx.selectFrom('applications').select('name').where('name', '=', name).executeTakeFirst();
      if (!exists) return;
      await trx
        .insertInto('application_status')
        .values(row)
        .onConflict((oc) => oc.column('app').doUpdateSet({ status: row.status, sync_status: row.sync_status, health_status: row.health_status, operation_phase: row.operation_phase, updated_at: row.updated_at }))
        .execute();
    });
  }

  async loadStatus(name: string): Promise<ApplicationStatus | undefined> {
    const row = await this.#db.selectFrom('application_status').select('status').where('app', '=', name).executeTakeFirst();
    return row && (JSON.parse(row.status) as ApplicationStatus);
  }

  // ---- history ----

  /** Records a finished operation; keeps the newest `historyLimit` entries of the application. */
  async appendHistory(entry: Omit<HistoryEntry, 'id'>): Promise<HistoryEntry> {
    const source = applicationSourceSchema.parse(entry.source);
    return this.#db.transaction().execute(async (trx) => {
      const exists = await trx.selectFrom('applications').select('name').where('name', '=', entry.app).executeTakeFirst();
      if (!exists) throw notFound(`application ${entry.app}`);
      const inserted = await trx
        .insertInto('application_history')
        .values({
          app: entry.app,
          revision: entry.revision,
          manifest_digest: entry.manifestDigest,
          source: JSON.stringify(source),
          trigger: entry.trigger,
          actor: entry.actor,
          started_at: entry.startedAt,
          finished_at: entry.finishedAt,
          phase: entry.phase,
          message: entry.message,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const keep = await trx.selectFrom('application_history').select('id').where('app', '=', entry.app).orderBy('id', 'desc').limit(this.#historyLimit).execute();
      const oldestKept = keep.at(-1);
      if (oldestKept && keep.length >= this.#historyLimit) await trx.deleteFrom('application_history').where('app', '=', entry.app).where('id', '<', oldestKept.id).execute();
      return { ...entry, source, id: Number(inserted.id) };
    });
  }

  /** Newest first; at most `limit` (default: all kept). */
  async listHistory(name: string, limit?: number): Promise<HistoryEntry[]> {
    let q = this.#db.selectFrom('application_history').selectAll().where('app', '=', name).orderBy('id', 'desc');
    if (limit !== undefined) q = q.limit(limit);
    return (await q.execute()).map(toHistory);
  }

  async getHistory(name: string, id: number): Promise<HistoryEntry | undefined> {
    const row = await this.#db.selectFrom('application_history').selectAll().where('app', '=', name).where('id', '=', id).executeTakeFirst();
    return row && toHistory(row);
  }

  // ---- internals ----

  async #checked(name: string, spec: ApplicationSpec): Promise<Pick<AppRow, 'name' | 'project' | 'spec' | 'repo_url' | 'dest_name' | 'dest_server'> & { dest_namespace: string }> {
    // The same check as registering the repository: an application must not
    // hold a URL `berth gitrepo add` refuses (credentials in it, ext::, file://…).
    assertRepositoryUrl(spec.source.repoURL, 'spec.source.repoURL');
    const dest = await checkApplication(await this.#policies.get(spec.project), spec, (d) => this.#clusters.resolve(d));
    return { name, project: spec.project, spec: JSON.stringify(spec), repo_url: normalizeRepoUrl(spec.source.repoURL), dest_name: dest.name, dest_server: dest.server, dest_namespace: spec.destination.namespace };
  }

  #emit(name: string, record: ApplicationRecord | undefined): void {
    for (const l of this.#listeners) {
      try {
        l(name, record);
      } catch {
        // A listener's failure is its own; the change is committed.
      }
    }
  }
}

/**
 * For ProjectService.delete, inside its transaction: refuses to delete a
 * project that holds applications unless `force`, which deletes them (with
 * status and history). Returns the names of the deleted applications, for
 * the caller to tell the engine (ApplicationStore.forgotten) after commit.
 */
export async function guardProjectDeletion(trx: Transaction<Database>, project: string, force: boolean): Promise<string[]> {
  const apps = (await trx.selectFrom('applications').select('name').where('project', '=', project).orderBy('name').execute()).map((a) => a.name);
  if (apps.length === 0) return [];
  if (!force) throw new AccessError('PRECONDITION_FAILED', `project ${project} holds ${apps.length} applications (${apps.slice(0, 10).join(', ')}${apps.length > 10 ? ', …' : ''}); delete them first or pass force`);
  await trx.deleteFrom('application_history').where('app', 'in', apps).execute();
  await trx.deleteFrom('application_status').where('app', 'in', apps).execute();
  await trx.deleteFrom('applications').where('project', '=', project).execute();
  return apps;
}

function parseName(name: unknown): string {
  const r = dnsLabel.safeParse(name);
  if (!r.success) throw new AccessError('BAD_REQUEST', zodMessage(r.error, 'metadata.name'));
  return r.data;
}

function parseSpec(spec: unknown): ApplicationSpec {
  const r = applicationSpecSchema.safeParse(spec);
  if (!r.success) throw new AccessError('BAD_REQUEST', zodMessage(r.error, 'spec'));
  return r.data;
}

async function assertProject(trx: Transaction<Database>, project: string): Promise<void> {
  const p = await trx.selectFrom('projects').select('name').where('name', '=', project).executeTakeFirst();
  if (!p) throw notFound(`project ${project}`);
}

function toRecord(r: AppRow): ApplicationRecord {
  return { name: r.name, project: r.project, spec: applicationSpecSchema.parse(JSON.parse(r.spec)), createdBy: r.created_by, createdAt: Number(r.created_at), updatedAt: Number(r.updated_at) };
}

function toHistory(r: Selectable<Database['application_history']>): HistoryEntry {
  return {
    id: Number(r.id),
    app: r.app,
    revision: r.revision,
    manifestDigest: r.manifest_digest,
    source: applicationSourceSchema.parse(JSON.parse(r.source)),
    trigger: r.trigger as SyncTrigger,
    actor: r.actor,
    startedAt: Number(r.started_at),
    finishedAt: Number(r.finished_at),
    phase: r.phase as OperationPhase,
    message: r.message,
  };
}
