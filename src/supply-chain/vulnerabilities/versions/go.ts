/**
 * Go module versions (golang.org/ref/mod#versions): semantic versions with a
 * `v`, ordered as golang.org/x/mod/semver orders them. That makes
 * pseudo-versions fall where the Go command puts them, since each is a
 * pre-release of the version after its base:
 * `v0.0.0-20191109021931-daa7c04131f5` (no base), `v1.2.4-0.2019…-…` (after
 * v1.2.3), `v1.2.3-pre.0.2019…-…` (after v1.2.3-pre). `+incompatible` is build
 * metadata and does not count. The shorthands `v1` and `v1.2` mean `v1.0.0`
 * and `v1.2.0`, as in x/mod/semver.
 *
 * OSV's Go records write versions without the `v` (`1.21.0-0`); the Go
 * toolchain and standard library (modules `toolchain` and `stdlib`) are
 * named by Go's own release names, `go1.21.3`, `go1.21rc2`, `go1.9beta2`,
 * which OSV (and so this scheme) maps to `1.21.3`, `1.21.0-rc.2`, `1.9.0-beta.2`.
 */
import { InvalidVersionError, checkLength } from './common.ts';
import { compareParsedSemver, parseSemver, type SemVer } from './semver.ts';

/** Go's release name (`go1.21`, `go1.21.3`, `go1.21rc2`) as the semantic version OSV uses; undefined when it is not one. */
export function goReleaseToSemver(name: string): string | undefined {
  const m = /^go(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:(beta|rc)(\d+))?$/.exec(name.trim());
  if (!m) return undefined;
  const core = `${m[1]}.${m[2] ?? '0'}.${m[3] ?? '0'}`;
  return m[4] === undefined ? core : `${core}-${m[4]}.${m[5]}`;
}

export function parseGo(version: string): SemVer {
  checkLength('go', version);
  const v = version.trim();
  const release = goReleaseToSemver(v);
  if (release !== undefined) return parseSemver(release, 'go');
  // x/mod/semver shorthands: vMAJOR and vMAJOR.MINOR (no pre-release or build allowed on them).
  const short = /^v?(\d+)(?:\.(\d+))?$/.exec(v);
  if (short) return parseSemver(`${short[1]}.${short[2] ?? '0'}.0`, 'go');
  if (v === '(devel)') throw new InvalidVersionError('go', version, 'a development build has no version');
  return parseSemver(v.startsWith('v') ? v.slice(1) : v, 'go');
}

export function compareGo(a: string, b: string): number {
  return compareParsedSemver(parseGo(a), parseGo(b));
}
