/**
 * Maven versions, as Maven's ComparableVersion orders them (the POM
 * reference's "Version Order Specification"): the version is split at `.`,
 * `-` and at transitions between digits and letters (a transition acts as a
 * `-`); an empty token is `0`; each `-` opens a nested list. Trailing "null"
 * values (`0`, `""`, `final`, `ga`, `release`) are dropped at the end of each
 * list. Numbers compare as numbers; qualifiers in the order `alpha < beta <
 * milestone < rc = cr < snapshot < "" = ga = final = release < sp`, unknown
 * qualifiers after those, alphabetically (case-insensitive); `a1`, `b1`, `m1`
 * are `alpha-1`, `beta-1`, `milestone-1`. Across kinds: a qualifier < a list <
 * a number (`1-foo < 1-1 < 1.1`), which also gives `.qualifier < -qualifier <
 * -number < .number`. Maven accepts any string, so this never throws for
 * content, only for length.
 */
import { checkLength, compareAscii, compareDigits, isDigit } from './common.ts';

type Item = { kind: 'int'; value: string } | { kind: 'str'; value: string } | { kind: 'list'; items: Item[] };

const QUALIFIERS = ['alpha', 'beta', 'milestone', 'rc', 'snapshot', '', 'sp'];
const ALIASES: Record<string, string> = { ga: '', final: '', release: '', cr: 'rc' };
const RELEASE_INDEX = String(QUALIFIERS.indexOf(''));

/** A qualifier's sort key: its rank among the known ones, or after all of them and alphabetical. */
function qualifierKey(q: string): string {
  const i = QUALIFIERS.indexOf(q);
  return i >= 0 ? String(i) : `${QUALIFIERS.length}-${q}`;
}

function stringItem(value: string, followedByDigit: boolean): Item {
  let v = value;
  if (followedByDigit && v.length === 1) v = v === 'a' ? 'alpha' : v === 'b' ? 'beta' : v === 'm' ? 'milestone' : v;
  return { kind: 'str', value: ALIASES[v] ?? v };
}

function isNull(item: Item): boolean {
  if (item.kind === 'int') return /^0+$/.test(item.value);
  if (item.kind === 'str') return item.value === '';
  return item.items.length === 0;
}

/** Drops trailing null items, stopping at the last nested list (as ComparableVersion.ListItem.normalize). */
function normalize(list: Item[]): void {
  for (let i = list.length - 1; i >= 0; i--) {
    const item = list[i]!;
    if (isNull(item)) list.splice(i, 1);
    else if (item.kind !== 'list') break;
  }
}

export function parseMaven(version: string): Item {
  checkLength('maven', version);
  const v = version.trim().toLowerCase();
  const root: Item[] = [];
  let list = root;
  const stack: Item[][] = [root];
  const open = (): void => {
    const next: Item[] = [];
    list.push({ kind: 'list', items: next });
    list = next;
    stack.push(next);
  };
  let digit = false;
  let start = 0;
  const token = (end: number, followedByDigit: boolean): Item =>
    digit ? { kind: 'int', value: v.slice(start, end) } : stringItem(v.slice(start, end), followedByDigit);
  for (let i = 0; i < v.length; i++) {
    const c = v[i]!;
    if (c === '.' || c === '-') {
      list.push(i === start ? { kind: 'int', value: '0' } : token(i, false));
      start = i + 1;
      if (c === '-') open();
    } else if (isDigit(c)) {
      if (!digit && i > start) {
        // A qualifier followed by a number opens its own list unless it starts one (`1.a1` is `1-a-1`).
        if (list.length > 0) open();
        list.push(stringItem(v.slice(start, i), true));
        start = i;
        open();
      }
      digit = true;
    } else {
      if (digit && i > start) {
        list.push(token(i, false));
        start = i;
        open();
      }
      digit = false;
    }
  }
  if (v.length > start) {
    // `1.0.X1 < 1.0-X2`: a trailing `.qualifier` is treated as `-qualifier`.
    if (!digit && list.length > 0) open();
    list.push(token(v.length, false));
  }
  while (stack.length > 0) normalize(stack.pop()!);
  return { kind: 'list', items: root };
}

/** Compares an item with a missing one (the shorter list's end). */
function compareWithNothing(a: Item): number {
  if (a.kind === 'int') return /^0+$/.test(a.value) ? 0 : 1;
  if (a.kind === 'str') return compareAscii(qualifierKey(a.value), RELEASE_INDEX);
  // Every item counts, not only the first (MNG-6964, Maven 3.8): 1-ga.1 > 1.
  for (const item of a.items) {
    const c = compareWithNothing(item);
    if (c !== 0) return c;
  }
  return 0;
}

function compareItems(a: Item | undefined, b: Item | undefined): number {
  if (a === undefined) return b === undefined ? 0 : -compareWithNothing(b);
  if (b === undefined) return compareWithNothing(a);
  if (a.kind === 'int') return b.kind === 'int' ? compareDigits(a.value, b.value) : 1;
  if (a.kind === 'str') {
    if (b.kind === 'str') return compareAscii(qualifierKey(a.value), qualifierKey(b.value));
    return -1;
  }
  if (b.kind === 'int') return -1;
  if (b.kind === 'str') return 1;
  for (let i = 0; i < Math.max(a.items.length, b.items.length); i++) {
    const c = compareItems(a.items[i], b.items[i]);
    if (c !== 0) return c;
  }
  return 0;
}

export function compareMaven(a: string, b: string): number {
  return compareItems(parseMaven(a), parseMaven(b));
}
