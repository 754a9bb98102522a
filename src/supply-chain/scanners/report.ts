/**
 * Findings ⇄ the spec's HarborVulnerabilityReport. Berth's own adapter writes
 * what the spec has fields for (id, package, version, fix_version, severity,
 * description, links, preferred_cvss) and keeps the rest of a Finding under
 * `vendor_attributes` (the spec's place for it), so a Berth reading a Berth
 * report loses nothing. From other adapters (Trivy, Clair …) only the spec's
 * fields arrive: the package type then comes from a purl when the vendor
 * attributes carry one, else from the shape of the name (see packageTypeOf).
 */
import { PackageURL } from 'packageurl-js';
import { PACKAGE_TYPES, SEVERITIES, type AffectedStatus, type Finding, type PackageType, type Severity } from '../types.ts';
import type { VulnerabilityItem, VulnerabilityReport } from './spec.ts';

const STATUSES: readonly AffectedStatus[] = ['affected', 'not_affected', 'will_not_fix', 'fix_deferred', 'end_of_life'];

export function highestSeverity(findings: readonly { severity: Severity }[]): Severity | undefined {
  let best = -1;
  for (const f of findings) best = Math.max(best, SEVERITIES.indexOf(f.severity));
  return best < 0 ? undefined : SEVERITIES[best];
}

export function toHarborReport(
  findings: readonly Finding[],
  context: { artifact: { repository: string; digest: string; tag?: string; mime_type?: string }; scanner: { name: string; vendor: string; version: string }; generatedAt?: string },
): VulnerabilityReport {
  const vulnerabilities: VulnerabilityItem[] = findings.map((f) => {
    const cvss = f.cvss;
    const preferred =
      cvss === undefined
        ? undefined
        : cvss.version.startsWith('3')
          ? { score_v3: cvss.score, vector_v3: cvss.vector }
          : cvss.version.startsWith('2')
            ? { score_v2: cvss.score, vector_v2: cvss.vector }
            : undefined;
    return {
      id: f.id,
      package: f.package,
      version: f.installedVersion,
      ...(f.fixedVersion !== undefined ? { fix_version: f.fixedVersion } : {}),
      severity: f.severity,
      ...(f.summary !== undefined ? { description: f.summary } : {}),
      links: f.links,
      ...(preferred !== undefined ? { preferred_cvss: preferred } : {}),
      vendor_attributes: {
        package_type: f.packageType,
        purl: f.purl,
        layer: f.layer,
        location: f.location,
        aliases: f.aliases,
        status: f.status,
        sources: f.sources,
        ...(cvss !== undefined ? { cvss } : {}),
      },
    };
  });
  const severity = highestSeverity(findings);
  return {
    generated_at: context.generatedAt ?? new Date().toISOString(),
    artifact: context.artifact,
    scanner: context.scanner,
    ...(severity !== undefined ? { severity } : {}),
    vulnerabilities,
  };
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length <= 4096 ? v : undefined);
const strings = (v: unknown): string[] | undefined => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string').slice(0, 200) : undefined);

/**
 * Without a purl the type is a guess from the name's shape: Maven's
 * `group:artifact`, npm's `@scope/name`, a Go module path (`host.tld/…`);
 * anything else is taken for an OS package (what Harbor's adapters report
 * most). Stated in docs/scanner-adapter.md.
 */
export function packageTypeOf(name: string, purl: string | undefined, declared: unknown): PackageType {
  if (typeof declared === 'string' && (PACKAGE_TYPES as readonly string[]).includes(declared)) return declared as PackageType;
  if (purl !== undefined) {
    try {
      const type = PackageURL.fromString(purl).type;
      if ((PACKAGE_TYPES as readonly string[]).includes(type)) return type as PackageType;
    } catch {
      // Not a purl: fall through to the name.
    }
  }
  if (/^[\w.-]+:[\w.-]+$/.test(name)) return 'maven';
  if (/^@[\w.-]+\/[\w.-]+$/.test(name)) return 'npm';
  if (/^[a-z0-9-]+(\.[a-z0-9-]+)+\/\S+$/.test(name)) return 'golang';
  return 'deb';
}

function cvssOf(item: VulnerabilityItem, vendor: Record<string, unknown>): Finding['cvss'] {
  const v = vendor.cvss as { version?: unknown; score?: unknown; vector?: unknown } | undefined;
  if (v && typeof v.version === 'string' && typeof v.score === 'number' && typeof v.vector === 'string') return { version: v.version, score: v.score, vector: v.vector };
  const p = item.preferred_cvss;
  if (p?.score_v3 !== undefined && p.vector_v3 !== undefined) {
    const version = /^CVSS:(3\.\d)\//.exec(p.vector_v3)?.[1] ?? '3.1';
    return { version, score: p.score_v3, vector: p.vector_v3 };
  }
  if (p?.score_v2 !== undefined && p.vector_v2 !== undefined) return { version: '2.0', score: p.score_v2, vector: p.vector_v2 };
  return undefined;
}

/** A package URL for a report item that came without one; `pkg:generic` when the name does not fit the type's rules. */
function purlFor(type: PackageType, name: string, version: string): string {
  const slash = name.lastIndexOf('/');
  const [namespace, short] =
    type === 'maven' && name.includes(':') ? [name.slice(0, name.indexOf(':')), name.slice(name.indexOf(':') + 1)] : (type === 'npm' || type === 'golang') && slash > 0 ? [name.slice(0, slash), name.slice(slash + 1)] : [undefined, name];
  try {
    return new PackageURL(type, namespace, short, version, undefined, undefined).toString();
  } catch {
    return new PackageURL('generic', undefined, name, version, undefined, undefined).toString();
  }
}

/** The findings of a report from any spec-compliant adapter. */
export function fromHarborReport(report: VulnerabilityReport, source: string): Finding[] {
  return report.vulnerabilities.map((item) => {
    const vendor = item.vendor_attributes ?? {};
    const purlText = str(vendor.purl);
    const type = packageTypeOf(item.package, purlText, vendor.package_type);
    const status = str(vendor.status);
    const cvss = cvssOf(item, vendor);
    return {
      id: item.id,
      aliases: strings(vendor.aliases) ?? [],
      packageType: type,
      package: item.package,
      installedVersion: item.version,
      ...(item.fix_version !== undefined && item.fix_version !== '' ? { fixedVersion: item.fix_version } : {}),
      status: status !== undefined && (STATUSES as readonly string[]).includes(status) ? (status as AffectedStatus) : 'affected',
      severity: item.severity,
      ...(cvss !== undefined ? { cvss } : {}),
      ...(item.description !== undefined ? { summary: item.description } : {}),
      links: item.links ?? [],
      purl: purlText ?? purlFor(type, item.package, item.version),
      layer: str(vendor.layer) ?? str((vendor.layer as { digest?: unknown } | undefined)?.digest) ?? '',
      location: str(vendor.location) ?? '',
      sources: strings(vendor.sources) ?? [source],
    };
  });
}
