/**
 * Semantic Versioning 2.0.0 precedence (semver.org §11), used by npm, Cargo
 * and OSV's SEMVER ranges: major, minor and patch as numbers; a version with
 * a pre-release is lower than the same version without; pre-release
 * identifiers compare one by one, numeric ones as numbers and lower than
 * alphanumeric ones (compared in ASCII order); more identifiers win when the
 * shared ones are equal; build metadata (`+…`) is ignored.
 *
 * Leniency, as npm's and Cargo's own parsers allow: a leading `v` or `=` and
 * surrounding blanks. Partial versions (`1.2`) are not versions in these
 * ecosystems and are refused.
 */
import { InvalidVersionError, checkLength, compareAscii, compareDigits } from './common.ts';

export interface SemVer {
  major: string;
  minor: string;
  patch: string;
  prerelease: string[];
  build: string;
}

const SEMVER = /^(0|[1-9]\d*|\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;

export function parseSemver(version: string, scheme = 'semver'): SemVer {
  checkLength(scheme, version);
  const v = version.trim().replace(/^[=v]/, '');
  const m = SEMVER.exec(v);
  if (!m) throw new InvalidVersionError(scheme, version, 'not MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]');
  return { major: m[1]!, minor: m[2]!, patch: m[3]!, prerelease: m[4] === undefined ? [] : m[4].split('.'), build: m[5] ?? '' };
}

const NUMERIC = /^\d+$/;

export function comparePrerelease(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0) return a.length === b.length ? 0 : a.length === 0 ? 1 : -1;
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const xn = NUMERIC.test(x);
    const yn = NUMERIC.test(y);
    const c = xn && yn ? compareDigits(x, y) : xn ? -1 : yn ? 1 : compareAscii(x, y);
    if (c !== 0) return c;
  }
  return 0;
}

export function compareParsedSemver(a: SemVer, b: SemVer): number {
  return (
    compareDigits(a.major, b.major) ||
    compareDigits(a.minor, b.minor) ||
    compareDigits(a.patch, b.patch) ||
    comparePrerelease(a.prerelease, b.prerelease)
  );
}

export function compareSemver(a: string, b: string): number {
  return compareParsedSemver(parseSemver(a), parseSemver(b));
}
