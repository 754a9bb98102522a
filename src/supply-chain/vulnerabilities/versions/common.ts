/**
 * What every version scheme shares: the error for a string a scheme cannot
 * order, and comparison of digit runs of any length (advisories carry dates
 * like `20240530193627` and Go pseudo-version timestamps, past 2^53).
 */

/** A version string the scheme cannot order; the matcher reports it and moves on. */
export class InvalidVersionError extends Error {
  readonly scheme: string;
  readonly version: string;
  constructor(scheme: string, version: string, why: string) {
    super(`invalid ${scheme} version ${JSON.stringify(version.slice(0, 100))}: ${why}`);
    this.name = 'InvalidVersionError';
    this.scheme = scheme;
    this.version = version;
  }
}

/** Longest version string any scheme accepts: advisories and packages never come near it; hostile input does. */
export const MAX_VERSION_LENGTH = 256;

export function checkLength(scheme: string, version: string): void {
  if (version.length === 0) throw new InvalidVersionError(scheme, version, 'empty');
  if (version.length > MAX_VERSION_LENGTH) throw new InvalidVersionError(scheme, version, `longer than ${MAX_VERSION_LENGTH} characters`);
}

/** Compares two runs of ASCII digits as numbers, whatever their length; leading zeros do not count. */
export function compareDigits(a: string, b: string): number {
  let i = 0;
  while (i < a.length - 1 && a[i] === '0') i++;
  let j = 0;
  while (j < b.length - 1 && b[j] === '0') j++;
  const la = a.length - i;
  const lb = b.length - j;
  if (la !== lb) return la < lb ? -1 : 1;
  for (; i < a.length; i++, j++) {
    if (a[i] !== b[j]) return a[i]! < b[j]! ? -1 : 1;
  }
  return 0;
}

/** Byte-wise (ASCII) order of two strings, as C's strcmp/memcmp give it. */
export function compareAscii(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

export function sign(n: number): number {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

export const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
export const isAlpha = (c: string | undefined): boolean => c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
