/**
 * Alpine secdb JSON (`{distroversion, reponame, packages: [{pkg: {name,
 * secfixes: {"<fixed version>": ["CVE-…", …]}}}]}`). Names are apk origin
 * (source) packages. Secdb lists fixes only: each id under a version is
 * fixed there (introduced 0, fixed V); the key "0" means the package was
 * never affected. Values may carry words besides the ids
 * (`"CVE-2017-2616 (+ regression fix)"`, `"CVE-… GHSA-…"`), so each value is
 * tokenised and only tokens shaped like advisory ids are kept.
 *
 * One Advisory per id (CVE, XSA, TALOS …) naming every package it fixes in
 * the file's release (`Alpine:v3.10`, as OSV writes it).
 */
import type { Advisory, AffectedPackage } from '../types.ts';
import { MAX_AFFECTED, VulnDataError, fixedRange, packageName, version, type ImportLimits } from './records.ts';

/**
 * `CVE-2019-1234`, `XSA-300`, `TALOS-2017-0001`, `GHSA-xxxx-xxxx-xxxx` at the
 * start of a token; what follows (`CVE-2019-19451.patch`, a patch file named
 * after the id) is dropped.
 */
const TOKEN_ID = /^[A-Z][A-Z0-9]{1,15}-[0-9A-Za-z]+(?:-[0-9A-Za-z]+)*(?![\w-])/;

export interface SecdbFile {
  /** `v3.10` */
  release: string;
  /** `main`, `community` */
  repository: string;
  advisories: Advisory[];
}

/** The advisory ids a secfixes value names, e.g. `"CVE-2017-2616 (+ regression fix)"` → `["CVE-2017-2616"]`. */
export function secfixIds(value: unknown): string[] {
  if (typeof value !== 'string') return [];
  const out: string[] = [];
  for (const raw of value.split(/\s+/)) {
    const token = TOKEN_ID.exec(raw.replace(/^[([{"',;:]+/, ''))?.[0];
    if (token && token.length <= 128 && !out.includes(token)) out.push(token);
  }
  return out;
}

function obj(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

export function parseAlpineSecdb(doc: unknown, source: string, limits: ImportLimits): SecdbFile {
  const d = obj(doc);
  const release = typeof d?.distroversion === 'string' ? d.distroversion : undefined;
  if (!d || !release || !/^v\d+\.\d+$|^edge$/.test(release)) throw new VulnDataError('not an Alpine secdb file: `distroversion` (v3.N) is missing');
  const repository = typeof d.reponame === 'string' && /^[a-z0-9_-]{1,64}$/.test(d.reponame) ? d.reponame : 'main';
  const ecosystem = `Alpine:${release}`;
  const packages = d.packages === null || d.packages === undefined ? [] : d.packages;
  if (!Array.isArray(packages)) throw new VulnDataError('Alpine secdb: `packages` must be a list');
  const byId = new Map<string, AffectedPackage[]>();
  for (const [i, entry] of packages.entries()) {
    const pkg = obj(obj(entry)?.pkg);
    const where = `packages[${i}]`;
    if (!pkg) throw new VulnDataError(`${where}: a {pkg: {name, secfixes}} object is expected`);
    const name = packageName(pkg.name, where);
    const secfixes = obj(pkg.secfixes) ?? {};
    for (const [fixed, ids] of Object.entries(secfixes)) {
      const notAffected = fixed === '0';
      if (!notAffected) version(fixed, `${where} (${name})`);
      for (const id of Array.isArray(ids) ? ids.flatMap(secfixIds) : []) {
        const affected: AffectedPackage = notAffected
          ? { ecosystem, name, ranges: [], versions: [], status: 'not_affected' }
          : { ecosystem, name, ranges: fixedRange(fixed), versions: [], status: 'affected' };
        const list = byId.get(id) ?? [];
        if (list.length >= MAX_AFFECTED) throw new VulnDataError(`${id}: more than ${MAX_AFFECTED} package entries`);
        list.push(affected);
        byId.set(id, list);
        if (byId.size > limits.maxRecords) throw new VulnDataError(`more than ${limits.maxRecords} advisories`);
      }
    }
  }
  const advisories = [...byId].map(([id, affected]): Advisory => ({ id, source, aliases: [], severity: [], references: [], affected }));
  return { release, repository, advisories };
}
