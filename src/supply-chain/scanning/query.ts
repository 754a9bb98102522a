/**
 * Lists of one report's findings and packages, filtered, sorted and paged in
 * SQL (an image with thousands of findings pages as fast as a small one).
 */
import { sql } from 'kysely';
import type { Db } from '../../platform/db/schema.ts';
import { containsIgnoringCase } from '../../platform/db/sql.ts';
import type { Finding, Package, Severity } from '../types.ts';
import { findingOf, packageOf } from './rows.ts';
import { severityRank } from './summary.ts';

export const FINDING_SORTS = ['severity', 'cvss', 'package', 'id'] as const;
export type FindingSort = (typeof FINDING_SORTS)[number];

export interface FindingQuery {
  severities?: Severity[];
  fixable?: boolean;
  /** Package name contains (case-insensitive). */
  package?: string;
  /** Text in the id, an alias, the package or the summary. */
  q?: string;
  sort: { field: FindingSort; desc: boolean };
  page: number;
  pageSize: number;
}

export interface PackageQuery {
  type?: string;
  /** Text in the name, version or purl. */
  q?: string;
  page: number;
  pageSize: number;
}

export async function queryFindings(db: Db, reportId: string, query: FindingQuery): Promise<{ items: Finding[]; total: number }> {
  let q = db.selectFrom('scan_findings').where('report_id', '=', reportId);
  if (query.severities && query.severities.length > 0) q = q.where('severity_rank', 'in', query.severities.map(severityRank));
  if (query.fixable === true) q = q.where('fixed_version', 'is not', null);
  if (query.fixable === false) q = q.where('fixed_version', 'is', null);
  if (query.package) q = q.where(containsIgnoringCase('package', query.package));
  const text = query.q;
  if (text) q = q.where((eb) => eb.or([containsIgnoringCase('vuln_id', text), containsIgnoringCase('aliases', text), containsIgnoringCase('package', text), containsIgnoringCase('summary', text)]));
  const total = Number((await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  const dir = query.sort.desc ? 'desc' : 'asc';
  let rows = q.selectAll();
  switch (query.sort.field) {
    case 'severity':
      rows = rows.orderBy('severity_rank', dir).orderBy(sql`coalesce(cvss_score, -1)`, dir);
      break;
    case 'cvss':
      rows = rows.orderBy(sql`coalesce(cvss_score, -1)`, dir).orderBy('severity_rank', dir);
      break;
    case 'package':
      rows = rows.orderBy('package', dir).orderBy('severity_rank', 'desc');
      break;
    case 'id':
      rows = rows.orderBy('vuln_id', dir);
      break;
  }
  // seq last: a stable order, so pages neither repeat nor skip rows.
  const page = await rows.orderBy('seq').limit(query.pageSize).offset((query.page - 1) * query.pageSize).execute();
  return { total, items: page.map(findingOf) };
}

export async function queryPackages(db: Db, reportId: string, query: PackageQuery): Promise<{ items: Package[]; total: number }> {
  let q = db.selectFrom('scan_packages').where('report_id', '=', reportId);
  if (query.type) q = q.where('type', '=', query.type);
  const text = query.q;
  if (text) q = q.where((eb) => eb.or([containsIgnoringCase('name', text), containsIgnoringCase('version', text), containsIgnoringCase('purl', text)]));
  const total = Number((await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  const page = await q.selectAll().orderBy('type').orderBy('name').orderBy('seq').limit(query.pageSize).offset((query.page - 1) * query.pageSize).execute();
  return { total, items: page.map(packageOf) };
}
