/**
 * RPM versions, as rpm orders them: `[epoch:]version[-release]`, epoch first
 * (missing = 0), then version, then release, each by `rpmvercmp`. rpmvercmp
 * splits a string into alphanumeric segments (other characters only
 * separate); digit segments compare as numbers and beat letter segments;
 * `~` sorts before anything, even the end (`1.0~rc1 < 1.0`); `^` sorts after
 * the end but before anything else (`1.0 < 1.0^git1 < 1.0.1`).
 */
import { InvalidVersionError, checkLength, compareAscii, compareDigits, isAlpha, isDigit } from './common.ts';

const isAlnum = (c: string | undefined): boolean => isDigit(c) || isAlpha(c);

/** rpm's rpmvercmp on one part (version or release). */
export function rpmvercmp(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while (i < a.length && !isAlnum(a[i]) && a[i] !== '~' && a[i] !== '^') i++;
    while (j < b.length && !isAlnum(b[j]) && b[j] !== '~' && b[j] !== '^') j++;
    if (a[i] === '~' || b[j] === '~') {
      if (a[i] !== '~') return 1;
      if (b[j] !== '~') return -1;
      i++;
      j++;
      continue;
    }
    if (a[i] === '^' || b[j] === '^') {
      if (i >= a.length) return -1;
      if (j >= b.length) return 1;
      if (a[i] !== '^') return 1;
      if (b[j] !== '^') return -1;
      i++;
      j++;
      continue;
    }
    if (i >= a.length || j >= b.length) break;
    const si = i;
    const sj = j;
    const numeric = isDigit(a[i]);
    const same = numeric ? isDigit : isAlpha;
    while (i < a.length && same(a[i])) i++;
    while (j < b.length && same(b[j])) j++;
    // b's segment is of the other kind: a number is newer than letters.
    if (sj === j) return numeric ? 1 : -1;
    const c = numeric ? compareDigits(a.slice(si, i), b.slice(sj, j)) : compareAscii(a.slice(si, i), b.slice(sj, j));
    if (c !== 0) return c;
  }
  if (i >= a.length && j >= b.length) return 0;
  return i < a.length ? 1 : -1;
}

interface Evr {
  epoch: string;
  version: string;
  release?: string;
}

export function parseEvr(evr: string): Evr {
  const v = evr.trim();
  checkLength('rpm', v);
  let epoch = '0';
  let rest = v;
  const colon = v.indexOf(':');
  if (colon >= 0) {
    epoch = v.slice(0, colon) || '0';
    rest = v.slice(colon + 1);
    if (!/^[0-9]+$/.test(epoch)) throw new InvalidVersionError('rpm', evr, 'epoch is not a number');
  }
  const dash = rest.lastIndexOf('-');
  if (dash < 0) return { epoch, version: rest };
  return { epoch, version: rest.slice(0, dash), release: rest.slice(dash + 1) };
}

/**
 * Compares two EVRs as rpm.vercmp does: a missing release sorts before any release, even an empty one or `~`
 * (`1.0 < 1.0- < 1.0-~`), which keeps the order total. (rpm's dependency rule, a missing release matching any,
 * is not an order; advisories' EVRs carry releases.)
 */
export function compareRpm(a: string, b: string): number {
  const x = parseEvr(a);
  const y = parseEvr(b);
  const e = compareDigits(x.epoch, y.epoch);
  if (e !== 0) return e;
  const v = rpmvercmp(x.version, y.version);
  if (v !== 0) return v;
  if (x.release === undefined || y.release === undefined) return x.release === y.release ? 0 : x.release === undefined ? -1 : 1;
  return rpmvercmp(x.release, y.release);
}
