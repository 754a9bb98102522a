/**
 * Shapes of the scanning API (docs/scanning.md "API"), as the views use them. Harbor's
 * `scan_overview` is keyed by the report's MIME type, so clients written for Harbor read it too.
 */
export const SEVERITIES = ['Critical', 'High', 'Medium', 'Low', 'Negligible', 'Unknown'] as const;
export type Severity = (typeof SEVERITIES)[number];
export type ScanStatus = 'Pending' | 'Running' | 'Success' | 'Error';

/** The key of Harbor's vulnerability report in `scan_overview`. */
export const REPORT_MIME = 'application/vnd.security.vulnerability.report; version=1.1';

export interface Scanner {
  name: string;
  vendor: string;
  version: string;
}

export interface ScanSummary {
  total: number;
  fixable: number;
  summary: Partial<Record<Severity, number>>;
}

/** One entry of `scan_overview` (artifact list and detail with `?with_scan_overview=true`). */
export interface ScanOverview {
  report_id?: string;
  scan_status: ScanStatus;
  severity?: Severity | 'None';
  duration?: number;
  summary?: ScanSummary;
  start_time?: string | number | null;
  end_time?: string | number | null;
  complete_percent?: number;
  scanner?: Scanner;
}

export interface ScanReport extends ScanOverview {
  error?: string | null;
  platforms?: { digest: string; os?: string; architecture?: string; distro?: string | { id?: string; name?: string; version?: string } | null; packages: number }[];
  skipped?: { path: string; layer?: string | null; reason: string }[];
}

export interface Vulnerability {
  id: string;
  aliases?: string[];
  package: string;
  package_type?: string;
  version: string;
  fix_version?: string | null;
  status?: string;
  severity: Severity;
  cvss?: { score: number; vector?: string; version?: string } | null;
  description?: string | null;
  links?: string[];
  purl?: string;
  layer?: string | null;
  location?: string | null;
  sources?: string[];
}

export interface PackageRow {
  name: string;
  version: string;
  type: string;
  purl?: string;
  /** The source package (dpkg Source:, apk origin) when it differs. */
  source?: string | { name: string; version?: string } | null;
  licenses?: string[] | null;
  location?: string | null;
  layer?: string | null;
  found_by?: string;
}

/** The overview entry of an artifact (list or detail answer), or undefined when never scanned. */
export function overviewOf(artifact: unknown): ScanOverview | undefined {
  const o = (artifact as { scan_overview?: Record<string, ScanOverview> | null } | undefined)?.scan_overview;
  return o ? (o[REPORT_MIME] ?? Object.values(o)[0]) : undefined;
}

export const isActive = (status: ScanStatus | undefined): boolean => status === 'Pending' || status === 'Running';
