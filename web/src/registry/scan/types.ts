/**
 * Shapes of the scanning API (docs/scanning.md "API"), picked out of the generated schema.
 * Harbor's `scan_overview` is keyed by the report's MIME type, so clients written for Harbor
 * read it too.
 */
import type { GetResult, ListItem } from '../../api/types.ts';

export const SEVERITIES = ['Critical', 'High', 'Medium', 'Low', 'Negligible', 'Unknown'] as const;
export type Severity = (typeof SEVERITIES)[number];
export type ScanStatus = 'Pending' | 'Running' | 'Success' | 'Error';

/** The key of Harbor's vulnerability report in `scan_overview`. */
export const REPORT_MIME = 'application/vnd.security.vulnerability.report; version=1.1';

type Artifact = '/api/v1/projects/{project}/repositories/{repository}/artifacts/{reference}';

export type ScanReport = GetResult<`${Artifact}/scan`>;
export type ScanSummary = ScanReport['summary'];
export type Vulnerability = ListItem<`${Artifact}/vulnerabilities`>;
export type PackageRow = ListItem<`${Artifact}/packages`>;
/** One entry of `scan_overview` (artifact list and detail with `?with_scan_overview=true`). */
export type ScanOverview = NonNullable<ListItem<'/api/v1/projects/{project}/repositories/{repository}/artifacts'>['scan_overview']>[typeof REPORT_MIME];

/** The overview entry of an artifact (list or detail answer), or undefined when never scanned. */
export function overviewOf(artifact: { scan_overview?: Record<typeof REPORT_MIME, ScanOverview> }): ScanOverview | undefined {
  return artifact.scan_overview?.[REPORT_MIME];
}

export const isActive = (status: ScanStatus | undefined): boolean => status === 'Pending' || status === 'Running';
