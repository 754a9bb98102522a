/**
 * What the engine of one process reads of the others' work, through the
 * database: applications created, changed or deleted through another
 * process, the statuses their operating processes saved, and Git changes
 * (webhooks) another process received. Polled every couple of seconds; the
 * application rows and the operation table stay the only truth.
 */
import type { Db } from '../../platform/db/schema.ts';
import type { ApplicationRecord, ApplicationStatus } from '../types.ts';

/** Statuses saved by other processes are read again for this long (their clocks may lag a little). */
const STATUS_OVERLAP_MS = 5_000;

export interface RefreshRequest {
  repoUrl: string;
  /** The process that received the change (it has compared its own applications already). */
  origin: string;
  changedPaths?: string[];
  requestedAt: number;
}

export class DeliveryCatalog {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /** Every application's name and last change time. */
  async versions(): Promise<Map<string, number>> {
    const rows = await this.#db.selectFrom('applications').select(['name', 'updated_at']).execute();
    return new Map(rows.map((r) => [r.name, Number(r.updated_at)]));
  }

  /** Statuses saved at or after `since` (epoch ms). */
  async statusesSince(since: number): Promise<{ app: string; status: ApplicationStatus; updatedAt: number }[]> {
    const rows = await this.#db.selectFrom('application_status').select(['app', 'status', 'updated_at']).where('updated_at', '>=', since).execute();
    return rows.map((r) => ({ app: r.app, status: JSON.parse(r.status) as ApplicationStatus, updatedAt: Number(r.updated_at) }));
  }

  /** Asks the processes operating the repository's applications to compare them now. */
  async requestRefresh(repoUrl: string, origin: string, changedPaths?: readonly string[]): Promise<void> {
    const row = { repo_url: repoUrl.slice(0, 1024), requested_at: Date.now(), changed_paths: JSON.stringify({ origin, ...(changedPaths ? { paths: changedPaths.slice(0, 1000) } : {}) }) };
    await this.#db
      .insertInto('delivery_refresh_requests')
      .values(row)
      .onConflict((oc) => oc.column('repo_url').doUpdateSet({ requested_at: row.requested_at, changed_paths: row.changed_paths }))
      .execute();
  }

  /** Refresh requests made after `since`. */
  async refreshRequestsSince(since: number): Promise<RefreshRequest[]> {
    const rows = await this.#db.selectFrom('delivery_refresh_requests').selectAll().where('requested_at', '>', since).execute();
    return rows.map((r) => {
      const detail = JSON.parse(r.changed_paths ?? '{}') as { origin?: string; paths?: string[] };
      return { repoUrl: r.repo_url, origin: detail.origin ?? '', requestedAt: Number(r.requested_at), ...(detail.paths ? { changedPaths: detail.paths } : {}) };
    });
  }
}

/** What the engine does with what the catalog shows. */
export interface FollowerHooks {
  instance: string;
  /** The last change time of `app` as this process knows it, if it knows it. */
  updatedAt(app: string): number | undefined;
  known(): string[];
  load(app: string): Promise<ApplicationRecord | undefined>;
  changed(app: string, record: ApplicationRecord | undefined): void;
  /** A status another process saved. */
  saved(app: string, status: ApplicationStatus): void;
  repositoryChanged(url: string, changedPaths?: readonly string[]): void;
}

/** Follows the catalog: each poll applies what changed since the previous one. */
export class CatalogFollower {
  readonly #catalog: DeliveryCatalog;
  readonly #hooks: FollowerHooks;
  #statusSince = 0;
  #refreshSince = 0;

  constructor(catalog: DeliveryCatalog, hooks: FollowerHooks) {
    this.#catalog = catalog;
    this.#hooks = hooks;
  }

  /** Changes before `time` are already known (the engine loaded everything then). */
  startAt(time: number): void {
    this.#statusSince = this.#refreshSince = time;
  }

  async poll(): Promise<void> {
    const h = this.#hooks;
    const started = Date.now();
    const versions = await this.#catalog.versions();
    for (const [name, updatedAt] of versions) {
      const known = h.updatedAt(name);
      if (known !== undefined && known >= updatedAt) continue;
      const record = await h.load(name);
      if (record) h.changed(name, record);
    }
    for (const name of h.known()) if (!versions.has(name)) h.changed(name, undefined);
    for (const s of await this.#catalog.statusesSince(this.#statusSince)) h.saved(s.app, s.status);
    this.#statusSince = started - STATUS_OVERLAP_MS;
    for (const r of await this.#catalog.refreshRequestsSince(this.#refreshSince)) {
      this.#refreshSince = Math.max(this.#refreshSince, r.requestedAt);
      if (r.origin !== h.instance) h.repositoryChanged(r.repoUrl, r.changedPaths);
    }
  }
}
