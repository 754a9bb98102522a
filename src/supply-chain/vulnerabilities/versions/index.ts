/**
 * One entry point for ordering versions: `compareVersions(scheme, a, b)`
 * and `schemeOf(ecosystem)` from an OSV ecosystem name. Each scheme lives in
 * its own file, written from that ecosystem's documented rules.
 */
import { compareApk, isValidApk } from './apk.ts';
import { InvalidVersionError } from './common.ts';
import { compareDpkg } from './dpkg.ts';
import { compareGo } from './go.ts';
import { compareMaven } from './maven.ts';
import { compareNuget } from './nuget.ts';
import { comparePep440 } from './pep440.ts';
import { compareRpm } from './rpm.ts';
import { compareRubygems } from './rubygems.ts';
import { compareSemver } from './semver.ts';

export { InvalidVersionError } from './common.ts';
export { goReleaseToSemver } from './go.ts';
export { normalizePep440 } from './pep440.ts';

export type VersionScheme = 'dpkg' | 'apk' | 'rpm' | 'semver' | 'go' | 'pep440' | 'maven' | 'rubygems' | 'nuget';

export const VERSION_SCHEMES: readonly VersionScheme[] = ['dpkg', 'apk', 'rpm', 'semver', 'go', 'pep440', 'maven', 'rubygems', 'nuget'];

const COMPARATORS: Record<VersionScheme, (a: string, b: string) => number> = {
  dpkg: compareDpkg,
  apk: compareApk,
  rpm: compareRpm,
  semver: compareSemver,
  go: compareGo,
  pep440: comparePep440,
  maven: compareMaven,
  rubygems: compareRubygems,
  nuget: compareNuget,
};

/**
 * -1, 0 or 1 as `a` sorts before, with or after `b` in `scheme`.
 * Throws InvalidVersionError when either is not a version of the scheme.
 */
export function compareVersions(scheme: VersionScheme, a: string, b: string): number {
  if (a === b) return 0;
  const c = COMPARATORS[scheme](a, b);
  return c < 0 ? -1 : c > 0 ? 1 : 0;
}

/** Whether `version` is one the scheme can order (apk is checked strictly, as `apk version -c` does). */
export function isValidVersion(scheme: VersionScheme, version: string): boolean {
  if (scheme === 'apk') return isValidApk(version);
  try {
    COMPARATORS[scheme](version, version);
    return true;
  } catch (err) {
    if (err instanceof InvalidVersionError) return false;
    throw err;
  }
}

/**
 * The version scheme of an OSV ecosystem (`Debian:12` → dpkg, `Alpine:v3.19`
 * → apk, `crates.io` → semver …); undefined for ecosystems Berth does not
 * order (their advisories still match by exact `versions[]`).
 */
export function schemeOf(ecosystem: string): VersionScheme | undefined {
  const base = ecosystem.split(':')[0]!;
  switch (base) {
    case 'Debian':
    case 'Ubuntu':
      return 'dpkg';
    case 'Alpine':
    case 'Wolfi':
    case 'Chainguard':
      return 'apk';
    case 'Red Hat':
    case 'Rocky Linux':
    case 'AlmaLinux':
    case 'openSUSE':
    case 'SUSE':
    case 'Mageia':
    case 'Fedora':
    case 'CentOS':
    case 'Oracle':
      return 'rpm';
    case 'npm':
    case 'crates.io':
    case 'Hex':
    case 'Pub':
    case 'SwiftURL':
      return 'semver';
    case 'Go':
      return 'go';
    case 'PyPI':
      return 'pep440';
    case 'Maven':
      return 'maven';
    case 'RubyGems':
      return 'rubygems';
    case 'NuGet':
      return 'nuget';
    default:
      return undefined;
  }
}
