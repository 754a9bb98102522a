/**
 * Recall and precision of Berth's inventory against syft's, per ecosystem,
 * by package URL identity (see purlIdentity). Used by the accuracy suite and
 * by `npm run bench:scan`.
 *
 * Out of scope: syft packages whose purl type is none of Berth's package
 * types (syft's binary classifiers report `pkg:generic/...`, e.g. a Python or
 * Node.js interpreter recognised by its bytes) and syft packages without a
 * purl. They are counted and listed, not compared.
 */
import { PACKAGE_TYPES } from '../../src/supply-chain/types.ts';
import { ecosystemOfPurl, purlIdentity } from './syft.ts';

export interface EcosystemAccuracy {
  berth: number;
  syft: number;
  both: number;
  recall: number;
  precision: number;
  /** In syft's inventory, not in Berth's. */
  missed: string[];
  /** In Berth's inventory, not in syft's. */
  extra: string[];
}

export interface Accuracy {
  image: string;
  ecosystems: Record<string, EcosystemAccuracy>;
  /** syft packages not compared, and why. */
  outOfScope: string[];
}

/** The ecosystems each test image must contain (so a cataloger that finds nothing cannot pass). */
export const EXPECTED_ECOSYSTEMS: Record<string, string[]> = {
  debian: ['os'],
  python: ['pypi'],
  node: ['npm'],
  go: ['golang'],
  java: ['maven'],
  rust: ['cargo'],
};

function identities(purls: string[], outOfScope?: string[]): Map<string, Set<string>> {
  const by = new Map<string, Set<string>>();
  for (const purl of purls) {
    const type = /^pkg:([^/]+)\//.exec(purl)?.[1]?.toLowerCase();
    let id = purl ? purlIdentity(purl) : undefined;
    if (!type || !(PACKAGE_TYPES as readonly string[]).includes(type)) {
      outOfScope?.push(purl || '(no purl)');
      continue;
    }
    // A purl the spec's own library refuses matches nothing: it counts against the side that wrote it.
    id ??= { ecosystem: ecosystemOfPurl(type), key: `(invalid purl) ${purl}` };
    let set = by.get(id.ecosystem);
    if (!set) by.set(id.ecosystem, (set = new Set()));
    set.add(id.key);
  }
  return by;
}

function measure(berth: Set<string>, syft: Set<string>): EcosystemAccuracy {
  const missed = [...syft].filter((k) => !berth.has(k)).sort();
  const extra = [...berth].filter((k) => !syft.has(k)).sort();
  const both = syft.size - missed.length;
  return {
    berth: berth.size,
    syft: syft.size,
    both,
    recall: syft.size ? both / syft.size : 1,
    precision: berth.size ? both / berth.size : 1,
    missed,
    extra,
  };
}

/** Compares one image's package URLs (Berth's, syft's). */
export function compareInventories(image: string, berthPurls: string[], syftPurls: string[]): Accuracy {
  const outOfScope: string[] = [];
  const b = identities(berthPurls);
  const s = identities(syftPurls, outOfScope);
  const ecosystems: Record<string, EcosystemAccuracy> = {};
  for (const eco of new Set([...b.keys(), ...s.keys()])) ecosystems[eco] = measure(b.get(eco) ?? new Set(), s.get(eco) ?? new Set());
  return { image, ecosystems, outOfScope };
}

/** Sums several images' comparisons per ecosystem (counts add up; lists are prefixed with the image). */
compareInventories.combine = (all: Accuracy[]): Accuracy => {
  const ecosystems: Record<string, EcosystemAccuracy> = {};
  for (const a of all) {
    for (const [eco, e] of Object.entries(a.ecosystems)) {
      const t = (ecosystems[eco] ??= { berth: 0, syft: 0, both: 0, recall: 1, precision: 1, missed: [], extra: [] });
      t.berth += e.berth;
      t.syft += e.syft;
      t.both += e.both;
      t.missed.push(...e.missed.map((k) => `${a.image}:${k}`));
      t.extra.push(...e.extra.map((k) => `${a.image}:${k}`));
    }
  }
  for (const e of Object.values(ecosystems)) {
    e.recall = e.syft ? e.both / e.syft : 1;
    e.precision = e.berth ? e.both / e.berth : 1;
  }
  return { image: 'all', ecosystems, outOfScope: all.flatMap((a) => a.outOfScope.map((p) => `${a.image}:${p}`)) };
};

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

/** A text table (one row per image and ecosystem) followed by every difference. */
export function formatAccuracy(all: Accuracy[]): string {
  const lines = [`${'image'.padEnd(8)} ${'ecosystem'.padEnd(9)} ${'berth'.padStart(6)} ${'syft'.padStart(6)} ${'both'.padStart(6)} ${'recall'.padStart(8)} ${'precision'.padStart(10)}`];
  for (const a of all) {
    for (const [eco, e] of Object.entries(a.ecosystems).sort()) {
      lines.push(`${a.image.padEnd(8)} ${eco.padEnd(9)} ${String(e.berth).padStart(6)} ${String(e.syft).padStart(6)} ${String(e.both).padStart(6)} ${pct(e.recall).padStart(8)} ${pct(e.precision).padStart(10)}`);
    }
  }
  for (const a of all) {
    if (a.image === 'all') continue;
    for (const [eco, e] of Object.entries(a.ecosystems)) {
      for (const k of e.missed) lines.push(`  ${a.image} ${eco}: only syft:  ${k}`);
      for (const k of e.extra) lines.push(`  ${a.image} ${eco}: only Berth: ${k}`);
    }
    for (const p of a.outOfScope) lines.push(`  ${a.image}: not compared (not a Berth package type): ${p}`);
  }
  return `${lines.join('\n')}\n`;
}
