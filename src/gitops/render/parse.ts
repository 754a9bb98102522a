/**
 * Manifest text → Kubernetes objects, the way Argo CD reads them: YAML 1.1
 * (what sigs.k8s.io/yaml and kubectl use: `yes`/`on` are booleans, `<<`
 * merges), multi-document, empty documents skipped, `List` kinds expanded,
 * and every other document must be a Kubernetes object.
 */
import { parseAllDocuments, type DocumentOptions, type ParseOptions, type SchemaOptions, type Tags } from 'yaml';
import type { KubeObject } from '../types.ts';
import { RenderError } from './errors.ts';

const PARSE_OPTIONS: ParseOptions & DocumentOptions & SchemaOptions = {
  version: '1.1',
  merge: true,
  // Go's YAML decoding into JSON keeps timestamps as strings; so do we.
  customTags: (tags: Tags) => tags.filter((t) => typeof t !== 'object' || t.tag !== 'tag:yaml.org,2002:timestamp'),
};

/** Aliases expanded per document: bounds "billion laughs" documents. */
const MAX_ALIAS_COUNT = 100;

/**
 * Parses multi-document YAML. `source` names the file in messages; with
 * `helmSources`, a document's `# Source: chart/templates/x.yaml` comment (as
 * `helm template` writes) names it instead.
 */
export function parseYamlManifests(text: string, source: string, options: { helmSources?: boolean } = {}): KubeObject[] {
  const out: KubeObject[] = [];
  let docs;
  try {
    docs = parseAllDocuments(text, PARSE_OPTIONS);
  } catch (err) {
    throw new RenderError(`${source}: invalid YAML: ${(err as Error).message}`, { cause: err });
  }
  if (!Array.isArray(docs)) return out; // an empty stream
  docs.forEach((doc, i) => {
    let where = docs.length > 1 ? `${source} (document ${i + 1})` : source;
    if (options.helmSources) {
      const comment = [doc.commentBefore, (doc.contents as { commentBefore?: string } | null)?.commentBefore].join('\n');
      const m = /Source: (\S+)/.exec(comment);
      if (m) where = m[1]!;
    }
    const err = doc.errors[0];
    if (err) throw new RenderError(`${where}: invalid YAML: ${err.message.split('\n')[0]}`);
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (e) {
      throw new RenderError(`${where}: invalid YAML: ${(e as Error).message.split('\n')[0]}`, { cause: e });
    }
    collectObjects(value, where, out);
  });
  return out;
}

/** Parses one JSON file's content (an object, possibly a List). */
export function parseJsonManifest(text: string, source: string): KubeObject[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new RenderError(`${source}: invalid JSON: ${(err as Error).message}`, { cause: err });
  }
  const out: KubeObject[] = [];
  collectObjects(value, source, out);
  return out;
}

/**
 * Appends `value` to `out` when it is a Kubernetes object, its items when it
 * is a List, nothing when it is empty; anything else is a RenderError.
 */
export function collectObjects(value: unknown, where: string, out: KubeObject[]): void {
  if (value === null || value === undefined) return;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new RenderError(`${where} is not a Kubernetes object (needs apiVersion, kind and metadata.name or generateName)`);
  }
  const v = value as Record<string, unknown>;
  if (typeof v.kind === 'string' && typeof v.apiVersion === 'string' && (v.kind === 'List' || v.kind.endsWith('List')) && Array.isArray(v.items)) {
    v.items.forEach((item, j) => collectObjects(item, `${where} item ${j + 1}`, out));
    return;
  }
  if (!isKubeObject(v)) {
    throw new RenderError(`${where} is not a Kubernetes object (needs apiVersion, kind and metadata.name or generateName)`);
  }
  out.push(v);
}

export function isKubeObject(v: Record<string, unknown>): v is KubeObject {
  const meta = v.metadata as Record<string, unknown> | null | undefined;
  return (
    typeof v.apiVersion === 'string' &&
    v.apiVersion !== '' &&
    typeof v.kind === 'string' &&
    v.kind !== '' &&
    typeof meta === 'object' &&
    meta !== null &&
    !Array.isArray(meta) &&
    // generateName is allowed for hooks (Argo CD style); the engine names them.
    ((typeof meta.name === 'string' && meta.name !== '') || (typeof meta.generateName === 'string' && meta.generateName !== ''))
  );
}
