/**
 * Rows ↔ the domain's types: packages and findings as stored in
 * scan_packages / scan_findings, and the JSON columns' bounded parsing.
 */
import type { Insertable, Selectable } from 'kysely';
import type { ScanFindingTable, ScanInventoryTable, ScanPackageTable } from '../schema.ts';
import type { AffectedStatus, Finding, Inventory, Package, PackageType, Severity, Skipped } from '../types.ts';
import { severityRank } from './summary.ts';

/** Skipped entries kept per inventory: a hostile image may produce many; the first ones tell the story. */
export const MAX_SKIPPED = 1000;

export function jsonArray(text: string | null): string[] {
  if (!text) return [];
  try {
    const v: unknown = JSON.parse(text);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

function jsonOf<T>(text: string, fallback: T): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

export function packageRow(reportId: string, inventory: number, seq: number, p: Package): Insertable<ScanPackageTable> {
  return {
    report_id: reportId,
    seq,
    inventory,
    type: p.type,
    name: p.name,
    version: p.version,
    source_name: p.source?.name ?? null,
    source_version: p.source?.version ?? null,
    licenses: p.licenses && p.licenses.length > 0 ? JSON.stringify(p.licenses) : null,
    location: p.location,
    layer: p.layer,
    found_by: p.foundBy,
    purl: p.purl,
    arch: p.arch ?? null,
  };
}

export function packageOf(r: Selectable<ScanPackageTable>): Package {
  const licenses = jsonArray(r.licenses);
  return {
    type: r.type as PackageType,
    name: r.name,
    version: r.version,
    ...(r.source_name !== null ? { source: { name: r.source_name, version: r.source_version ?? r.version } } : {}),
    ...(licenses.length > 0 ? { licenses } : {}),
    ...(r.arch !== null ? { arch: r.arch } : {}),
    purl: r.purl,
    location: r.location,
    layer: r.layer,
    foundBy: r.found_by,
  };
}

export function inventoryRow(reportId: string, idx: number, inv: Inventory): Insertable<ScanInventoryTable> {
  return {
    report_id: reportId,
    idx,
    manifest_digest: inv.manifestDigest,
    os: inv.platform?.os ?? null,
    architecture: inv.platform?.architecture ?? null,
    variant: inv.platform?.variant ?? null,
    distro_id: inv.distro?.id ?? null,
    distro_version: inv.distro?.versionId ?? null,
    distro_codename: inv.distro?.codename ?? null,
    distro_name: inv.distro?.prettyName ?? null,
    skipped: JSON.stringify(inv.skipped.slice(0, MAX_SKIPPED)),
    stats: JSON.stringify(inv.stats),
  };
}

/** An inventory without its packages (filled by the caller). */
export function inventoryOf(r: Selectable<ScanInventoryTable>): Inventory {
  return {
    manifestDigest: r.manifest_digest,
    ...(r.os !== null && r.architecture !== null ? { platform: { os: r.os, architecture: r.architecture, ...(r.variant ? { variant: r.variant } : {}) } } : {}),
    ...(r.distro_id !== null
      ? {
          distro: {
            id: r.distro_id,
            ...(r.distro_version !== null ? { versionId: r.distro_version } : {}),
            ...(r.distro_codename !== null ? { codename: r.distro_codename } : {}),
            ...(r.distro_name !== null ? { prettyName: r.distro_name } : {}),
          },
        }
      : {}),
    packages: [],
    skipped: jsonOf<Skipped[]>(r.skipped, []),
    stats: jsonOf(r.stats, { layers: 0, entries: 0, bytesRead: 0, durationMs: 0 }),
  };
}

export function findingRow(reportId: string, seq: number, f: Finding): Insertable<ScanFindingTable> {
  return {
    report_id: reportId,
    seq,
    vuln_id: f.id.slice(0, 255),
    aliases: JSON.stringify(f.aliases),
    package_type: f.packageType,
    package: f.package,
    installed_version: f.installedVersion,
    fixed_version: f.fixedVersion ?? null,
    status: f.status,
    severity: f.severity,
    severity_rank: severityRank(f.severity),
    cvss_score: f.cvss?.score ?? null,
    cvss_vector: f.cvss?.vector ?? null,
    cvss_version: f.cvss?.version ?? null,
    summary: f.summary ?? null,
    links: JSON.stringify(f.links),
    purl: f.purl,
    layer: f.layer,
    location: f.location,
    sources: JSON.stringify(f.sources),
  };
}

export function findingOf(r: Selectable<ScanFindingTable>): Finding {
  return {
    id: r.vuln_id,
    aliases: jsonArray(r.aliases),
    packageType: r.package_type as PackageType,
    package: r.package,
    installedVersion: r.installed_version,
    ...(r.fixed_version !== null ? { fixedVersion: r.fixed_version } : {}),
    status: r.status as AffectedStatus,
    severity: r.severity as Severity,
    ...(r.cvss_score !== null && r.cvss_vector !== null ? { cvss: { score: Number(r.cvss_score), vector: r.cvss_vector, version: r.cvss_version ?? '' } } : {}),
    ...(r.summary !== null ? { summary: r.summary } : {}),
    links: jsonArray(r.links),
    purl: r.purl,
    layer: r.layer,
    location: r.location,
    sources: jsonArray(r.sources),
  };
}
