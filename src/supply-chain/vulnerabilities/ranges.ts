/**
 * OSV's evaluation of one `affected[]` entry against one installed version
 * (osv-schema, "Evaluation"): the version is affected when it is listed in
 * `versions[]` or lies in any ECOSYSTEM or SEMVER range, walking the range's
 * events in version order (`introduced` opens, `fixed` closes at that
 * version, `last_affected` closes after it, `limit` bounds the whole range).
 * GIT ranges need the repository's commit graph, which a scan does not have:
 * they are skipped (the caller says so once). Also gives the fixes above the
 * installed version, for "fixed in".
 */
import type { AffectedPackage, RangeEvent } from '../types.ts';
import { InvalidVersionError, compareVersions, type VersionScheme } from './versions/index.ts';

export interface Evaluation {
  affected: boolean;
  /** `fixed` versions above the installed one, from the ranges that contain it. */
  fixes: string[];
  /** Why part of the entry could not be evaluated (GIT ranges, versions the scheme cannot order). */
  notes: string[];
}

type Kind = 'introduced' | 'fixed' | 'last_affected' | 'limit';

function kindOf(e: RangeEvent): [Kind, string] | undefined {
  if ('introduced' in e) return ['introduced', e.introduced];
  if ('fixed' in e) return ['fixed', e.fixed];
  if ('last_affected' in e) return ['last_affected', e.last_affected];
  if ('limit' in e) return ['limit', e.limit];
  return undefined;
}

/** Evaluates one range; throws InvalidVersionError when an event's version cannot be ordered. */
function inRange(scheme: VersionScheme, version: string, events: RangeEvent[], fixes: string[]): boolean {
  const parsed = events.map(kindOf).filter((e): e is [Kind, string] => e !== undefined);
  const limits = parsed.filter(([k, v]) => k === 'limit' && v !== '*');
  if (limits.length > 0 && !limits.some(([, v]) => compareVersions(scheme, version, v) < 0)) return false;
  // "0" introduces at the very beginning; everything else in the scheme's order.
  const ordered = parsed
    .filter(([k]) => k !== 'limit')
    .sort((a, b) => (a[1] === '0' && a[0] === 'introduced' ? -1 : b[1] === '0' && b[0] === 'introduced' ? 1 : compareVersions(scheme, a[1], b[1])));
  let vulnerable = false;
  let closingFix: string | undefined;
  for (const [kind, v] of ordered) {
    if (kind === 'introduced') {
      if (v === '0' || compareVersions(scheme, version, v) >= 0) {
        vulnerable = true;
        closingFix = undefined;
      }
    } else if (kind === 'fixed') {
      if (compareVersions(scheme, version, v) >= 0) vulnerable = false;
      else if (vulnerable && closingFix === undefined) closingFix = v;
    } else if (compareVersions(scheme, version, v) > 0) {
      vulnerable = false;
    }
  }
  if (vulnerable && closingFix !== undefined) fixes.push(closingFix);
  return vulnerable;
}

export function evaluate(entry: AffectedPackage, scheme: VersionScheme | undefined, version: string): Evaluation {
  const result: Evaluation = { affected: entry.versions.includes(version), fixes: [], notes: [] };
  for (const range of entry.ranges) {
    if (range.type === 'GIT') {
      result.notes.push('GIT ranges need the repository history and are not evaluated; versions[] is used instead');
      continue;
    }
    if (!scheme) {
      result.notes.push(`no version ordering for ecosystem ${entry.ecosystem}; only versions[] is used`);
      continue;
    }
    const fixes: string[] = [];
    try {
      if (inRange(scheme, version, range.events, fixes)) {
        result.affected = true;
        result.fixes.push(...fixes);
      }
    } catch (err) {
      if (!(err instanceof InvalidVersionError)) throw err;
      result.notes.push(`${entry.ecosystem} range not evaluated: ${err.message}`);
    }
  }
  // versions[] by ordering (`1.0` listed, `1.0.0` installed) only where no range could say: parsing every listed
  // version of every advisory is most of a re-match's time otherwise.
  if (!result.affected && scheme && !entry.ranges.some((r) => r.type !== 'GIT')) {
    for (const listed of entry.versions) {
      try {
        if (compareVersions(scheme, listed, version) === 0) {
          result.affected = true;
          break;
        }
      } catch (err) {
        if (!(err instanceof InvalidVersionError)) throw err;
      }
    }
  }
  // A range's closing fix is the one after the installed version; an entry matched only through versions[] still
  // names fixes: the lowest `fixed` above the installed version in any of its ranges.
  if (result.affected && result.fixes.length === 0 && scheme) {
    for (const range of entry.ranges) {
      if (range.type === 'GIT') continue;
      for (const e of range.events) {
        if (!('fixed' in e)) continue;
        try {
          if (compareVersions(scheme, e.fixed, version) > 0) result.fixes.push(e.fixed);
        } catch (err) {
          if (!(err instanceof InvalidVersionError)) throw err;
        }
      }
    }
  }
  return result;
}

/** Whether the entry names no versions at all (a distribution's "every version": unfixed, will not fix …). */
export function coversEverything(entry: AffectedPackage): boolean {
  return entry.versions.length === 0 && entry.ranges.length === 0;
}
