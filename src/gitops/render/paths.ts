/**
 * Path checks for rendering: everything Berth or a tool reads must stay inside
 * the checked-out tree, after resolving symlinks.
 */
import { readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { RenderError } from './errors.ts';

/** True when `p` is `root` or below it (both absolute, symlink-free). */
export function isInside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel) && rel.split(path.sep)[0] !== '..');
}

/** The tree's real path (the tree dir itself may be reached through a symlink). */
export async function realRoot(treeDir: string): Promise<string> {
  try {
    const root = await realpath(treeDir);
    if (!(await stat(root)).isDirectory()) throw new Error('not a directory');
    return root;
  } catch (err) {
    // Not err.message: it quotes the tree's absolute path in Berth's data directory.
    const code = (err as NodeJS.ErrnoException).code;
    throw new RenderError(`the repository tree is not available${code ? ` (${code})` : ''}`, { cause: err });
  }
}

/**
 * What to replace in a tool's messages so that they name paths relative to
 * the repository only, never Berth's data or temporary directories: the tree
 * (as given and as its real path), the way Berth's generated overlay reaches
 * it (`../../…/trees/<commit>/app`), the overlay, and the work directory.
 * Longest first, so a path is rewritten by its most specific form.
 */
export function pathRedactions(input: { root: string; treeDir: string; work: string }): [string, string][] {
  const overlay = path.join(input.work, 'overlay');
  const fromOverlay = path.relative(overlay, input.root);
  const pairs: [string, string][] = [
    [overlay + path.sep, '(overlay)/'],
    [overlay, '(overlay)'],
    [fromOverlay + path.sep, ''],
    [fromOverlay, '.'],
    [input.work + path.sep, '(work)/'],
    [input.work, '(work)'],
  ];
  for (const tree of new Set([input.root, path.resolve(input.treeDir)])) pairs.push([tree + path.sep, ''], [tree, '.']);
  // A bare `../..` would also match a user's own relative paths: only rewrite forms that name a directory.
  return pairs.filter(([from]) => from.split(path.sep).some((part) => part !== '' && part !== '..')).sort((a, b) => b[0].length - a[0].length);
}

/**
 * Resolves `rel` (a repository-relative path, as in the Application) below
 * `base` (default: the root), follows symlinks and refuses anything that ends
 * up outside `root`. `what` names the path in messages.
 */
export async function resolveInside(root: string, rel: string, what: string, base = root): Promise<string> {
  if (rel.includes('\0') || path.isAbsolute(rel)) throw new RenderError(`${what} "${rel}" must be a relative path inside the repository`);
  const joined = path.resolve(base, rel);
  if (!isInside(root, joined)) throw new RenderError(`${what} "${rel}" leaves the repository`);
  let real: string;
  try {
    real = await realpath(joined);
  } catch {
    throw new RenderError(`${what} "${rel}" does not exist in the repository`);
  }
  if (!isInside(root, real)) throw new RenderError(`${what} "${rel}" is a symlink that points outside the repository`);
  return real;
}

/** `p` relative to the root, with '/' separators, for messages. */
export function display(root: string, p: string): string {
  return path.relative(root, p).split(path.sep).join('/') || '.';
}

/**
 * Walks `dir` (without following directory symlinks) and refuses any symlink
 * that resolves outside `root` or dangles: tools such as helm follow symlinks
 * while loading a chart. Stops with an error past `maxEntries`.
 */
export async function assertNoEscapingSymlinks(root: string, dir: string, maxEntries = 50_000): Promise<void> {
  let seen = 0;
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      if (++seen > maxEntries) throw new RenderError(`${display(root, dir)} has more than ${maxEntries} files`);
      const p = path.join(d, e.name);
      if (e.isSymbolicLink()) {
        const target = await realpath(p).catch(() => undefined);
        if (target === undefined) throw new RenderError(`${display(root, p)} is a dangling symlink`);
        if (!isInside(root, target)) throw new RenderError(`${display(root, p)} is a symlink that points outside the repository`);
      } else if (e.isDirectory()) {
        await walk(p);
      }
    }
  };
  await walk(dir);
}

/** True when `p` exists and is a regular file (following symlinks). */
export async function isFile(p: string): Promise<boolean> {
  return stat(p).then(
    (s) => s.isFile(),
    () => false,
  );
}
