/**
 * Python package versions, PEP 440 (packaging.python.org, "Version
 * specifiers"), with its normalisation: case does not matter, `alpha`/`beta`/
 * `c`/`pre`/`preview` mean `a`/`b`/`rc`/`rc`, `rev`/`r`/`-N` mean `.postN`,
 * separators `.`, `-`, `_` are optional around pre/post/dev, a leading `v` is
 * ignored, and trailing zeros of the release do not count (`1.0 == 1.0.0`).
 *
 * Order: epoch, release, then `.devN` alone < `aN` < `bN` < `rcN` < final <
 * `.postN`, each with its own `.devN` before it (`1.0.post1.dev0 <
 * 1.0.post1`), then the local label (`1.0 < 1.0+local`): its segments compare
 * numerically when numeric, alphabetically otherwise, numbers after words.
 */
import { InvalidVersionError, checkLength, compareAscii, compareDigits } from './common.ts';

// The grammar of PEP 440's appendix, written out (with the normalisations above).
const PEP440 = new RegExp(
  '^\\s*v?' +
    '(?:(?<epoch>[0-9]+)!)?' +
    '(?<release>[0-9]+(?:\\.[0-9]+)*)' +
    '(?:[-_.]?(?<pre_l>alpha|a|beta|b|preview|pre|c|rc)[-_.]?(?<pre_n>[0-9]+)?)?' +
    '(?:-(?<post_n1>[0-9]+)|[-_.]?(?<post_l>post|rev|r)[-_.]?(?<post_n2>[0-9]+)?)?' +
    '(?:[-_.]?(?<dev_l>dev)[-_.]?(?<dev_n>[0-9]+)?)?' +
    '(?:\\+(?<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?' +
    '\\s*$',
  'i',
);

const PRE_RANK: Record<string, number> = { a: 0, alpha: 0, b: 1, beta: 1, c: 2, rc: 2, pre: 2, preview: 2 };

export interface Pep440 {
  epoch: string;
  /** Release numbers without trailing zeros (for comparison). */
  release: string[];
  /** Release numbers as written (for the canonical form). */
  written: string[];
  /** [rank (a=0, b=1, rc=2), number]; absent = final. */
  pre?: [number, string];
  post?: string;
  dev?: string;
  local: string[];
}

export function parsePep440(version: string): Pep440 {
  checkLength('pep440', version);
  const m = PEP440.exec(version);
  const g = m?.groups;
  if (!g) throw new InvalidVersionError('pep440', version, 'not a PEP 440 version');
  const written = g['release']!.split('.');
  const release = [...written];
  // Trailing zeros do not count: 1.0 == 1.0.0.
  while (release.length > 1 && /^0+$/.test(release[release.length - 1]!)) release.pop();
  const parsed: Pep440 = {
    epoch: g['epoch'] ?? '0',
    release,
    written,
    local: g['local'] === undefined ? [] : g['local'].toLowerCase().split(/[-_.]/),
  };
  if (g['pre_l'] !== undefined) parsed.pre = [PRE_RANK[g['pre_l'].toLowerCase()]!, g['pre_n'] ?? '0'];
  if (g['post_n1'] !== undefined) parsed.post = g['post_n1'];
  else if (g['post_l'] !== undefined) parsed.post = g['post_n2'] ?? '0';
  if (g['dev_l'] !== undefined) parsed.dev = g['dev_n'] ?? '0';
  return parsed;
}

/** The canonical form PEP 440 prints (used to compare names of versions in advisories' `versions[]`). */
export function normalizePep440(version: string): string {
  const p = parsePep440(version);
  let s = p.epoch === '0' ? '' : `${BigInt(p.epoch)}!`;
  s += p.written.map((r) => BigInt(r).toString()).join('.');
  if (p.pre) s += `${['a', 'b', 'rc'][p.pre[0]]}${BigInt(p.pre[1])}`;
  if (p.post !== undefined) s += `.post${BigInt(p.post)}`;
  if (p.dev !== undefined) s += `.dev${BigInt(p.dev)}`;
  if (p.local.length > 0) s += `+${p.local.map((l) => (/^\d+$/.test(l) ? BigInt(l).toString() : l)).join('.')}`;
  return s;
}

function compareRelease(a: string[], b: string[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const c = compareDigits(a[i] ?? '0', b[i] ?? '0');
    if (c !== 0) return c;
  }
  return 0;
}

/**
 * The pre-release key: a dev release of a final version (`1.0.dev0`, no pre,
 * no post) sorts before its alphas; a final version after every pre-release.
 */
function comparePre(a: Pep440, b: Pep440): number {
  const key = (p: Pep440): [number, number, string] => {
    if (!p.pre && p.post === undefined && p.dev !== undefined) return [-1, 0, '0'];
    if (!p.pre) return [1, 0, '0'];
    return [0, p.pre[0], p.pre[1]];
  };
  const x = key(a);
  const y = key(b);
  return Math.sign(x[0] - y[0]) || Math.sign(x[1] - y[1]) || compareDigits(x[2], y[2]);
}

/** Absent post sorts before any post; absent dev after any dev. */
function compareOptional(a: string | undefined, b: string | undefined, absentIsLow: boolean): number {
  if (a === undefined && b === undefined) return 0;
  if (a === undefined) return absentIsLow ? -1 : 1;
  if (b === undefined) return absentIsLow ? 1 : -1;
  return compareDigits(a, b);
}

function compareLocal(a: string[], b: string[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const xn = /^\d+$/.test(x);
    const yn = /^\d+$/.test(y);
    const c = xn && yn ? compareDigits(x, y) : xn ? 1 : yn ? -1 : compareAscii(x, y);
    if (c !== 0) return c;
  }
  return 0;
}

export function compareParsedPep440(a: Pep440, b: Pep440): number {
  return (
    compareDigits(a.epoch, b.epoch) ||
    compareRelease(a.release, b.release) ||
    comparePre(a, b) ||
    compareOptional(a.post, b.post, true) ||
    compareOptional(a.dev, b.dev, false) ||
    compareLocal(a.local, b.local)
  );
}

export function comparePep440(a: string, b: string): number {
  return compareParsedPep440(parsePep440(a), parsePep440(b));
}
