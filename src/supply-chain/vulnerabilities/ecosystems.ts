/**
 * Where advisories for a package are filed: the OSV ecosystem (with the
 * distribution's release for OS packages, as OSV names them), the name
 * advisories use (the source package for Debian, Ubuntu, Alpine and rpm
 * distributions; PEP 503's normalised name for PyPI) and the version to
 * compare (the source version for OS packages: a binNMU `1.0-1+b1` is
 * source `1.0-1`, which is what a fix names).
 */
import type { Distro, PackageFact, PackageType } from '../types.ts';
import { debianRelease } from './debian-releases.ts';

const LANGUAGE_ECOSYSTEMS: Partial<Record<PackageType, string>> = {
  npm: 'npm',
  pypi: 'PyPI',
  golang: 'Go',
  cargo: 'crates.io',
  composer: 'Packagist',
  gem: 'RubyGems',
  nuget: 'NuGet',
  maven: 'Maven',
};

const RPM_DISTROS: Record<string, string> = {
  rocky: 'Rocky Linux',
  almalinux: 'AlmaLinux',
  mageia: 'Mageia',
};

/**
 * The OSV ecosystem of a package in an image of `distro`: `Debian:12`,
 * `Ubuntu:22.04:LTS`, `Alpine:v3.19`, `Rocky Linux:9`, `PyPI`, `Go` …;
 * undefined when advisories for it cannot be placed (an OS package of an
 * unknown or release-less distribution; Red Hat, whose OSV ecosystems are
 * per product stream, not per release).
 */
export function ecosystemOf(pkg: Pick<PackageFact, 'type'>, distro?: Distro): string | undefined {
  const language = LANGUAGE_ECOSYSTEMS[pkg.type];
  if (language) return language;
  if (!distro) return undefined;
  const id = distro.id.toLowerCase();
  const version = distro.versionId?.trim();
  if (pkg.type === 'deb') {
    if (id === 'debian') {
      const major = version ? /^(\d+)/.exec(version)?.[1] : distro.codename ? debianRelease(distro.codename) : undefined;
      return major ? `Debian:${major}` : undefined;
    }
    if (id === 'ubuntu') {
      const m = version ? /^(\d{2})\.(\d{2})/.exec(version) : null;
      if (!m) return undefined;
      // LTS releases are the April releases of even years.
      const lts = m[2] === '04' && Number(m[1]) % 2 === 0;
      return `Ubuntu:${m[1]}.${m[2]}${lts ? ':LTS' : ''}`;
    }
    return undefined;
  }
  if (pkg.type === 'apk') {
    if (id === 'alpine') {
      const m = version ? /^(\d+)\.(\d+)/.exec(version) : null;
      return m ? `Alpine:v${m[1]}.${m[2]}` : undefined;
    }
    if (id === 'wolfi') return 'Wolfi';
    if (id === 'chainguard') return 'Chainguard';
    return undefined;
  }
  if (pkg.type === 'rpm') {
    const eco = RPM_DISTROS[id];
    const major = version ? /^(\d+)/.exec(version)?.[1] : undefined;
    if (eco && major) return `${eco}:${major}`;
    if (id === 'opensuse-leap' && version) return `openSUSE:Leap ${version}`;
    return undefined;
  }
  return undefined;
}

/** PEP 503: lower case, runs of `-`, `_`, `.` become one `-`. */
export function normalizePypiName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** The name advisories file the package under. */
export function lookupName(pkg: Pick<PackageFact, 'type' | 'name' | 'source'>): string {
  switch (pkg.type) {
    case 'deb':
    case 'apk':
    case 'rpm':
      return pkg.source?.name || pkg.name;
    case 'pypi':
      return normalizePypiName(pkg.name);
    default:
      return pkg.name;
  }
}

/** The version advisories' ranges are compared with. */
export function lookupVersion(pkg: Pick<PackageFact, 'type' | 'version' | 'source'>): string {
  if ((pkg.type === 'deb' || pkg.type === 'apk' || pkg.type === 'rpm') && pkg.source?.version) return pkg.source.version;
  return pkg.version;
}

/**
 * Whether an advisory's package name is the package's: exact, except where
 * the ecosystem folds names (PyPI per PEP 503; NuGet, Packagist and
 * crates.io case-insensitively), so an importer that stored the name as
 * published still matches.
 */
export function sameName(ecosystem: string, advisoryName: string, name: string): boolean {
  return advisoryName === name || foldName(ecosystem, advisoryName) === foldName(ecosystem, name);
}

/** The form under which two names of the ecosystem are the same package (the matcher's index key). */
export function foldName(ecosystem: string, name: string): string {
  switch (ecosystem) {
    case 'PyPI':
      return normalizePypiName(name);
    case 'NuGet':
    case 'Packagist':
    case 'crates.io':
      return name.toLowerCase();
    default:
      return name;
  }
}

/** The names to ask the vulnerability data for: the lookup name and, where names fold, its other spellings. */
export function lookupNames(ecosystem: string, pkg: Pick<PackageFact, 'type' | 'name' | 'source'>): string[] {
  const name = lookupName(pkg);
  const names = new Set([name, pkg.type === 'pypi' ? pkg.name : name]);
  if (ecosystem === 'NuGet' || ecosystem === 'Packagist' || ecosystem === 'crates.io') names.add(name.toLowerCase());
  return [...names];
}
