/**
 * npm-ecosystem lock files: package-lock.json (lockfileVersion 1, 2, 3; also
 * npm-shrinkwrap.json), yarn.lock (classic v1 and berry), pnpm-lock.yaml
 * (lockfile 5.x, 6.x, 9.x). These declare what an install would produce;
 * `language.ts` reconciles them with what is installed in node_modules so a
 * package is not counted twice (see reconcile.ts).
 *
 * Development-only packages are left out, as syft's lock cataloger does by
 * default: a production image built with `npm ci --omit=dev` does not hold them.
 */
import type { BufferCataloger } from '../cataloger.ts';
import type { PackageFact } from '../../types.ts';
import type { FactList } from './util.ts';
import { LOCK_FILE_MAX_BYTES, collect, insideInstalledPackage, isRecord, lines, parseJson, str } from './util.ts';

/** package-lock v1 nests dependencies; deeper than this is not a real tree. */
const MAX_V1_DEPTH = 64;

function isLocalVersion(version: string): boolean {
  return /^(file|link|workspace|portal):/.test(version);
}

// ---------------------------------------------------------------- package-lock.json

/** The package name a v2/v3 `packages` key ends with: `node_modules/a/node_modules/@s/b` → `@s/b`. */
export function nameFromLockPath(key: string): string | undefined {
  const i = key.lastIndexOf('node_modules/');
  if (i < 0) return undefined;
  const name = key.slice(i + 'node_modules/'.length);
  return name === '' ? undefined : name;
}

export function parsePackageLock(doc: unknown, out: FactList): void {
  if (!isRecord(doc)) throw new Error('not a JSON object');
  if (isRecord(doc.packages)) {
    for (const [key, entry] of Object.entries(doc.packages)) {
      // "" is the project itself; keys outside node_modules are workspace sources, linked in.
      if (key === '' || !isRecord(entry) || entry.link === true || entry.dev === true) continue;
      const name = str(entry.name) ?? nameFromLockPath(key);
      const version = str(entry.version);
      if (name === undefined || version === undefined || !key.includes('node_modules/') || isLocalVersion(version)) continue;
      out.add({ type: 'npm', name, version, ...(licenses(entry.license)) });
    }
    return;
  }
  if (isRecord(doc.dependencies)) walkV1(doc.dependencies, out, 0);
}

function walkV1(deps: Record<string, unknown>, out: FactList, depth: number): void {
  if (depth > MAX_V1_DEPTH) throw new Error(`dependencies nested deeper than ${MAX_V1_DEPTH}`);
  for (const [name, entry] of Object.entries(deps)) {
    if (!isRecord(entry)) continue;
    const version = str(entry.version);
    if (version !== undefined && entry.dev !== true && !isLocalVersion(version)) {
      // An alias (`"x": {"version": "npm:real@1.2.3"}`) names the real package.
      const alias = /^npm:(@?[^@]+)@(.+)$/.exec(version);
      out.add(alias ? { type: 'npm', name: alias[1]!, version: alias[2]! } : { type: 'npm', name, version });
    }
    if (isRecord(entry.dependencies)) walkV1(entry.dependencies, out, depth + 1);
  }
}

function licenses(value: unknown): Pick<PackageFact, 'licenses'> {
  const name = str(value);
  return name === undefined ? {} : { licenses: [name] };
}

// ---------------------------------------------------------------- yarn.lock

/** `@scope/name@^1.0.0` → `@scope/name`; `alias@npm:real@^1` → `real`. */
export function nameFromYarnSpec(spec: string): string | undefined {
  const at = spec.indexOf('@', 1);
  if (at < 0) return undefined;
  const name = spec.slice(0, at);
  const range = spec.slice(at + 1);
  if (range.startsWith('npm:') && /^@?[^@]+@/.test(range.slice(4))) return nameFromYarnSpec(range.slice(4));
  return name;
}

function unquote(s: string): string {
  const t = s.trim();
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1) : t;
}

/** Both yarn formats: classic `version "1.2.3"`, berry `version: 1.2.3` + `resolution: "name@npm:1.2.3"`. */
export function parseYarnLock(text: string, out: FactList): void {
  let specs: string[] | undefined;
  let version: string | undefined;
  let resolution: string | undefined;
  const flush = (): void => {
    if (specs === undefined) return;
    const first = resolution ?? specs[0] ?? '';
    // Berry protocols that are not registry packages: the project's workspaces, links, patches of another entry.
    const local = /@(workspace|link|portal|patch|file|exec):/.test(first);
    const name = nameFromYarnSpec(first);
    if (!local && name !== undefined && version !== undefined && !isLocalVersion(version)) {
      out.add({ type: 'npm', name, version });
    }
    specs = undefined;
    version = undefined;
    resolution = undefined;
  };
  for (const line of lines(text)) {
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    if (!line.startsWith(' ')) {
      flush();
      if (!line.endsWith(':') || line.startsWith('__metadata')) continue;
      // Classic quotes each spec (`"a@^1", "a@~1.2"`), berry the whole list (`"a@npm:^1, a@npm:~1.2"`).
      specs = line.slice(0, -1).replaceAll('"', '').split(',').map((s) => s.trim()).filter((s) => s !== '');
      continue;
    }
    if (specs === undefined || line.startsWith('    ')) continue;
    const m = /^ {2}(version|resolution):? +(.+)$/.exec(line);
    if (m) {
      if (m[1] === 'version') version = unquote(m[2]!);
      else resolution = unquote(m[2]!);
    }
  }
  flush();
}

// ---------------------------------------------------------------- pnpm-lock.yaml

/**
 * A `packages` key: v5 `/@scope/name/1.2.3`, v6 `/@scope/name@1.2.3(peer@1)`,
 * v9 `@scope/name@1.2.3`. Returns the name and the version without peer suffixes.
 */
export function parsePnpmKey(key: string, lockVersion: number): { name: string; version: string } | undefined {
  let k = key.replace(/\(.*$/, '');
  if (lockVersion < 6) {
    k = k.replace(/^\//, '').replace(/_.*$/, '');
    const i = k.lastIndexOf('/');
    if (i <= 0) return undefined;
    return { name: k.slice(0, i), version: k.slice(i + 1) };
  }
  k = k.replace(/^\//, '');
  const at = k.indexOf('@', 1);
  if (at < 0) return undefined;
  return { name: k.slice(0, at), version: k.slice(at + 1) };
}

/** What Berth needs of a pnpm lock file, read line by line. */
export interface PnpmLock {
  lockVersion: number;
  /** `packages` keys, with `dev: true` when the entry says so (lockfile 5 and 6). */
  packages: { key: string; dev: boolean }[];
  /** importer → dependency name → version reference (production and optional groups only). */
  importerDeps: [string, string][];
  hasImporters: boolean;
  /** `snapshots` (lockfile 9): key → its dependencies' name → reference. */
  snapshots: Map<string, [string, string][]>;
}

function yamlScalar(s: string): string {
  const t = s.trim();
  if (t.length >= 2 && ((t.startsWith("'") && t.endsWith("'")) || (t.startsWith('"') && t.endsWith('"')))) return t.slice(1, -1);
  return t;
}

/** `key: value` or `key:` of a block-mapping line (its indentation already removed); keys may be quoted. */
function yamlKeyValue(line: string): { key: string; value: string } | undefined {
  const m = /^('(?:[^']|'')*'|"[^"]*"|[^'"\s][^:]*?):(?:\s+(.*))?$/.exec(line);
  return m ? { key: yamlScalar(m[1]!), value: (m[2] ?? '').trim() } : undefined;
}

/**
 * pnpm writes its lock file as plain block YAML with two-space indentation.
 * A general YAML parser took 3.5 s per MiB on hostile input (blank lines), so
 * this reads just the structure Berth needs, in one linear pass: top-level
 * sections, their two-space keys, and the fields and dependency lines below.
 */
export function readPnpmLock(text: string): PnpmLock {
  const lock: PnpmLock = { lockVersion: 5, packages: [], importerDeps: [], hasImporters: false, snapshots: new Map() };
  let section = '';
  let group = '';
  let dep = '';
  let current: { key: string; dev: boolean } | undefined;
  let snapshot: [string, string][] | undefined;
  for (const line of lines(text)) {
    const body = line.trimStart();
    if (body === '' || body.startsWith('#')) continue;
    const indent = line.length - body.length;
    const kv = yamlKeyValue(body);
    if (kv === undefined) continue;
    if (indent === 0) {
      section = kv.key;
      if (section === 'lockfileVersion') lock.lockVersion = Number.parseFloat(yamlScalar(kv.value)) || 5;
      if (section === 'importers') lock.hasImporters = true;
      // Lockfile 5 has a single importer at the top level.
      if (section === 'dependencies' || section === 'optionalDependencies') {
        lock.hasImporters = true;
        group = section;
      }
      continue;
    }
    if (indent === 2) {
      if (section === 'packages') lock.packages.push((current = { key: kv.key, dev: false }));
      else if (section === 'snapshots') lock.snapshots.set(kv.key, (snapshot = []));
      else if (section === 'dependencies' || section === 'optionalDependencies') lock.importerDeps.push([kv.key, yamlScalar(kv.value)]);
      continue;
    }
    if (indent === 4) {
      group = kv.key;
      if (section === 'packages' && kv.key === 'dev' && kv.value === 'true' && current) current.dev = true;
      continue;
    }
    const production = group === 'dependencies' || group === 'optionalDependencies';
    if (indent === 6 && production) {
      dep = kv.key;
      if (section === 'snapshots' && snapshot) snapshot.push([kv.key, yamlScalar(kv.value)]);
      else if (section === 'importers' && kv.value !== '') lock.importerDeps.push([kv.key, yamlScalar(kv.value)]);
    } else if (indent === 8 && section === 'importers' && production && kv.key === 'version') {
      lock.importerDeps.push([dep, yamlScalar(kv.value)]);
    }
  }
  return lock;
}

export function parsePnpmLock(lock: PnpmLock, out: FactList): void {
  const keep = lock.lockVersion >= 9 ? productionKeys(lock) : undefined;
  for (const { key, dev } of lock.packages) {
    const id = parsePnpmKey(key, lock.lockVersion);
    if (id === undefined || dev || isLocalVersion(id.version)) continue;
    if (keep !== undefined && !keep.has(`${id.name}@${id.version}`)) continue;
    out.add({ type: 'npm', name: id.name, version: id.version });
  }
}

/**
 * pnpm 9 no longer marks dev packages: walk `snapshots` from every importer's
 * dependencies and optionalDependencies. Undefined (= keep all) without importers.
 */
function productionKeys(lock: PnpmLock): Set<string> | undefined {
  if (!lock.hasImporters || lock.snapshots.size === 0) return undefined;
  const keep = new Set<string>();
  const queue: string[] = [];
  const push = (name: string, ref: string): void => {
    if (ref === '' || ref.startsWith('link:')) return;
    // A reference is a version (`1.2.3(peer@1)`) or, for aliases, `real@1.2.3`.
    const full = /^@?[^@]+@/.test(ref) && !/^\d/.test(ref) ? ref : `${name}@${ref}`;
    if (!keep.has(full)) queue.push(full);
  };
  for (const [name, ref] of lock.importerDeps) push(name, ref);
  while (queue.length > 0) {
    const full = queue.pop()!;
    if (keep.has(full)) continue;
    const bare = full.replace(/\(.*$/, '');
    keep.add(full);
    keep.add(bare);
    for (const [name, ref] of lock.snapshots.get(full) ?? lock.snapshots.get(bare) ?? []) push(name, ref);
  }
  return keep;
}

// ---------------------------------------------------------------- catalogers

export const npmLockCataloger: BufferCataloger = {
  name: 'npm-lock',
  mode: 'buffer',
  maxBytes: LOCK_FILE_MAX_BYTES,
  wants: (f) => (f.path.endsWith('/package-lock.json') || f.path.endsWith('/npm-shrinkwrap.json')) && !f.path.includes('/node_modules/') && !insideInstalledPackage(f.path),
  parse(file, ctx) {
    const doc = parseJson(file, ctx);
    return doc === undefined ? [] : collect(file, ctx, (out) => parsePackageLock(doc, out));
  },
};

export const yarnLockCataloger: BufferCataloger = {
  name: 'yarn-lock',
  mode: 'buffer',
  maxBytes: LOCK_FILE_MAX_BYTES,
  wants: (f) => f.path.endsWith('/yarn.lock') && !f.path.includes('/node_modules/') && !insideInstalledPackage(f.path),
  parse: (file, ctx) => collect(file, ctx, (out) => parseYarnLock(file.content.toString('utf8'), out)),
};

export const pnpmLockCataloger: BufferCataloger = {
  name: 'pnpm-lock',
  mode: 'buffer',
  maxBytes: LOCK_FILE_MAX_BYTES,
  wants: (f) => f.path.endsWith('/pnpm-lock.yaml') && !f.path.includes('/node_modules/') && !insideInstalledPackage(f.path),
  parse: (file, ctx) => collect(file, ctx, (out) => parsePnpmLock(readPnpmLock(file.content.toString('utf8')), out)),
};
