/**
 * Python packages. Installed: `*.dist-info/METADATA` (wheels, pip) and
 * `*.egg-info/PKG-INFO` or a single-file `*.egg-info` (setuptools, distro
 * packages), the core-metadata header (RFC 822 style) of each. Declared:
 * `*requirements*.txt` pins (`name==version`; ranges say nothing exact),
 * poetry.lock and Pipfile.lock; their development groups are left out, as for
 * npm. Names are kept as published; matching normalises them (PEP 503).
 */
import type { BufferCataloger } from '../cataloger.ts';
import type { FactList } from './util.ts';
import { LOCK_FILE_MAX_BYTES, basename, collect, dirname, insideInstalledPackage, isRecord, lines, parseJson, str } from './util.ts';
import { readArrayTables } from './toml-tables.ts';

/** Metadata headers come first; a file bigger than this is the description, which is not read. */
const METADATA_MAX_BYTES = 4 * 1024 * 1024;

/** The core-metadata header fields, up to the first blank line (the description follows it). */
export function parseCoreMetadata(text: string): Map<string, string[]> {
  const fields = new Map<string, string[]>();
  let last: string[] | undefined;
  for (const line of lines(text)) {
    if (line.trim() === '') break;
    if (/^[ \t]/.test(line)) continue; // continuation of a multi-line field (License text, Description)
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    last = fields.get(key);
    if (last === undefined) fields.set(key, [value]);
    else if (last.length < 1000) last.push(value);
  }
  return fields;
}

function licensesOfMetadata(fields: Map<string, string[]>): string[] | undefined {
  // PEP 639 License-Expression first; `License:` is free text (sometimes the whole licence): keep short ones.
  const expr = fields.get('license-expression')?.[0];
  if (expr) return [expr];
  const lic = fields.get('license')?.[0];
  if (lic && lic.length <= 100 && !/^unknown$/i.test(lic)) return [lic];
  const classifiers = (fields.get('classifier') ?? [])
    .filter((c) => c.startsWith('License ::'))
    .map((c) => c.split('::').pop()!.trim())
    .filter((c) => c !== '' && c !== 'OSI Approved');
  return classifiers.length > 0 ? classifiers : undefined;
}

export const pythonDistCataloger: BufferCataloger = {
  name: 'python-dist',
  mode: 'buffer',
  maxBytes: METADATA_MAX_BYTES,
  wants: (f) =>
    (f.path.endsWith('/METADATA') && dirname(f.path).endsWith('.dist-info')) ||
    (f.path.endsWith('/PKG-INFO') && dirname(f.path).endsWith('.egg-info')) ||
    f.path.endsWith('.egg-info'),
  parse(file) {
    const fields = parseCoreMetadata(file.content.toString('utf8'));
    const name = fields.get('name')?.[0];
    const version = fields.get('version')?.[0];
    if (!name || !version) return [];
    const licenses = licensesOfMetadata(fields);
    return [{ type: 'pypi', name, version, ...(licenses ? { licenses } : {}) }];
  },
};

// ---------------------------------------------------------------- requirements

/** `name==1.2`, `name[extra]===1.2 ; python_version<"3.8"  --hash=…`; undefined for anything not an exact pin. */
export function parseRequirementLine(line: string): { name: string; version: string } | undefined {
  const body = line.replace(/(^|\s)#.*$/, '').replace(/\s--?[a-z-]+(=\S+|\s+\S+)?/g, ' ').split(';')[0]!.trim();
  const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*===?\s*([A-Za-z0-9!+._-]+)$/.exec(body);
  if (m === null || m[3]!.includes('*')) return undefined;
  return { name: m[1]!, version: m[3]! };
}

function parseRequirements(text: string, out: FactList): void {
  // Backslash continuations join lines first; option lines (-r, -e, --index-url) are not packages.
  for (const line of lines(text.replace(/\\\r?\n/g, ' '))) {
    const t = line.trim();
    if (t === '' || t.startsWith('-') || t.startsWith('#')) continue;
    const pin = parseRequirementLine(t);
    if (pin) out.add({ type: 'pypi', ...pin });
  }
}

// ---------------------------------------------------------------- poetry.lock, Pipfile.lock

function parsePoetryLock(text: string, out: FactList): void {
  for (const pkg of readArrayTables(text, 'package')) {
    const name = typeof pkg.name === 'string' ? pkg.name : undefined;
    const version = typeof pkg.version === 'string' ? pkg.version : undefined;
    if (!name || !version) continue;
    // Poetry < 1.2 writes `category = "dev"`; later ones `groups = [...]` (dev-only when "main" is absent).
    if (pkg.category === 'dev') continue;
    if (Array.isArray(pkg.groups) && pkg.groups.length > 0 && !pkg.groups.includes('main')) continue;
    out.add({ type: 'pypi', name, version });
  }
}

function parsePipfileLock(doc: unknown, out: FactList): void {
  if (!isRecord(doc)) throw new Error('not a JSON object');
  // "default" is what `pipenv install --deploy` installs; "develop" is the dev group.
  if (!isRecord(doc.default)) return;
  for (const [name, entry] of Object.entries(doc.default)) {
    const version = isRecord(entry) ? str(entry.version) : undefined;
    const pinned = version && /^===?\s*(\S+)$/.exec(version);
    if (pinned) out.add({ type: 'pypi', name, version: pinned[1]! });
  }
}

export const pythonRequirementsCataloger: BufferCataloger = {
  name: 'python-requirements',
  mode: 'buffer',
  maxBytes: LOCK_FILE_MAX_BYTES,
  wants: (f) => f.path.endsWith('.txt') && /requirements[^/]*\.txt$/.test(basename(f.path)) && !insideInstalledPackage(f.path),
  parse: (file, ctx) => collect(file, ctx, (out) => parseRequirements(file.content.toString('utf8'), out)),
};

export const poetryLockCataloger: BufferCataloger = {
  name: 'poetry-lock',
  mode: 'buffer',
  maxBytes: LOCK_FILE_MAX_BYTES,
  wants: (f) => f.path.endsWith('/poetry.lock') && !insideInstalledPackage(f.path),
  parse: (file, ctx) => collect(file, ctx, (out) => parsePoetryLock(file.content.toString('utf8'), out)),
};

export const pipfileLockCataloger: BufferCataloger = {
  name: 'pipfile-lock',
  mode: 'buffer',
  maxBytes: LOCK_FILE_MAX_BYTES,
  wants: (f) => f.path.endsWith('/Pipfile.lock') && !insideInstalledPackage(f.path),
  parse(file, ctx) {
    const doc = parseJson(file, ctx);
    return doc === undefined ? [] : collect(file, ctx, (out) => parsePipfileLock(doc, out));
  },
};
