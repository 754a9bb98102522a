/**
 * Scan results in the database: one report per manifest digest (its state,
 * scanner, error and Harbor's summary counts), the inventories, their
 * packages and the findings. Results are replaced as a whole in one
 * transaction, so a reader sees the old results or the new ones.
 */
import { type Insertable, type Kysely, type Selectable } from 'kysely';
import { createHash } from 'node:crypto';
import { newUuidV7 } from '../../core/ids.ts';
import type { Database, Db } from '../../platform/db/schema.ts';
import type { ScanReportTable } from '../schema.ts';
import type { Finding, Inventory } from '../types.ts';
import type { ScannerInfo } from './engine.ts';
import { findingRow, inventoryOf, inventoryRow, packageOf, packageRow } from './rows.ts';
import { summarizeFindings, type ScanSummary } from './summary.ts';

export type ReportRow = Selectable<ScanReportTable>;

/** Bind parameters per INSERT: under SQLite's 32,766 and PostgreSQL's 65,535 (fewer, bigger statements write findings fastest). */
const MAX_PARAMS = 30_000;

async function insertChunked<T extends 'scan_packages' | 'scan_findings' | 'scan_inventories'>(db: Kysely<Database>, table: T, rows: Insertable<Database[T]>[]): Promise<void> {
  if (rows.length === 0) return;
  const per = Math.max(1, Math.floor(MAX_PARAMS / Object.keys(rows[0]!).length));
  for (let i = 0; i < rows.length; i += per) await db.insertInto(table).values(rows.slice(i, i + per)).execute();
}

/** Identifies a set of findings (order included: it is the matcher's, deterministic for the same data). */
export function findingsHash(findings: readonly Finding[]): string {
  const h = createHash('sha256');
  for (const f of findings) h.update(JSON.stringify(f)).update('\n');
  return h.digest('hex');
}

function summaryColumns(s: ScanSummary) {
  return {
    severity: s.severity,
    critical: s.counts.Critical,
    high: s.counts.High,
    medium: s.counts.Medium,
    low: s.counts.Low,
    negligible: s.counts.Negligible,
    unknown: s.counts.Unknown,
    total: s.total,
    fixable: s.fixable,
  };
}

export class ScanStore {
  readonly db: Db;

  constructor(db: Db) {
    this.db = db;
  }

  /**
   * Marks the digest's report Pending for a queued job (created when the
   * digest has none). The previous results stay readable until the new
   * ones replace them.
   */
  async markPending(db: Kysely<Database>, t: { digest: string; repository: string; project: string; mediaType: string; engine?: string; jobId: string | null }, now = Date.now()): Promise<string> {
    const existing = await db.selectFrom('scan_reports').select(['id', 'status', 'job_id']).where('digest', '=', t.digest).executeTakeFirst();
    if (existing) {
      // Deduplicated onto the job that already owns the report (queued, running, or just finished): it keeps its state.
      if (t.jobId !== null && existing.job_id === t.jobId) return existing.id;
      await db
        .updateTable('scan_reports')
        .set({ status: 'Pending', job_id: t.jobId, repository: t.repository, project: t.project, media_type: t.mediaType, ...(t.engine !== undefined ? { engine: t.engine } : {}), requested_at: now, error: null })
        .where('id', '=', existing.id)
        .execute();
      return existing.id;
    }
    const id = newUuidV7();
    await db
      .insertInto('scan_reports')
      .values({ id, digest: t.digest, repository: t.repository, project: t.project, media_type: t.mediaType, status: 'Pending', job_id: t.jobId, engine: t.engine ?? '', requested_at: now, severity: 'None' })
      .onConflict((oc) => oc.column('digest').doNothing())
      .execute();
    const row = await db.selectFrom('scan_reports').select('id').where('digest', '=', t.digest).executeTakeFirstOrThrow();
    return row.id;
  }

  async markRunning(digest: string, jobId: string, now = Date.now()): Promise<void> {
    await this.db.updateTable('scan_reports').set({ status: 'Running', job_id: jobId, started_at: now, ended_at: null, error: null }).where('digest', '=', digest).execute();
  }

  async markError(db: Kysely<Database>, digest: string, error: string, now = Date.now()): Promise<void> {
    await db.updateTable('scan_reports').set({ status: 'Error', error: error.slice(0, 4000), ended_at: now }).where('digest', '=', digest).execute();
  }

  /** Removes a report that never ran (an auto-scan skipped as an index child). */
  async dropPending(digest: string, jobId: string): Promise<void> {
    await this.db.deleteFrom('scan_reports').where('digest', '=', digest).where('job_id', '=', jobId).where('status', 'in', ['Pending', 'Running']).where('ended_at', 'is', null).execute();
  }

  /** Stores a finished scan in the caller's transaction; returns its summary. */
  async saveResult(
    db: Kysely<Database>,
    reportId: string,
    r: { engine: string; scanner: ScannerInfo; inventories?: Inventory[] | undefined; findings: Finding[]; startedAt: number },
    now = Date.now(),
  ): Promise<ScanSummary> {
    await db.deleteFrom('scan_findings').where('report_id', '=', reportId).execute();
    await db.deleteFrom('scan_packages').where('report_id', '=', reportId).execute();
    await db.deleteFrom('scan_inventories').where('report_id', '=', reportId).execute();
    const inventories = r.inventories ?? [];
    await insertChunked(db, 'scan_inventories', inventories.map((inv, i) => inventoryRow(reportId, i, inv)));
    let seq = 0;
    const packages = inventories.flatMap((inv, i) => inv.packages.map((p) => packageRow(reportId, i, seq++, p)));
    await insertChunked(db, 'scan_packages', packages);
    await insertChunked(db, 'scan_findings', r.findings.map((f, i) => findingRow(reportId, i, f)));
    const summary = summarizeFindings(r.findings);
    await db
      .updateTable('scan_reports')
      .set({
        status: 'Success',
        engine: r.engine,
        scanner_name: r.scanner.name,
        scanner_vendor: r.scanner.vendor,
        scanner_version: r.scanner.version,
        rematchable: r.inventories ? 1 : 0,
        error: null,
        started_at: r.startedAt,
        ended_at: now,
        matched_at: now,
        findings_hash: findingsHash(r.findings),
        package_count: packages.length,
        ...summaryColumns(summary),
      })
      .where('id', '=', reportId)
      .execute();
    return summary;
  }

  /**
   * Replaces the findings of a report (a re-match) in the caller's
   * transaction; returns false (and writes only the match time) when they
   * are the ones stored already.
   */
  async replaceFindings(db: Kysely<Database>, reportId: string, findings: Finding[], storedHash: string | null, now = Date.now()): Promise<boolean> {
    const hash = findingsHash(findings);
    if (hash === storedHash) {
      await db.updateTable('scan_reports').set({ matched_at: now }).where('id', '=', reportId).execute();
      return false;
    }
    await db.deleteFrom('scan_findings').where('report_id', '=', reportId).execute();
    await insertChunked(db, 'scan_findings', findings.map((f, i) => findingRow(reportId, i, f)));
    await db.updateTable('scan_reports').set({ matched_at: now, findings_hash: hash, ...summaryColumns(summarizeFindings(findings)) }).where('id', '=', reportId).execute();
    return true;
  }

  async report(digest: string): Promise<ReportRow | undefined> {
    return this.db.selectFrom('scan_reports').selectAll().where('digest', '=', digest).executeTakeFirst();
  }

  /** Reports of a page of artifacts, by digest (with_scan_overview). */
  async reports(digests: readonly string[]): Promise<Map<string, ReportRow>> {
    if (digests.length === 0) return new Map();
    const rows = await this.db.selectFrom('scan_reports').selectAll().where('digest', 'in', [...digests]).execute();
    return new Map(rows.map((r) => [r.digest, r]));
  }

  /** The stored inventories of reports, packages included, in scan order. */
  async inventories(reportIds: readonly string[]): Promise<Map<string, Inventory[]>> {
    const out = new Map<string, Inventory[]>();
    if (reportIds.length === 0) return out;
    const ids = [...reportIds];
    const invs = await this.db.selectFrom('scan_inventories').selectAll().where('report_id', 'in', ids).orderBy('report_id').orderBy('idx').execute();
    for (const r of invs) {
      let list = out.get(r.report_id);
      if (!list) out.set(r.report_id, (list = []));
      list[r.idx] = inventoryOf(r);
    }
    const pkgs = await this.db.selectFrom('scan_packages').selectAll().where('report_id', 'in', ids).orderBy('report_id').orderBy('seq').execute();
    for (const p of pkgs) out.get(p.report_id)?.[p.inventory]?.packages.push(packageOf(p));
    for (const [id, list] of out) out.set(id, list.filter(Boolean));
    return out;
  }

  /** Rematchable Success reports after `afterId`, in id order (keyset paging for the re-match). */
  async rematchable(afterId: string, limit: number): Promise<{ id: string; digest: string; repository: string; project: string; matched_at: number | null }[]> {
    return this.db
      .selectFrom('scan_reports')
      .select(['id', 'digest', 'repository', 'project', 'matched_at'])
      .where('rematchable', '=', 1)
      .where('status', '=', 'Success')
      .where('id', '>', afterId)
      .orderBy('id')
      .limit(limit)
      .execute();
  }

  /** Deletes the digest's results when no repository holds the manifest any more. */
  async dropIfUnreferenced(digest: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const still = await trx.selectFrom('manifests').select('repository').where('digest', '=', digest).limit(1).executeTakeFirst();
      if (still) {
        // Still present elsewhere: read its blobs there from now on.
        await trx.updateTable('scan_reports').set({ repository: still.repository, project: still.repository.split('/')[0] ?? still.repository }).where('digest', '=', digest).execute();
        return false;
      }
      const report = await trx.selectFrom('scan_reports').select('id').where('digest', '=', digest).executeTakeFirst();
      if (!report) return false;
      for (const t of ['scan_findings', 'scan_packages', 'scan_inventories'] as const) await trx.deleteFrom(t).where('report_id', '=', report.id).execute();
      await trx.deleteFrom('scan_reports').where('id', '=', report.id).execute();
      return true;
    });
  }
}
