/**
 * Alpine package versions, as apk-tools orders them (`src/version.c`,
 * tested by its `test/unit/version.data`):
 * `digits{.digits}{letter}{_suffix{digits}}…{~hash}{-rN}`.
 *
 * Tokens are compared in turn while both versions have a token of the same
 * kind: numbers as numbers, except that a dotted number with a leading zero
 * on either side compares as a string (Gentoo's rule, so `1.02 < 1.1`);
 * suffixes in the order `_alpha < _beta < _pre < _rc < (none) < _cvs < _svn <
 * _git < _hg < _p`; the commit hash as a string; `-rN` as a number. When
 * one version runs out or switches kind first, a pre-release suffix sorts
 * lower, otherwise the version whose token kind comes later (the end, then
 * an invalid tail) is the lower: `1.2 < 1.2.1`, `1.2 < 1.2-r1`,
 * `1.2_rc1 < 1.2`.
 */
import { InvalidVersionError, checkLength, compareAscii, compareDigits, isDigit } from './common.ts';

// Token kinds in apk-tools' order: a later kind where the other version has an earlier one makes it the lower.
const INITIAL = 0;
const DIGIT = 1;
const LETTER = 2;
const SUFFIX = 3;
const SUFFIX_NO = 4;
const HASH = 5;
const REVISION = 6;
const END = 7;
const INVALID = 8;

// Suffix ranks; NONE (5) is a version with no suffix.
const SUFFIXES: Record<string, number> = { alpha: 1, beta: 2, pre: 3, rc: 4, cvs: 6, svn: 7, git: 8, hg: 9, p: 10 };
const SUFFIX_NONE = 5;

interface Token {
  kind: number;
  value: string;
  suffix: number;
}

/** Splits a version into apk tokens; an unparsable tail becomes one INVALID token (apk compares up to it). */
export function tokenizeApk(version: string): Token[] {
  const v = version;
  const tokens: Token[] = [];
  let i = 0;
  const digits = (kind: number): void => {
    const s = i;
    while (i < v.length && isDigit(v[i])) i++;
    tokens.push(s === i ? { kind: INVALID, value: '', suffix: 0 } : { kind, value: v.slice(s, i), suffix: 0 });
  };
  digits(INITIAL);
  let last = tokens[0]!.kind;
  while (last !== INVALID) {
    if (i >= v.length) {
      tokens.push({ kind: END, value: '', suffix: 0 });
      break;
    }
    const c = v[i]!;
    if (c >= 'a' && c <= 'z') {
      if (last > DIGIT) break;
      tokens.push({ kind: LETTER, value: c, suffix: 0 });
      i++;
    } else if (c === '.' || isDigit(c)) {
      if (c === '.') {
        if (last > DIGIT) break;
        i++;
      }
      if (last === INITIAL || last === DIGIT) digits(DIGIT);
      else if (last === SUFFIX) digits(SUFFIX_NO);
      else break;
    } else if (c === '_') {
      if (last > SUFFIX_NO) break;
      const s = ++i;
      while (i < v.length && v[i]! >= 'a' && v[i]! <= 'z') i++;
      const rank = SUFFIXES[v.slice(s, i)];
      if (rank === undefined) break;
      tokens.push({ kind: SUFFIX, value: v.slice(s, i), suffix: rank });
    } else if (c === '~') {
      if (last >= HASH) break;
      const s = ++i;
      while (i < v.length && /[0-9a-f]/.test(v[i]!)) i++;
      if (s === i) break;
      tokens.push({ kind: HASH, value: v.slice(s, i), suffix: 0 });
    } else if (c === '-') {
      if (last >= REVISION || v[i + 1] !== 'r') break;
      i += 2;
      digits(REVISION);
    } else {
      break;
    }
    last = tokens[tokens.length - 1]!.kind;
  }
  if (tokens[tokens.length - 1]!.kind !== END && tokens[tokens.length - 1]!.kind !== INVALID) {
    tokens.push({ kind: INVALID, value: '', suffix: 0 });
  }
  return tokens;
}

export function isValidApk(version: string): boolean {
  return version.length > 0 && version.length <= 256 && tokenizeApk(version).every((t) => t.kind !== INVALID);
}

function compareToken(a: Token, b: Token): number {
  switch (a.kind) {
    case DIGIT:
      if (a.value.startsWith('0') || b.value.startsWith('0')) return compareAscii(a.value, b.value);
      return compareDigits(a.value, b.value);
    case INITIAL:
    case SUFFIX_NO:
    case REVISION:
      return compareDigits(a.value, b.value);
    case SUFFIX:
      return a.suffix === b.suffix ? 0 : a.suffix < b.suffix ? -1 : 1;
    default:
      return compareAscii(a.value, b.value);
  }
}

export function compareApk(a: string, b: string): number {
  checkLength('apk', a);
  checkLength('apk', b);
  const ta = tokenizeApk(a);
  const tb = tokenizeApk(b);
  if (ta[0]!.kind === INVALID) throw new InvalidVersionError('apk', a, 'does not start with a number');
  if (tb[0]!.kind === INVALID) throw new InvalidVersionError('apk', b, 'does not start with a number');
  let k = 0;
  for (; ta[k]!.kind === tb[k]!.kind && ta[k]!.kind < END; k++) {
    const c = compareToken(ta[k]!, tb[k]!);
    if (c !== 0) return c;
  }
  const x = ta[k]!;
  const y = tb[k]!;
  if (x.kind === y.kind) return 0;
  if (x.kind === SUFFIX && x.suffix < SUFFIX_NONE) return -1;
  if (y.kind === SUFFIX && y.suffix < SUFFIX_NONE) return 1;
  return x.kind > y.kind ? -1 : 1;
}
