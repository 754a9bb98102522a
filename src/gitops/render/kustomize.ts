/**
 * Kustomize sources: `kustomize build` on the application path. The tree is
 * read-only and shared, so the Application's kustomize options (images,
 * namePrefix, …) go into a generated overlay in a temporary directory that
 * lists the application path as its only resource; kustomize keeps its
 * default load restrictor (LoadRestrictionsRootOnly).
 */
import { readFile, realpath, writeFile, mkdir } from 'node:fs/promises';
import { isDeepStrictEqual } from 'node:util';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import type { ApplicationSource } from '../model.ts';
import { RenderError } from './errors.ts';
import { display, isFile, isInside } from './paths.ts';

export type KustomizeOptions = NonNullable<ApplicationSource['kustomize']>;

/** The file names kustomize recognises, in its order. */
export const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'] as const;

export async function findKustomization(dir: string): Promise<string | undefined> {
  for (const name of KUSTOMIZATION_FILES) {
    const p = path.join(dir, name);
    if (await isFile(p)) return p;
  }
  return undefined;
}

/** Kustomization fields whose entries may name other kustomization directories. */
const ROOT_FIELDS = ['resources', 'bases', 'components', 'generators', 'transformers', 'validators'] as const;

function looksRemote(entry: string): boolean {
  return entry.includes('://') || entry.startsWith('git@') || /^[a-z0-9-]+(\.[a-z0-9-]+)+(:\d+)?\//i.test(entry);
}

async function readKustomization(file: string): Promise<Record<string, unknown> | undefined> {
  try {
    const doc: unknown = parse(await readFile(file, 'utf8'), { maxAliasCount: 100 });
    return doc !== null && typeof doc === 'object' && !Array.isArray(doc) ? (doc as Record<string, unknown>) : undefined;
  } catch {
    return undefined; // kustomize reports syntax errors itself
  }
}

/**
 * Kustomize confines files to each kustomization's own directory, but lets
 * `resources`/`components`/… name directories anywhere, and fetches remote
 * bases over the network. Walks the kustomization graph from `dir` and
 * refuses a base outside the tree (after symlinks) or a remote one.
 */
export async function assertKustomizeRootsInside(root: string, dir: string): Promise<void> {
  const seen = new Set<string>();
  const visit = async (d: string, depth: number): Promise<void> => {
    if (seen.has(d)) return;
    if (depth > 64 || seen.size > 2000) throw new RenderError(`the kustomizations under ${display(root, dir)} nest too deeply`);
    seen.add(d);
    const file = await findKustomization(d);
    if (!file) return;
    const k = await readKustomization(file);
    if (!k) return;
    for (const field of ROOT_FIELDS) {
      const entries = k[field];
      if (!Array.isArray(entries)) continue;
      for (const entry of entries) {
        if (typeof entry !== 'string' || entry.includes('\n')) continue; // inline generator/transformer configs
        const real = await realpath(path.resolve(d, entry)).catch(() => undefined);
        if (real === undefined) {
          if (looksRemote(entry)) {
            throw new RenderError(`${display(root, file)}: remote ${field} entry "${entry}" is not supported: Berth renders from the repository only (vendor it into the repository)`);
          }
          continue; // kustomize reports the missing file
        }
        if (!isInside(root, real)) throw new RenderError(`${display(root, file)}: ${field} entry "${entry}" points outside the repository`);
        if (await isFile(real)) continue;
        await visit(real, depth + 1);
      }
    }
  };
  await visit(dir, 0);
}

export function hasKustomizeOptions(k: Partial<KustomizeOptions> | undefined): boolean {
  if (!k) return false;
  return (
    (k.images?.length ?? 0) > 0 ||
    !!k.namePrefix ||
    !!k.nameSuffix ||
    Object.keys(k.commonLabels ?? {}).length > 0 ||
    Object.keys(k.commonAnnotations ?? {}).length > 0 ||
    !!k.namespace
  );
}

interface ImageEntry {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
}

function imageList(v: unknown): ImageEntry[] {
  return Array.isArray(v) ? v.filter((i): i is ImageEntry => typeof i === 'object' && i !== null && typeof (i as ImageEntry).name === 'string') : [];
}

/**
 * The overlay `images` that give what `kustomize edit set image IMAGES…` in
 * the application's own kustomization would give. `edited` is that
 * kustomization's `images` after the edit (computed by kustomize itself on a
 * scratch copy of the list), `original` before it. An unchanged entry needs
 * nothing; a new one applies as is; a changed one must match the image name
 * the base already produces (its newName), since the base's own entry runs
 * first. (One case cannot be expressed: an edit that leaves an image with
 * neither tag nor digest where the kustomization's entry set one; the base's
 * tag then stays.)
 */
export function overlayImages(original: readonly ImageEntry[], edited: readonly ImageEntry[]): ImageEntry[] {
  const before = new Map(original.map((i) => [i.name, i]));
  const out: ImageEntry[] = [];
  for (const e of edited) {
    const o = before.get(e.name);
    if (o === undefined) {
      out.push(e);
      continue;
    }
    if (isDeepStrictEqual(o, e)) continue;
    // `edit set image` replaces the entry: a newName it leaves out is dropped.
    const produced = o.newName || o.name;
    const wanted = e.newName || e.name;
    const entry: ImageEntry = { name: produced };
    if (wanted !== produced) entry.newName = wanted;
    if (e.newTag) entry.newTag = e.newTag;
    if (e.digest) entry.digest = e.digest;
    out.push(entry);
  }
  return out;
}

export interface KustomizeRun {
  /** Runs kustomize with these arguments in `cwd`; resolves with stdout. */
  (args: readonly string[], cwd: string): Promise<string>;
}

const KUSTOMIZATION_HEADER = { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization' };

/**
 * Writes the overlay into `workDir/overlay` and returns its directory.
 * `appDir` is the real (symlink-free) application directory.
 */
export async function writeOverlay(appDir: string, k: Partial<KustomizeOptions>, workDir: string, run: KustomizeRun): Promise<string> {
  const overlay = path.join(workDir, 'overlay');
  await mkdir(overlay, { recursive: true, mode: 0o700 });
  const file = path.join(overlay, 'kustomization.yaml');
  const kustomization: Record<string, unknown> = {
    ...KUSTOMIZATION_HEADER,
    // kustomize refuses absolute paths for directory resources.
    resources: [path.relative(overlay, appDir)],
  };
  if (k.namePrefix) kustomization.namePrefix = k.namePrefix;
  if (k.nameSuffix) kustomization.nameSuffix = k.nameSuffix;
  if (k.namespace) kustomization.namespace = k.namespace;
  if (Object.keys(k.commonLabels ?? {}).length > 0) kustomization.commonLabels = { ...k.commonLabels };
  if (Object.keys(k.commonAnnotations ?? {}).length > 0) kustomization.commonAnnotations = { ...k.commonAnnotations };
  if ((k.images?.length ?? 0) > 0) {
    const own = await findKustomization(appDir);
    const original = imageList(own ? (await readKustomization(own))?.images : undefined);
    // Let kustomize parse `name=newName:tag@digest` forms exactly as `edit set image` does.
    const scratch = path.join(workDir, 'images');
    await mkdir(scratch, { mode: 0o700 });
    await writeFile(path.join(scratch, 'kustomization.yaml'), stringify({ ...KUSTOMIZATION_HEADER, images: original }), { mode: 0o600 });
    await run(['edit', 'set', 'image', '--', ...(k.images ?? [])], scratch);
    const edited = imageList((parse(await readFile(path.join(scratch, 'kustomization.yaml'), 'utf8')) as Record<string, unknown> | null)?.images);
    const images = overlayImages(original, edited);
    if (images.length > 0) kustomization.images = images;
  }
  await writeFile(file, stringify(kustomization), { mode: 0o600 });
  return overlay;
}
