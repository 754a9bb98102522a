/**
 * Application and AppProject documents from YAML files (multi-document),
 * for app-of-apps style bootstrapping and `berth app apply -f`. Every
 * document is validated; errors name the file, the document and the field.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { AuditContext } from '../../audit/audited.ts';
import { appProjectSchema, applicationSchema, type AppProject, type Application } from '../model.ts';
import type { DeliveryPolicyStore } from './policy.ts';
import type { ApplicationStore } from './store.ts';
import { DomainError } from '../../core/errors.ts';

export type ManifestDoc =
  | { kind: 'Application'; file: string; index: number; doc: Application }
  | { kind: 'AppProject'; file: string; index: number; doc: AppProject };

/** A manifest file Berth cannot load: the caller's input, so `invalid`. */
export class ManifestError extends DomainError {
  constructor(message: string) {
    super('invalid', message);
    this.name = 'ManifestError';
  }
}

const MAX_FILE_BYTES = 4 * 1024 * 1024;

/** The YAML files of `dir` (recursively, in path order), or `dir` itself when it is a file. */
async function yamlFiles(target: string): Promise<string[]> {
  const st = await stat(target).catch(() => undefined);
  if (!st) throw new ManifestError(`${target}: no such file or directory`);
  if (st.isFile()) return [target];
  const entries = await readdir(target, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && /\.ya?ml$/i.test(e.name))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

/** Parses every YAML file in `dir` (or the file `dir`) into validated documents. */
export async function loadManifests(dir: string): Promise<ManifestDoc[]> {
  const out: ManifestDoc[] = [];
  for (const file of await yamlFiles(dir)) {
    const st = await stat(file);
    if (st.size > MAX_FILE_BYTES) throw new ManifestError(`${file}: larger than ${MAX_FILE_BYTES} bytes`);
    out.push(...parseManifests(await readFile(file, 'utf8'), file));
  }
  return out;
}

/** Parses one YAML text (multi-document); `file` names it in errors. */
export function parseManifests(text: string, file: string): ManifestDoc[] {
  const out: ManifestDoc[] = [];
  const docs = parseAllDocuments(text);
  const list = Array.isArray(docs) ? docs : [docs];
  list.forEach((d, i) => {
    const where = list.length > 1 ? `${file} (document ${i + 1})` : file;
    if (d.errors.length > 0) throw new ManifestError(`${where}: ${d.errors[0]!.message}`);
    const value: unknown = d.toJS({ maxAliasCount: 100 });
    if (value === null || value === undefined) return;
    if (typeof value !== 'object' || Array.isArray(value)) throw new ManifestError(`${where}: not a YAML mapping`);
    const kind = (value as { kind?: unknown }).kind;
    if (kind === 'Application') {
      const r = applicationSchema.safeParse(value);
      if (!r.success) throw new ManifestError(`${where}: ${issues(r.error.issues)}`);
      out.push({ kind: 'Application', file, index: i, doc: r.data });
    } else if (kind === 'AppProject') {
      const r = appProjectSchema.safeParse(value);
      if (!r.success) throw new ManifestError(`${where}: ${issues(r.error.issues)}`);
      out.push({ kind: 'AppProject', file, index: i, doc: r.data });
    } else {
      throw new ManifestError(`${where}: kind ${JSON.stringify(kind ?? null)} is not Application or AppProject`);
    }
  });
  return out;
}

function issues(list: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  return list.map((i) => `${i.path.map(String).join('.') || '(document)'}: ${i.message}`).join('; ');
}

export interface ApplyResult {
  kind: 'Application' | 'AppProject';
  name: string;
  action: 'created' | 'updated';
}

/**
 * Creates or updates every document: AppProject policies first (their
 * projects must exist), then applications. Stops at the first refusal
 * (AccessError from the stores), with what was applied before it kept.
 * The caller checks the actor's rights.
 */
export async function applyManifests(docs: readonly ManifestDoc[], stores: { apps: ApplicationStore; policies: DeliveryPolicyStore }, actor: AuditContext): Promise<ApplyResult[]> {
  const results: ApplyResult[] = [];
  for (const d of docs) {
    if (d.kind !== 'AppProject') continue;
    const existed = (await stores.policies.get(d.doc.metadata.name)) !== undefined;
    await stores.policies.set(d.doc.metadata.name, d.doc.spec, actor);
    results.push({ kind: 'AppProject', name: d.doc.metadata.name, action: existed ? 'updated' : 'created' });
  }
  for (const d of docs) {
    if (d.kind !== 'Application') continue;
    const name = d.doc.metadata.name;
    if (await stores.apps.get(name)) {
      await stores.apps.update(name, d.doc.spec, actor);
      results.push({ kind: 'Application', name, action: 'updated' });
    } else {
      await stores.apps.create({ name, spec: d.doc.spec }, actor);
      results.push({ kind: 'Application', name, action: 'created' });
    }
  }
  return results;
}
