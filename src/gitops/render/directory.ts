/**
 * Directory sources: YAML and JSON files under the application path, read by
 * Berth itself (no tool), like Argo CD's directory type.
 */
import { readFile, readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import picomatch from 'picomatch';
import type { KubeObject } from '../types.ts';
import { RenderError } from './errors.ts';
import { formatBytes } from './exec.ts';
import { parseJsonManifest, parseYamlManifests } from './parse.ts';
import { display, isInside } from './paths.ts';

export interface DirectoryOptions {
  recurse?: boolean;
  include?: string;
  exclude?: string;
}

/** Argo CD's manifest file names (jsonnet aside). */
const MANIFEST_FILE = /\.(yaml|yml|json)$/;

/**
 * A matcher for Argo CD's include/exclude globs (gobwas/glob without
 * separators): `*` also crosses `/` (picomatch's bash mode), `{a,b}` lists
 * alternatives, dotfiles are ordinary. Matched against the path relative to
 * the application directory, e.g. `sub/deploy.yaml`.
 */
export function globMatcher(pattern: string): (relPath: string) => boolean {
  try {
    return picomatch(pattern, { bash: true, dot: true });
  } catch (err) {
    throw new RenderError(`invalid glob "${pattern}": ${(err as Error).message}`, { cause: err });
  }
}

/** Lists the manifest files to read, in Argo's (filepath.Walk) order. */
export async function listManifestFiles(root: string, appDir: string, options: DirectoryOptions = {}): Promise<string[]> {
  const include = options.include ? globMatcher(options.include) : undefined;
  const exclude = options.exclude ? globMatcher(options.exclude) : undefined;
  const files: string[] = [];
  const walk = async (dir: string, rel: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    // Go's filepath.Walk visits names in byte order.
    entries.sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
    for (const e of entries) {
      const abs = path.join(dir, e.name);
      const relPath = rel ? `${rel}/${e.name}` : e.name;
      let isDir = e.isDirectory();
      let isFile = e.isFile();
      if (e.isSymbolicLink()) {
        // Never follow a link out of the tree, whether or not it would be read.
        const target = await realpath(abs).catch(() => undefined);
        if (target !== undefined && !isInside(root, target)) {
          throw new RenderError(`${display(root, abs)} is a symlink that points outside the repository`);
        }
        if (target === undefined) continue; // dangling: nothing to read
        const st = await stat(target);
        isDir = false; // like filepath.Walk: symlinked directories are not descended
        isFile = st.isFile();
      }
      if (isDir) {
        if (options.recurse) await walk(abs, relPath);
        continue;
      }
      if (!isFile || !MANIFEST_FILE.test(e.name)) continue;
      if (exclude?.(relPath)) continue;
      if (include && !include(relPath)) continue;
      files.push(abs);
    }
  };
  await walk(appDir, '');
  return files;
}

/** Reads and parses the manifests; total bytes read are capped at maxBytes. */
export async function renderDirectory(root: string, appDir: string, options: DirectoryOptions, maxBytes: number): Promise<KubeObject[]> {
  const files = await listManifestFiles(root, appDir, options);
  const objects: KubeObject[] = [];
  let total = 0;
  for (const file of files) {
    const size = (await stat(file)).size;
    total += size;
    if (total > maxBytes) throw new RenderError(`the manifests under ${display(root, appDir)} exceed the ${formatBytes(maxBytes)} limit`, { code: 'output-limit' });
    const text = await readFile(file, 'utf8');
    const name = display(root, file);
    objects.push(...(file.endsWith('.json') ? parseJsonManifest(text, name) : parseYamlManifests(text, name)));
  }
  return objects;
}
