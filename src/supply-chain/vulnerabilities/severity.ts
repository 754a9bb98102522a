/**
 * Severity words: from CVSS scores (the FIRST specifications' qualitative
 * ratings; NVD's for v2, which has no official one), from vendors' own words
 * (Debian urgency, Ubuntu priority, GitHub's advisory severity, Red Hat
 * impact), the highest of several, and the per-severity summary Harbor's
 * scan overview shows.
 */
import { SEVERITIES, type Finding, type Severity, type SeveritySummary } from '../types.ts';

/**
 * CVSS v3.x/v4.0 ratings: 0.0 None, 0.1–3.9 Low, 4.0–6.9 Medium, 7.0–8.9
 * High, 9.0–10.0 Critical. v2 (NVD): 0–3.9 Low, 4.0–6.9 Medium, 7.0–10 High.
 * A score of 0 ("None") is Harbor's Negligible.
 */
export function severityOfScore(score: number, version: string): Severity {
  if (!Number.isFinite(score) || score < 0 || score > 10) return 'Unknown';
  if (version.startsWith('2')) return score >= 7 ? 'High' : score >= 4 ? 'Medium' : 'Low';
  if (score === 0) return 'Negligible';
  if (score >= 9) return 'Critical';
  if (score >= 7) return 'High';
  if (score >= 4) return 'Medium';
  return 'Low';
}

const VENDOR_WORDS: Record<string, Severity> = {
  // Debian tracker urgency; "not yet assigned" stays Unknown.
  unimportant: 'Negligible',
  'low**': 'Low',
  'medium**': 'Medium',
  'high**': 'High',
  // Ubuntu priority, GitHub advisory severity, Red Hat impact, Alpine/Harbor words.
  negligible: 'Negligible',
  none: 'Negligible',
  low: 'Low',
  minor: 'Low',
  medium: 'Medium',
  moderate: 'Medium',
  high: 'High',
  important: 'High',
  critical: 'Critical',
};

/** A vendor's severity word as Harbor's Severity; Unknown when the word means nothing here. */
export function vendorSeverity(word: string | undefined): Severity {
  if (!word) return 'Unknown';
  return VENDOR_WORDS[word.trim().toLowerCase()] ?? 'Unknown';
}

export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

/** The highest of the given severities (Unknown when there is none). */
export function highestSeverity(severities: Iterable<Severity | undefined>): Severity {
  let best: Severity = 'Unknown';
  for (const s of severities) if (s !== undefined && severityRank(s) > severityRank(best)) best = s;
  return best;
}

export function emptySummary(): SeveritySummary {
  return { Unknown: 0, Negligible: 0, Low: 0, Medium: 0, High: 0, Critical: 0 };
}

/** Findings counted per severity (each finding once: the matcher already merged aliases). */
export function summarize(findings: readonly Pick<Finding, 'severity'>[]): SeveritySummary {
  const summary = emptySummary();
  for (const f of findings) summary[f.severity]++;
  return summary;
}
