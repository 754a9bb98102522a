/**
 * The supply-chain domain's shared vocabulary: what the analyzer finds in an
 * image (packages, the distribution), what the vulnerability data says
 * (advisories and the packages they affect) and what matching makes of the
 * two (findings). The analyzer, the vulnerability database, the matcher, the
 * SBOM writers and the scanning service all speak these types, so each can be
 * built and tested on its own.
 */

/** Package URL types (github.com/package-url/purl-spec) of what Berth inventories. */
export type PackageType = 'deb' | 'apk' | 'rpm' | 'npm' | 'pypi' | 'golang' | 'maven' | 'cargo' | 'nuget' | 'composer' | 'gem';

export const PACKAGE_TYPES: readonly PackageType[] = ['deb', 'apk', 'rpm', 'npm', 'pypi', 'golang', 'maven', 'cargo', 'nuget', 'composer', 'gem'];

/** The image's operating system, from /etc/os-release (or a fallback file). */
export interface Distro {
  /** os-release ID: `debian`, `ubuntu`, `alpine`, `rhel`, `rocky`, `almalinux`, `centos`, `fedora`, … */
  id: string;
  /** os-release VERSION_ID: `12`, `22.04`, `3.19.1`, `9.3`. */
  versionId?: string;
  /** os-release VERSION_CODENAME: `bookworm`, `jammy`. */
  codename?: string;
  prettyName?: string;
}

/** What a cataloger reports about one package, before the analyzer adds where it was found. */
export interface PackageFact {
  type: PackageType;
  /**
   * The name as the package's own ecosystem (and OSV) writes it: npm
   * `@scope/name`, Maven `groupId:artifactId`, Go the module path (`stdlib`
   * for the Go standard library), PyPI the project name as published, Debian
   * and Alpine the binary package.
   */
  name: string;
  version: string;
  /**
   * OS packages: the source package advisories name (dpkg `Source:`, apk
   * origin, rpm source RPM name) and its version when it differs.
   */
  source?: { name: string; version: string };
  /** SPDX license expressions or names as the package declares them. */
  licenses?: string[];
  /** Where inside the file it was found when that is more precise, e.g. `app.war!/WEB-INF/lib/x.jar`. */
  location?: string;
  /** Architecture for OS packages (`amd64`, `x86_64`, `aarch64`). */
  arch?: string;
}

/** A package in an image: the fact plus its package URL, file and layer. */
export interface Package extends PackageFact {
  /** The package URL (purl), with the distro qualifier for OS packages. */
  purl: string;
  /** Absolute path in the image of the file it was found in (status db, lock file, binary, jar). */
  location: string;
  /** Digest (as the manifest lists it) of the layer that added that file. */
  layer: string;
  /** The cataloger that found it: `dpkg`, `apk`, `rpm`, `npm-lock`, `go-binary`, `java-archive`, … */
  foundBy: string;
}

/** Something the analyzer did not read, and why (limits, hostile entries, unsupported formats). */
export interface Skipped {
  path: string;
  layer?: string;
  reason: string;
}

/** The inventory of one image manifest (one platform of an index). */
export interface Inventory {
  /** Digest of the image manifest analysed. */
  manifestDigest: string;
  platform?: { os: string; architecture: string; variant?: string };
  distro?: Distro;
  packages: Package[];
  skipped: Skipped[];
  stats: { layers: number; entries: number; bytesRead: number; durationMs: number };
}

/** Harbor's severity names, lowest first (the Pluggable Scanner API's). */
export type Severity = 'Unknown' | 'Negligible' | 'Low' | 'Medium' | 'High' | 'Critical';

export const SEVERITIES: readonly Severity[] = ['Unknown', 'Negligible', 'Low', 'Medium', 'High', 'Critical'];

export type RangeEvent = { introduced: string } | { fixed: string } | { last_affected: string } | { limit: string };

/**
 * How an advisory's publisher sees a package (the Debian tracker's statuses;
 * OSV and secdb data is always `affected`, with or without a fix).
 */
export type AffectedStatus = 'affected' | 'not_affected' | 'will_not_fix' | 'fix_deferred' | 'end_of_life';

/** One package an advisory names, normalised from any source format to OSV's shape. */
export interface AffectedPackage {
  /** OSV ecosystem with release: `Go`, `PyPI`, `npm`, `Maven`, `crates.io`, `Debian:12`, `Alpine:v3.19`, `Ubuntu:22.04:LTS`. */
  ecosystem: string;
  /** As the ecosystem names it (for Debian and Alpine the source package / origin). */
  name: string;
  ranges: { type: 'ECOSYSTEM' | 'SEMVER' | 'GIT'; events: RangeEvent[] }[];
  versions: string[];
  status: AffectedStatus;
  /** Publisher's severity for this package when it gives one (Debian urgency mapped to Severity). */
  severity?: Severity;
}

/** One advisory record as stored: OSV's fields Berth uses. */
export interface Advisory {
  /** `GO-2023-1234`, `PYSEC-2021-1`, `DSA-5000-1`, `CVE-2020-1234` (secdb), … */
  id: string;
  /** Name of the vulnerability-data source it came from (`osv-Go`, `alpine-secdb`, `debian-dsa`, …). */
  source: string;
  aliases: string[];
  summary?: string;
  /** CVSS vectors as OSV gives them. */
  severity: { type: 'CVSS_V2' | 'CVSS_V3' | 'CVSS_V4'; score: string }[];
  references: string[];
  published?: string;
  modified?: string;
  withdrawn?: string;
  affected: AffectedPackage[];
}

/** One vulnerability of one package in one image. */
export interface Finding {
  /** The CVE id when the advisory or an alias is one, otherwise the advisory id. */
  id: string;
  /** Every other id naming the same vulnerability (GHSA, PYSEC, GO, DSA …), merged across sources. */
  aliases: string[];
  packageType: PackageType;
  package: string;
  installedVersion: string;
  /** The lowest version that fixes it, when one exists. */
  fixedVersion?: string;
  status: AffectedStatus;
  severity: Severity;
  cvss?: { version: string; score: number; vector: string };
  summary?: string;
  links: string[];
  purl: string;
  layer: string;
  location: string;
  /** The sources whose data produced it. */
  sources: string[];
}

/** A finding count per severity, as Harbor's scan overview summarises it. */
export type SeveritySummary = Record<Severity, number>;
