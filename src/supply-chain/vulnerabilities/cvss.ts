/**
 * CVSS base scores from vectors, computed by ae-cvss-calculator (the
 * {metæffekt} implementation of FIRST's v2, v3.0, v3.1 and v4.0
 * specifications). Vectors come from outside (advisories), so they are
 * checked first: bounded length, a known prefix, every base metric present
 * exactly once; anything else is "no score", never an exception.
 */
import calculator from 'ae-cvss-calculator';
import type { Advisory } from '../types.ts';
import { severityOfScore } from './severity.ts';

export interface CvssScore {
  version: '2.0' | '3.0' | '3.1' | '4.0';
  score: number;
  vector: string;
}

const MAX_VECTOR = 512;

const BASE_METRICS: Record<CvssScore['version'], string[]> = {
  '2.0': ['AV', 'AC', 'Au', 'C', 'I', 'A'],
  '3.0': ['AV', 'AC', 'PR', 'UI', 'S', 'C', 'I', 'A'],
  '3.1': ['AV', 'AC', 'PR', 'UI', 'S', 'C', 'I', 'A'],
  '4.0': ['AV', 'AC', 'AT', 'PR', 'UI', 'VC', 'VI', 'VA', 'SC', 'SI', 'SA'],
};

function versionOf(vector: string): CvssScore['version'] | undefined {
  if (vector.startsWith('CVSS:3.1/')) return '3.1';
  if (vector.startsWith('CVSS:3.0/')) return '3.0';
  if (vector.startsWith('CVSS:4.0/')) return '4.0';
  // v2 vectors carry no prefix (NVD sometimes wraps them in parentheses).
  if (/^\(?AV:[LAN]\//.test(vector)) return '2.0';
  return undefined;
}

/** The base score of one vector; undefined when it is not a complete, well-formed vector. */
export function cvssScore(vector: string): CvssScore | undefined {
  const v = vector.trim();
  if (v.length === 0 || v.length > MAX_VECTOR) return undefined;
  const version = versionOf(v);
  if (!version) return undefined;
  const body = version === '2.0' ? v.replace(/^\(|\)$/g, '') : v.slice('CVSS:3.1/'.length);
  const seen = new Set<string>();
  for (const part of body.split('/')) {
    const m = /^([A-Za-z]{1,3}):([A-Za-z]{1,3})$/.exec(part);
    if (!m || seen.has(m[1]!)) return undefined;
    seen.add(m[1]!);
  }
  if (!BASE_METRICS[version].every((k) => seen.has(k))) return undefined;
  try {
    const input = version === '2.0' ? body : v;
    const calc =
      version === '2.0'
        ? new calculator.Cvss2(input)
        : version === '3.0'
          ? new calculator.Cvss3P0(input)
          : version === '3.1'
            ? new calculator.Cvss3P1(input)
            : new calculator.Cvss4P0(input);
    const score = calc.calculateScores().base;
    if (typeof score !== 'number' || !Number.isFinite(score) || score < 0 || score > 10) return undefined;
    return { version, score, vector: v };
  } catch {
    return undefined;
  }
}

const VERSION_PREFERENCE: CvssScore['version'][] = ['3.1', '3.0', '4.0', '2.0'];

/**
 * Every score an advisory's vectors give, and the one to show: v3.1, else
 * v3.0, else v4.0, else v2 — v3 is what NVD and Harbor users compare.
 */
export function advisoryCvss(severity: Advisory['severity']): { shown?: CvssScore; all: CvssScore[] } {
  const all = severity.map((s) => cvssScore(s.score)).filter((s): s is CvssScore => s !== undefined);
  for (const version of VERSION_PREFERENCE) {
    const shown = all.find((s) => s.version === version);
    if (shown) return { shown, all };
  }
  return { all };
}

export { severityOfScore };
