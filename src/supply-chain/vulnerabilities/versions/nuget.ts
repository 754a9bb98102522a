/**
 * NuGet package versions (learn.microsoft.com, "NuGet package versioning";
 * NuGet.Versioning's VersionComparer): `Major.Minor[.Patch[.Revision]]`
 * with missing parts 0 (`1.0 == 1.0.0.0`), then a release label: a version
 * without one is higher; labels split at `.` compare in turn, numeric ones as
 * numbers and before alphanumeric ones, alphanumeric ones case-insensitively;
 * more labels win when the shared ones are equal. Metadata (`+…`) is
 * ignored.
 */
import { InvalidVersionError, checkLength, compareDigits } from './common.ts';
import { comparePrerelease } from './semver.ts';

const NUGET = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z-.]*)?$/;

export function compareNuget(a: string, b: string): number {
  const parse = (v: string): { parts: string[]; labels: string[] } => {
    checkLength('nuget', v);
    const m = NUGET.exec(v.trim());
    if (!m) throw new InvalidVersionError('nuget', v, 'not Major.Minor[.Patch[.Revision]][-label][+metadata]');
    return { parts: [m[1]!, m[2] ?? '0', m[3] ?? '0', m[4] ?? '0'], labels: m[5] === undefined ? [] : m[5].toLowerCase().split('.') };
  };
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < 4; i++) {
    const c = compareDigits(x.parts[i]!, y.parts[i]!);
    if (c !== 0) return c;
  }
  return comparePrerelease(x.labels, y.labels);
}
