/**
 * Comparing live objects with desired ones. The engine computes the desired
 * side by a server-side dry-run apply, so both sides carry the server's
 * defaults and the merge with fields other managers own; what remains to do
 * here is to drop what always differs (status, bookkeeping metadata), apply
 * the application's ignoreDifferences (JSON pointers and fields owned by
 * named field managers, walked through managedFields[].fieldsV1) and compare
 * semantically. The readable diff is a unified diff of sorted-key YAML;
 * Secret values are masked in it (the comparison uses the real values).
 */
import { createHash } from 'node:crypto';
import { createTwoFilesPatch } from 'diff';
import { stringify as toYaml } from 'yaml';
import type { IgnoreDifference, KubeObject, ResourceDiff, ResourceKey } from '../types.ts';

type JsonObject = Record<string, unknown>;

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const DROPPED_METADATA = ['managedFields', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'selfLink', 'deletionTimestamp', 'deletionGracePeriodSeconds'];

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The group of an apiVersion: '' for `v1`, `apps` for `apps/v1`. */
export function groupOf(apiVersion: string): string {
  const i = apiVersion.indexOf('/');
  return i < 0 ? '' : apiVersion.slice(0, i);
}

export function resourceKeyOf(obj: KubeObject): ResourceKey {
  return { group: groupOf(obj.apiVersion ?? ''), kind: obj.kind, namespace: obj.metadata?.namespace ?? '', name: obj.metadata?.name ?? '' };
}

/** `group/kind/namespace/name` (Argo CD's resource key format). */
export function keyString(key: ResourceKey): string {
  return `${key.group}/${key.kind}/${key.namespace}/${key.name}`;
}

function deepClone<T>(v: T): T {
  return structuredClone(v);
}

/** Semantic equality of JSON values: key order does not matter, absent equals undefined. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    if (ka.length !== kb.length) return false;
    for (const k of ka) if (!deepEqual(a[k], b[k])) return false;
    return true;
  }
  return false;
}

/** JSON with object keys sorted at every level: equal objects give equal text. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map((x) => canonicalJson(x === undefined ? null : x)).join(',')}]`;
  if (isObject(v)) {
    const keys = Object.keys(v)
      .filter((k) => v[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k])}`).join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}

/** Stable sha256 (hex) of an object's canonical JSON. */
export function specFingerprint(obj: unknown): string {
  return createHash('sha256').update(canonicalJson(obj)).digest('hex');
}

// ---------------------------------------------------------------- ignoreDifferences

function globMatch(pattern: string, value: string): boolean {
  if (pattern === '*' || pattern === value) return true;
  if (!pattern.includes('*')) return false;
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return re.test(value);
}

/** The ignoreDifferences entries that apply to `key`. */
export function matchingIgnores(key: ResourceKey, ignore: readonly IgnoreDifference[]): IgnoreDifference[] {
  return ignore.filter(
    (i) =>
      globMatch(i.group ?? '', key.group) &&
      globMatch(i.kind, key.kind) &&
      (i.name === undefined || i.name === '' || globMatch(i.name, key.name)) &&
      (i.namespace === undefined || i.namespace === '' || globMatch(i.namespace, key.namespace)),
  );
}

/** Splits an RFC 6901 pointer into unescaped tokens (`~1` → `/`, then `~0` → `~`). */
export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new Error(`not a JSON pointer: ${pointer}`);
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Removes the value at `pointer`; a pointer into nothing does nothing. */
export function removePointer(root: unknown, pointer: string): void {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return;
  let cur: unknown = root;
  for (let i = 0; i < tokens.length - 1; i++) {
    const t = tokens[i]!;
    if (Array.isArray(cur)) cur = /^\d+$/.test(t) ? cur[Number(t)] : undefined;
    else if (isObject(cur)) cur = cur[t];
    else return;
  }
  const last = tokens[tokens.length - 1]!;
  if (Array.isArray(cur)) {
    if (/^\d+$/.test(last) && Number(last) < cur.length) cur.splice(Number(last), 1);
  } else if (isObject(cur)) delete cur[last];
}

// ---------------------------------------------------------------- fieldsV1

function isLeaf(tree: JsonObject): boolean {
  return Object.keys(tree).every((k) => k === '.');
}

function subtreeOf(v: unknown): JsonObject {
  return isObject(v) ? v : {};
}

/**
 * Removes from `target` the fields a managedFields `fieldsV1` set names:
 * `f:<field>` (map fields), `k:{...}` (list items identified by their merge
 * keys), `v:<json>` (set items by value) and `i:<index>`. Containers left
 * empty by the removal are removed too. A list item keeps its key fields
 * while other fields of it remain (they identify it) and goes when only
 * they remain.
 */
export function removeFieldsV1(target: unknown, fieldsV1: unknown): void {
  if (isObject(target)) removeFromObject(target, subtreeOf(fieldsV1));
  else if (Array.isArray(target)) removeFromList(target, subtreeOf(fieldsV1));
}

function removeFromObject(obj: JsonObject, tree: JsonObject): void {
  for (const [k, sub] of Object.entries(tree)) {
    if (!k.startsWith('f:')) continue;
    const field = k.slice(2);
    if (!(field in obj)) continue;
    const subtree = subtreeOf(sub);
    const child = obj[field];
    if (isLeaf(subtree)) {
      delete obj[field];
    } else if (isObject(child)) {
      removeFromObject(child, subtree);
      if (Object.keys(child).length === 0) delete obj[field];
    } else if (Array.isArray(child)) {
      removeFromList(child, subtree);
      if (child.length === 0) delete obj[field];
    } else {
      delete obj[field];
    }
  }
}

function removeFromList(list: unknown[], tree: JsonObject): void {
  const drop = new Set<number>();
  for (const [k, sub] of Object.entries(tree)) {
    const subtree = subtreeOf(sub);
    if (k.startsWith('k:')) {
      let keyFields: JsonObject;
      try {
        const parsed: unknown = JSON.parse(k.slice(2));
        if (!isObject(parsed)) continue;
        keyFields = parsed;
      } catch {
        continue;
      }
      const idx = list.findIndex((item, i) => !drop.has(i) && isObject(item) && Object.entries(keyFields).every(([f, v]) => deepEqual(item[f], v)));
      if (idx < 0) continue;
      const item = list[idx] as JsonObject;
      if (isLeaf(subtree)) {
        drop.add(idx);
        continue;
      }
      const nonKey = Object.fromEntries(Object.entries(subtree).filter(([f]) => !(f.startsWith('f:') && f.slice(2) in keyFields)));
      removeFromObject(item, nonKey);
      if (Object.keys(item).every((f) => f in keyFields)) drop.add(idx);
    } else if (k.startsWith('v:')) {
      let value: unknown;
      try {
        value = JSON.parse(k.slice(2));
      } catch {
        continue;
      }
      const idx = list.findIndex((item, i) => !drop.has(i) && deepEqual(item, value));
      if (idx >= 0) drop.add(idx);
    } else if (k.startsWith('i:')) {
      const idx = Number(k.slice(2));
      if (!Number.isInteger(idx) || idx < 0 || idx >= list.length) continue;
      const item = list[idx];
      if (isLeaf(subtree) || !(isObject(item) || Array.isArray(item))) drop.add(idx);
      else {
        removeFieldsV1(item, subtree);
        if ((isObject(item) && Object.keys(item).length === 0) || (Array.isArray(item) && item.length === 0)) drop.add(idx);
      }
    }
  }
  for (const i of [...drop].sort((a, b) => b - a)) list.splice(i, 1);
}

// ---------------------------------------------------------------- normalize

export interface NormalizeOptions {
  /**
   * Whose managedFields decide which fields `managedFieldsManagers` own
   * (default: the object itself). diffObjects passes the live object for
   * both sides: a forced dry-run apply moves ownership to berth, so the
   * desired side alone would no longer show the other manager's fields.
   */
  managedFieldsFrom?: KubeObject;
}

/**
 * A copy of `obj` without status, server bookkeeping metadata and the
 * last-applied annotation, with the matching ignoreDifferences removed.
 */
export function normalize(obj: KubeObject, ignore: readonly IgnoreDifference[], options: NormalizeOptions = {}): KubeObject {
  const out = deepClone(obj);
  const matching = matchingIgnores(resourceKeyOf(obj), ignore);
  const managers = new Set(matching.flatMap((i) => i.managedFieldsManagers ?? []));
  if (managers.size > 0) {
    const source = options.managedFieldsFrom ?? obj;
    for (const entry of (source.metadata?.managedFields ?? [])) {
      if (entry.manager !== undefined && managers.has(entry.manager) && entry.fieldsV1) removeFieldsV1(out, entry.fieldsV1);
    }
  }
  for (const i of matching) for (const p of i.jsonPointers ?? []) removePointer(out, p);

  delete out.status;
  const meta: JsonObject = isObject(out.metadata) ? out.metadata : {};
  out.metadata = meta as KubeObject['metadata'];
  for (const f of DROPPED_METADATA) delete meta[f];
  if (isObject(meta.annotations)) {
    delete meta.annotations[LAST_APPLIED];
    if (Object.keys(meta.annotations).length === 0) delete meta.annotations;
  }
  if (isObject(meta.labels) && Object.keys(meta.labels).length === 0) delete meta.labels;
  return out;
}

// ---------------------------------------------------------------- diff

/** Masks Secret values (`data`, `stringData`): equal values get equal masks, changed ones different masks. */
function maskSecrets(live: KubeObject | undefined, desired: KubeObject | undefined): [KubeObject | undefined, KubeObject | undefined] {
  const isSecret = (o: KubeObject | undefined) => o !== undefined && o.kind === 'Secret' && groupOf(o.apiVersion) === '';
  if (!isSecret(live) && !isSecret(desired)) return [live, desired];
  const l = live ? deepClone(live) : undefined;
  const d = desired ? deepClone(desired) : undefined;
  for (const field of ['data', 'stringData']) {
    const lv = l && isObject(l[field]) ? (l[field]) : undefined;
    const dv = d && isObject(d[field]) ? (d[field]) : undefined;
    for (const k of new Set([...Object.keys(lv ?? {}), ...Object.keys(dv ?? {})])) {
      const same = lv?.[k] === dv?.[k];
      if (lv && k in lv) lv[k] = '++++++++';
      if (dv && k in dv) dv[k] = same ? '++++++++' : '+++++++++';
    }
  }
  return [l, d];
}

function yamlOf(obj: KubeObject | undefined): string {
  return obj === undefined ? '' : toYaml(obj, { sortMapEntries: true, lineWidth: 0 });
}

/** A unified diff of two objects' YAML, Secret values masked. */
export function unifiedDiff(key: ResourceKey, live: KubeObject | undefined, desired: KubeObject | undefined): string {
  const [l, d] = maskSecrets(live, desired);
  const name = `${key.group ? `${key.group}/` : ''}${key.kind}/${key.namespace ? `${key.namespace}/` : ''}${key.name}`;
  const patch = createTwoFilesPatch(`live/${name}`, `desired/${name}`, yamlOf(l), yamlOf(d), undefined, undefined, { context: 3 });
  // Drop the "Index:"/"====" banner lines; keep ---/+++ and the hunks.
  return patch
    .split('\n')
    .filter((line, i) => !(i < 2 && (line.startsWith('Index:') || /^=+$/.test(line))))
    .join('\n');
}

/**
 * Compares the live object with the desired one (the dry-run apply result):
 * absent live → OutOfSync 'missing', absent desired → OutOfSync 'extra'
 * (a prune candidate), else equality of the normalized forms.
 */
export function diffObjects(key: ResourceKey, live: KubeObject | undefined, desiredDryRun: KubeObject | undefined, ignore: readonly IgnoreDifference[]): ResourceDiff {
  if (live === undefined && desiredDryRun === undefined) return { key, state: 'Synced', diff: '' };
  const nl = live === undefined ? undefined : normalize(live, ignore);
  const nd = desiredDryRun === undefined ? undefined : normalize(desiredDryRun, ignore, live ? { managedFieldsFrom: live } : {});
  if (nl === undefined) return { key, state: 'OutOfSync', reason: 'missing', diff: unifiedDiff(key, undefined, nd) };
  if (nd === undefined) return { key, state: 'OutOfSync', reason: 'extra', diff: unifiedDiff(key, nl, undefined) };
  if (deepEqual(nl, nd)) return { key, state: 'Synced', diff: '' };
  return { key, state: 'OutOfSync', reason: 'changed', diff: unifiedDiff(key, nl, nd) };
}
