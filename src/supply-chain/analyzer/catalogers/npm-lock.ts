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
import { parse as parseYaml } from 'yaml';
import type { BufferCataloger, CatalogContext, FileRef } from '../cataloger.ts';
import type { PackageFact } from '../../types.ts';
import { FactList, LOCK_FILE_MAX_BYTES, basename, isRecord, parseJson, str } from './util.ts';

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
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    if (!line.startsWith(' ')) {
      flush();
      if (!line.endsWith(':') || line.startsWith('__metadata')) continue;
      specs = line.slice(0, -1).split(',').map(unquote).filter((s) => s !== '');
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

export function parsePnpmLock(doc: unknown, out: FactList): void {
  if (!isRecord(doc)) throw new Error('not a YAML mapping');
  const raw = doc.lockfileVersion;
  const lockVersion = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number.parseFloat(raw) : 5;
  if (!isRecord(doc.packages)) return;
  const keep = lockVersion >= 9 ? productionKeys(doc) : undefined;
  for (const [key, entry] of Object.entries(doc.packages)) {
    const id = parsePnpmKey(key, lockVersion);
    if (id === undefined || isLocalVersion(id.version)) continue;
    if (isRecord(entry) && entry.dev === true) continue;
    if (keep !== undefined && !keep.has(`${id.name}@${id.version}`)) continue;
    out.add({ type: 'npm', name: id.name, version: id.version });
  }
}

/**
 * pnpm 9 no longer marks dev packages: walk `snapshots` from every importer's
 * dependencies and optionalDependencies. Undefined (= keep all) without importers.
 */
function productionKeys(doc: Record<string, unknown>): Set<string> | undefined {
  if (!isRecord(doc.importers) || !isRecord(doc.snapshots)) return undefined;
  const snapshots = doc.snapshots;
  const keep = new Set<string>();
  const queue: string[] = [];
  const push = (name: string, ref: unknown): void => {
    const v = isRecord(ref) ? str(ref.version) : str(ref);
    if (v === undefined || v.startsWith('link:')) return;
    // A reference is a version (`1.2.3(peer@1)`) or, for aliases, `real@1.2.3`.
    const full = /^@?[^@]+@/.test(v) && !/^\d/.test(v) ? v : `${name}@${v}`;
    if (!keep.has(full)) queue.push(full);
  };
  for (const importer of Object.values(doc.importers)) {
    if (!isRecord(importer)) continue;
    for (const group of [importer.dependencies, importer.optionalDependencies]) {
      if (isRecord(group)) for (const [name, ref] of Object.entries(group)) push(name, ref);
    }
  }
  while (queue.length > 0) {
    const full = queue.pop()!;
    const bare = full.replace(/\(.*$/, '');
    if (keep.has(full)) continue;
    keep.add(full);
    keep.add(bare);
    const snap = snapshots[full] ?? snapshots[bare];
    if (!isRecord(snap)) continue;
    for (const group of [snap.dependencies, snap.optionalDependencies]) {
      if (isRecord(group)) for (const [name, ref] of Object.entries(group)) push(name, ref);
    }
  }
  return keep;
}

// ---------------------------------------------------------------- catalogers

function run(file: FileRef & { content: Buffer }, ctx: CatalogContext, fn: (out: FactList) => void): PackageFact[] {
  const out = new FactList();
  try {
    fn(out);
  } catch (err) {
    ctx.skip(file.path, `malformed ${basename(file.path)}: ${(err as Error).message.slice(0, 200)}`);
    return [];
  }
  return out.done(file.path, ctx);
}

export const npmLockCataloger: BufferCataloger = {
  name: 'npm-lock',
  mode: 'buffer',
  maxBytes: LOCK_FILE_MAX_BYTES,
  wants: (f) => !f.path.includes('/node_modules/') && /\/(package-lock|npm-shrinkwrap)\.json$/.test(f.path),
  parse(file, ctx) {
    const doc = parseJson(file, ctx);
    return doc === undefined ? [] : run(file, ctx, (out) => parsePackageLock(doc, out));
  },
};

export const yarnLockCataloger: BufferCataloger = {
  name: 'yarn-lock',
  mode: 'buffer',
  maxBytes: LOCK_FILE_MAX_BYTES,
  wants: (f) => !f.path.includes('/node_modules/') && f.path.endsWith('/yarn.lock'),
  parse: (file, ctx) => run(file, ctx, (out) => parseYarnLock(file.content.toString('utf8'), out)),
};

export const pnpmLockCataloger: BufferCataloger = {
  name: 'pnpm-lock',
  mode: 'buffer',
  maxBytes: LOCK_FILE_MAX_BYTES,
  wants: (f) => !f.path.includes('/node_modules/') && f.path.endsWith('/pnpm-lock.yaml'),
  parse: (file, ctx) =>
    run(file, ctx, (out) => {
      // Aliases are YAML's expansion bomb: a lock file has no reason to use them.
      parsePnpmLock(parseYaml(file.content.toString('utf8'), { maxAliasCount: 0, uniqueKeys: false }), out);
    }),
};
