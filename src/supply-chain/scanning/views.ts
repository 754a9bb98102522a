/**
 * Scan results in the API's shapes (Harbor's field names where Harbor has
 * them): the artifact list's `scan_overview`, the report, and the rows of
 * the vulnerability and package lists. src/http/api/routes/scan-schemas.ts
 * mirrors these as zod schemas.
 */
import type { Finding, Inventory, Package, Severity } from '../types.ts';
import type { ReportRow } from './store.ts';
import type { OverviewSeverity } from './summary.ts';

/** The key of Harbor's scan_overview map. */
export const VULNERABILITY_REPORT_MIME = 'application/vnd.security.vulnerability.report; version=1.1';

export interface SummaryView {
  total: number;
  fixable: number;
  summary: Record<Severity, number>;
}

export interface ScannerView {
  name: string;
  vendor: string;
  version: string;
}

export interface OverviewView {
  report_id: string;
  scan_status: ReportRow['status'];
  severity: OverviewSeverity;
  /** Seconds. */
  duration: number;
  summary: SummaryView;
  start_time: string | null;
  end_time: string | null;
  complete_percent: number;
  scanner: ScannerView | null;
}

export type ScanOverview = Record<typeof VULNERABILITY_REPORT_MIME, OverviewView>;

export interface ScanReportView {
  report_id: string;
  scan_status: ReportRow['status'];
  severity: OverviewSeverity;
  summary: SummaryView;
  start_time: string | null;
  end_time: string | null;
  scanner: ScannerView | null;
  error?: string;
  platforms: { digest: string; os: string | null; architecture: string | null; distro?: string; packages: number }[];
  skipped: { path: string; layer?: string; reason: string }[];
}

export interface VulnerabilityView {
  id: string;
  aliases: string[];
  package: string;
  package_type: string;
  version: string;
  fix_version?: string;
  status: string;
  severity: string;
  cvss?: { score: number; vector: string; version: string };
  description?: string;
  links: string[];
  purl: string;
  layer: string;
  location: string;
  sources: string[];
}

export interface PackageView {
  name: string;
  version: string;
  type: string;
  purl: string;
  source?: { name: string; version: string };
  licenses?: string[];
  location: string;
  layer: string;
  found_by: string;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());

function summaryOf(r: ReportRow): SummaryView {
  return {
    total: Number(r.total),
    fixable: Number(r.fixable),
    summary: { Critical: Number(r.critical), High: Number(r.high), Medium: Number(r.medium), Low: Number(r.low), Negligible: Number(r.negligible), Unknown: Number(r.unknown) },
  };
}

function scannerOf(r: ReportRow): ScannerView | null {
  return r.scanner_name === null ? null : { name: r.scanner_name, vendor: r.scanner_vendor ?? '', version: r.scanner_version ?? '' };
}

export function toOverview(r: ReportRow): ScanOverview {
  const start = r.started_at === null ? null : Number(r.started_at);
  const end = r.ended_at === null ? null : Number(r.ended_at);
  return {
    [VULNERABILITY_REPORT_MIME]: {
      report_id: r.id,
      scan_status: r.status,
      severity: r.severity as OverviewSeverity,
      duration: start !== null && end !== null && end >= start ? Math.round((end - start) / 1000) : 0,
      summary: summaryOf(r),
      start_time: iso(start),
      end_time: iso(end),
      complete_percent: r.status === 'Success' || r.status === 'Error' ? 100 : 0,
      scanner: scannerOf(r),
    },
  };
}

export function toReport(r: ReportRow, inventories: Inventory[]): ScanReportView {
  return {
    report_id: r.id,
    scan_status: r.status,
    severity: r.severity as OverviewSeverity,
    summary: summaryOf(r),
    start_time: iso(r.started_at),
    end_time: iso(r.ended_at),
    scanner: scannerOf(r),
    ...(r.error !== null ? { error: r.error } : {}),
    platforms: inventories.map((inv) => ({
      digest: inv.manifestDigest,
      os: inv.platform?.os ?? null,
      architecture: inv.platform?.architecture ?? null,
      ...(inv.distro ? { distro: inv.distro.prettyName ?? [inv.distro.id, inv.distro.versionId].filter(Boolean).join(' ') } : {}),
      packages: inv.packages.length,
    })),
    skipped: inventories.flatMap((inv) => inv.skipped.map((s) => ({ path: s.path, ...(s.layer !== undefined ? { layer: s.layer } : {}), reason: s.reason }))),
  };
}

export function toVulnerability(f: Finding): VulnerabilityView {
  return {
    id: f.id,
    aliases: f.aliases,
    package: f.package,
    package_type: f.packageType,
    version: f.installedVersion,
    ...(f.fixedVersion !== undefined ? { fix_version: f.fixedVersion } : {}),
    status: f.status,
    severity: f.severity,
    ...(f.cvss ? { cvss: { score: f.cvss.score, vector: f.cvss.vector, version: f.cvss.version } } : {}),
    ...(f.summary !== undefined ? { description: f.summary } : {}),
    links: f.links,
    purl: f.purl,
    layer: f.layer,
    location: f.location,
    sources: f.sources,
  };
}

export function toPackage(p: Package): PackageView {
  return {
    name: p.name,
    version: p.version,
    type: p.type,
    purl: p.purl,
    ...(p.source ? { source: p.source } : {}),
    ...(p.licenses && p.licenses.length > 0 ? { licenses: p.licenses } : {}),
    location: p.location,
    layer: p.layer,
    found_by: p.foundBy,
  };
}
