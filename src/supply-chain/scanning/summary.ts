/**
 * Harbor's scan summary: counts per severity, the total, how many have a fix,
 * and the highest severity (`None` without findings). Findings the publisher
 * marks `not_affected` are kept in the list but never counted.
 */
import { SEVERITIES, type Finding, type Severity } from '../types.ts';

export type OverviewSeverity = Severity | 'None';

export interface ScanSummary {
  total: number;
  fixable: number;
  counts: Record<Severity, number>;
  severity: OverviewSeverity;
}

/** 0 Unknown … 5 Critical. */
export function severityRank(s: string): number {
  const i = SEVERITIES.indexOf(s as Severity);
  return i < 0 ? 0 : i;
}

export function isSeverity(s: string): s is Severity {
  return (SEVERITIES as readonly string[]).includes(s);
}

export function counted(f: Pick<Finding, 'status'>): boolean {
  return f.status !== 'not_affected';
}

export function emptyCounts(): Record<Severity, number> {
  return { Unknown: 0, Negligible: 0, Low: 0, Medium: 0, High: 0, Critical: 0 };
}

export function summarizeFindings(findings: readonly Pick<Finding, 'status' | 'severity' | 'fixedVersion'>[]): ScanSummary {
  const counts = emptyCounts();
  let total = 0;
  let fixable = 0;
  let top = -1;
  for (const f of findings) {
    if (!counted(f)) continue;
    const severity = isSeverity(f.severity) ? f.severity : 'Unknown';
    counts[severity]++;
    total++;
    if (f.fixedVersion) fixable++;
    top = Math.max(top, severityRank(severity));
  }
  return { total, fixable, counts, severity: top < 0 ? 'None' : SEVERITIES[top]! };
}
