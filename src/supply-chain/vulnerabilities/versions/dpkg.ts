/**
 * Debian package versions, as dpkg orders them (Debian Policy §5.6.12,
 * dpkg's `verrevcmp`): `[epoch:]upstream[-revision]`. The epoch compares as a
 * number; upstream and revision each alternate non-digit runs (compared
 * character by character, letters before other characters, `~` before
 * everything, even the end) and digit runs (compared as numbers). A missing
 * revision orders as `0`, so `1.0` equals `1.0-0`.
 */
import { InvalidVersionError, checkLength, compareDigits, isAlpha, isDigit } from './common.ts';

interface DpkgVersion {
  epoch: string;
  upstream: string;
  revision: string;
}

export function parseDpkg(version: string): DpkgVersion {
  const v = version.trim();
  checkLength('dpkg', v);
  if (/\s/.test(v)) throw new InvalidVersionError('dpkg', version, 'contains white space');
  const colon = v.indexOf(':');
  let epoch = '0';
  let rest = v;
  if (colon >= 0) {
    epoch = v.slice(0, colon);
    rest = v.slice(colon + 1);
    if (!/^[0-9]+$/.test(epoch)) throw new InvalidVersionError('dpkg', version, 'epoch is not a number');
  }
  const dash = rest.lastIndexOf('-');
  const upstream = dash >= 0 ? rest.slice(0, dash) : rest;
  const revision = dash >= 0 ? rest.slice(dash + 1) : '';
  if (upstream === '') throw new InvalidVersionError('dpkg', version, 'empty upstream version');
  if (dash >= 0 && revision === '') throw new InvalidVersionError('dpkg', version, 'empty revision');
  return { epoch, upstream, revision };
}

/** The weight dpkg gives one character of a non-digit run (0 for the end of the run). */
function order(c: string | undefined): number {
  if (c === undefined || isDigit(c)) return 0;
  if (isAlpha(c)) return c.charCodeAt(0);
  if (c === '~') return -1;
  return c.charCodeAt(0) + 256;
}

/** dpkg's verrevcmp, on one part (upstream or revision). */
export function compareDpkgPart(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while ((i < a.length && !isDigit(a[i])) || (j < b.length && !isDigit(b[j]))) {
      const ac = order(a[i]);
      const bc = order(b[j]);
      if (ac !== bc) return ac < bc ? -1 : 1;
      i++;
      j++;
    }
    const si = i;
    while (i < a.length && isDigit(a[i])) i++;
    const sj = j;
    while (j < b.length && isDigit(b[j])) j++;
    const c = compareDigits(a.slice(si, i) || '0', b.slice(sj, j) || '0');
    if (c !== 0) return c;
  }
  return 0;
}

export function compareDpkg(a: string, b: string): number {
  const va = parseDpkg(a);
  const vb = parseDpkg(b);
  return compareDigits(va.epoch, vb.epoch) || compareDpkgPart(va.upstream, vb.upstream) || compareDpkgPart(va.revision, vb.revision);
}
