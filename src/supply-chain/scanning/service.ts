/**
 * The scanning service behind the REST API and the jobs: requests scans
 * (one `scan.artifact` job per digest, deduplicated, its report marked
 * Pending in the same transaction), and reads results in Harbor's shapes.
 * Callers check permissions first (the REST layer); this service checks
 * names, existence and what can be scanned.
 */
import type { Kysely } from 'kysely';
import { AccessError } from '../../access/errors.ts';
import { audited, type AuditContext } from '../../audit/audited.ts';
import type { AuditRecorder } from '../../audit/types.ts';
import { assertRepositoryName } from '../../oci/names.ts';
import type { Database, Db } from '../../platform/db/schema.ts';
import type { JobEnqueuer } from '../../platform/jobs/types.ts';
import { IMAGE_CONFIG_TYPES, IMAGE_MANIFEST_TYPES, INDEX_TYPES, listed, resolveReference } from '../../registry/artifact-rows.ts';
import type { Finding, Inventory, Package } from '../types.ts';
import { notScanned, unsupported } from './errors.ts';
import { queryFindings, queryPackages, type FindingQuery, type PackageQuery } from './query.ts';
import type { ReportRow, ScanStore } from './store.ts';
import { toOverview, toReport, type ScanOverview, type ScanReportView } from './views.ts';
import { DomainError } from '../../core/errors.ts';

export const SCAN_KIND = 'scan.artifact';
export const SCAN_ALL_KIND = 'scan.all';
export const REMATCH_KIND = 'vulnerabilities.rematch';

export interface ScanJobPayload {
  repository: string;
  digest: string;
  /** Auto-scan on push: skipped when the manifest turned out to be an index child. */
  auto?: boolean;
}

/** Manual scans jump ahead of auto-scans and scheduled rescans. */
const PRIORITY = { manual: 10, auto: 0, bulk: -10 } as const;

export interface ArtifactRef {
  project: string;
  repository: string;
  digest: string;
  mediaType: string;
  subject: string | null;
  artifactType: string | null;
}

/** Images and indexes are scanned; referrers (SBOMs, signatures) and other artifacts are not. */
export function scannable(a: { mediaType: string; subject: string | null; artifactType: string | null }): boolean {
  if (a.subject !== null) return false;
  if (INDEX_TYPES.has(a.mediaType)) return true;
  return IMAGE_MANIFEST_TYPES.has(a.mediaType) && (a.artifactType === null || IMAGE_CONFIG_TYPES.has(a.artifactType));
}

export type SbomFormat = 'cyclonedx' | 'spdx';

/** SBOM documents of stored inventories (src/supply-chain/sbom, wired at start). */
export interface SbomDocuments {
  render(format: SbomFormat, inventories: Inventory[], subject: { repository: string; digest: string; tags: string[] }): object;
  /** Pushes the document as an OCI referrer of the artifact (through the registry's own code paths). */
  attach(repository: string, digest: string, format: SbomFormat, document: object, actor: string): Promise<{ digest: string }>;
}

export class ScanService {
  /** Set at wiring when the SBOM writers are part of the build. */
  sbom: SbomDocuments | undefined;
  readonly #db: Db;
  readonly #store: ScanStore;
  readonly #jobs: JobEnqueuer;
  readonly #audit: AuditRecorder;

  constructor(deps: { db: Db; store: ScanStore; jobs: JobEnqueuer; audit: AuditRecorder }) {
    this.#db = deps.db;
    this.#store = deps.store;
    this.#jobs = deps.jobs;
    this.#audit = deps.audit;
  }

  get store(): ScanStore {
    return this.#store;
  }

  async #repository(project: string, repository: string): Promise<string> {
    const name = `${project}/${repository}`;
    assertRepositoryName(name);
    const row = await this.#db.selectFrom('repositories').select('name').where('name', '=', name).executeTakeFirst();
    if (!row) throw new AccessError('NOT_FOUND', `repository ${repository} not found in project ${project}`);
    return name;
  }

  /** The artifact a tag or digest names. */
  async resolve(project: string, repository: string, reference: string): Promise<ArtifactRef> {
    const name = await this.#repository(project, repository);
    const digest = await resolveReference(this.#db, name, reference);
    const m = await this.#db.selectFrom('manifests').select(['media_type', 'subject_digest', 'artifact_type']).where('repository', '=', name).where('digest', '=', digest).executeTakeFirstOrThrow();
    return { project, repository: name, digest, mediaType: m.media_type, subject: m.subject_digest, artifactType: m.artifact_type };
  }

  /** Queues the scan of one digest in `trx` and marks its report Pending; returns the job id (an active one is reused). */
  async enqueue(trx: Kysely<Database>, a: Pick<ArtifactRef, 'project' | 'repository' | 'digest' | 'mediaType'>, how: keyof typeof PRIORITY, runAt?: number): Promise<string> {
    const payload: ScanJobPayload = { repository: a.repository, digest: a.digest, ...(how === 'auto' ? { auto: true } : {}) };
    const jobId = await this.#jobs.enqueue(trx, SCAN_KIND, payload, { dedupeKey: a.digest, priority: PRIORITY[how], ...(runAt !== undefined ? { runAt } : {}) });
    // The engine is chosen when the job runs (its lookup may read the database, which this transaction holds on SQLite).
    await this.#store.markPending(trx, { ...a, jobId });
    return jobId;
  }

  async scanArtifact(project: string, repository: string, reference: string, ctx: AuditContext): Promise<{ job_id: string }> {
    const a = await this.resolve(project, repository, reference);
    if (!scannable(a)) throw unsupported(`${a.repository}@${a.digest} is not an image or an index (${a.artifactType ?? a.mediaType}${a.subject ? ', a referrer' : ''}): only images are scanned`);
    const jobId = await audited(this.#db, this.#audit, ctx, { resourceType: 'artifact', resource: `${a.repository}@${a.digest}`, action: 'scan', project }, (trx) => this.enqueue(trx, a, 'manual'));
    return { job_id: jobId };
  }

  /** Every listed image and index of a repository, of a project, or of every project. */
  async #scannableArtifacts(scope: { repository?: string }): Promise<ArtifactRef[]> {
    let q = this.#db.selectFrom('manifests as m').select(['m.repository', 'm.digest', 'm.media_type', 'm.subject_digest', 'm.artifact_type']).where((eb) => listed(eb));
    if (scope.repository !== undefined) q = q.where('m.repository', '=', scope.repository);
    const rows = await q.orderBy('m.repository').orderBy('m.digest').execute();
    const out: ArtifactRef[] = [];
    const seen = new Set<string>();
    for (const r of rows) {
      const a: ArtifactRef = { project: r.repository.split('/')[0]!, repository: r.repository, digest: r.digest, mediaType: r.media_type, subject: r.subject_digest, artifactType: r.artifact_type };
      // One scan per content: the same digest in two repositories has the same packages.
      if (!scannable(a) || seen.has(a.digest)) continue;
      seen.add(a.digest);
      out.push(a);
    }
    return out;
  }

  async #enqueueMany(list: ArtifactRef[], how: keyof typeof PRIORITY): Promise<number> {
    for (let i = 0; i < list.length; i += 200) {
      const chunk = list.slice(i, i + 200);
      await this.#db.transaction().execute(async (trx) => {
        for (const a of chunk) await this.enqueue(trx, a, how);
      });
    }
    return list.length;
  }

  async scanRepository(project: string, repository: string, ctx: AuditContext): Promise<{ queued: number }> {
    const name = await this.#repository(project, repository);
    const list = await this.#scannableArtifacts({ repository: name });
    const queued = await this.#enqueueMany(list, 'manual');
    await audited(this.#db, this.#audit, ctx, { resourceType: 'repository', resource: name, action: 'scan', project, detail: `${queued} queued` }, () => Promise.resolve());
    return { queued };
  }

  /** Every image of every project (POST /scan-all and the scheduled rescan, which passes no ctx). */
  async scanAll(ctx?: AuditContext): Promise<{ queued: number }> {
    const queued = await this.#enqueueMany(await this.#scannableArtifacts({}), ctx ? 'manual' : 'bulk');
    if (ctx) await audited(this.#db, this.#audit, ctx, { resourceType: 'system', resource: 'scan-all', action: 'scan', detail: `${queued} queued` }, () => Promise.resolve());
    return { queued };
  }

  async #reportOf(project: string, repository: string, reference: string): Promise<{ a: ArtifactRef; report: ReportRow }> {
    const a = await this.resolve(project, repository, reference);
    const report = await this.#store.report(a.digest);
    if (!report) throw notScanned(`${a.repository}@${a.digest}`);
    return { a, report };
  }

  async report(project: string, repository: string, reference: string): Promise<ScanReportView> {
    const { report } = await this.#reportOf(project, repository, reference);
    const inventories = (await this.#store.inventories([report.id])).get(report.id) ?? [];
    return toReport(report, inventories);
  }

  async vulnerabilities(project: string, repository: string, reference: string, query: FindingQuery): Promise<{ items: Finding[]; total: number }> {
    const { report } = await this.#reportOf(project, repository, reference);
    return queryFindings(this.#db, report.id, query);
  }

  async packages(project: string, repository: string, reference: string, query: PackageQuery): Promise<{ items: Package[]; total: number }> {
    const { report } = await this.#reportOf(project, repository, reference);
    return queryPackages(this.#db, report.id, query);
  }

  /** The stored inventories of a scanned artifact and its tags (SBOM documents). */
  async inventories(project: string, repository: string, reference: string): Promise<{ repository: string; digest: string; tags: string[]; inventories: Inventory[] }> {
    const { a, report } = await this.#reportOf(project, repository, reference);
    if (report.rematchable !== 1) throw notScanned(`${a.repository}@${a.digest} (no package inventory stored: ${report.status === 'Success' ? `the scanner ${report.engine} reports vulnerabilities only` : `scan ${report.status}`})`);
    const tags = (await this.#db.selectFrom('tags').select('name').where('repository', '=', a.repository).where('digest', '=', a.digest).orderBy('name').execute()).map((t) => t.name);
    return { repository: a.repository, digest: a.digest, tags, inventories: (await this.#store.inventories([report.id])).get(report.id) ?? [] };
  }

  /**
   * Renders the SBOM of the stored inventory and attaches it to the artifact
   * as an OCI referrer (replacing the one Berth attached before in that
   * format). NOT_SCANNED without an inventory.
   */
  async attachSbom(project: string, repository: string, reference: string, format: SbomFormat, actor: string): Promise<{ digest: string }> {
    if (!this.sbom) throw new DomainError('unavailable', 'SBOM documents are not part of this build');
    const stored = await this.inventories(project, repository, reference);
    const doc = this.sbom.render(format, stored.inventories, { repository: stored.repository, digest: stored.digest, tags: stored.tags });
    return this.sbom.attach(stored.repository, stored.digest, format, doc, actor);
  }

  /** Harbor's scan_overview for a page of artifacts (absent = not scanned). */
  async overviews(digests: readonly string[]): Promise<Map<string, ScanOverview>> {
    const reports = await this.#store.reports(digests);
    return new Map([...reports].map(([d, r]) => [d, toOverview(r)]));
  }
}
