/**
 * RubyGems versions, as Gem::Version orders them: the string (with `-`
 * meaning `.pre.`) is split into numeric and letter segments
 * (`1.0.0.rc1` → 1, 0, 0, "rc", 1); trailing zeros of the numeric part and of
 * the part after the first letter segment are dropped; segments compare in
 * turn, a missing one as 0, numbers as numbers, letters as strings, and a
 * letter segment lower than a number (so any version with letters is a
 * pre-release: `1.0.a < 1.0`).
 */
import { InvalidVersionError, checkLength, compareAscii, compareDigits } from './common.ts';

const GEM_VERSION = /^[0-9]+(?:\.[0-9a-zA-Z]+)*(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

type Segment = string; // digits or letters

export function canonicalGemSegments(version: string): Segment[] {
  checkLength('rubygems', version);
  const v = version.trim();
  if (!GEM_VERSION.test(v)) throw new InvalidVersionError('rubygems', version, 'not a Gem::Version');
  const segments = v.replaceAll('-', '.pre.').match(/[0-9]+|[a-z]+/gi) ?? [];
  const firstLetter = segments.findIndex((s) => !/^\d/.test(s));
  const parts = firstLetter < 0 ? [segments] : [segments.slice(0, firstLetter), segments.slice(firstLetter)];
  return parts.flatMap((p) => {
    const q = [...p];
    while (q.length > 0 && /^0+$/.test(q[q.length - 1]!)) q.pop();
    return q;
  });
}

export function compareRubygems(a: string, b: string): number {
  const x = canonicalGemSegments(a);
  const y = canonicalGemSegments(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const l = x[i] ?? '0';
    const r = y[i] ?? '0';
    const ln = /^\d/.test(l);
    const rn = /^\d/.test(r);
    if (ln && rn) {
      const c = compareDigits(l, r);
      if (c !== 0) return c;
    } else if (!ln && rn) return -1;
    else if (ln && !rn) return 1;
    else if (l !== r) return compareAscii(l, r);
  }
  return 0;
}
