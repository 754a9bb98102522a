/**
 * Paths of layer entries: normalisation (tar names come as `./etc/x`,
 * `etc/x`, `/etc/x/`), whiteouts, and symlink resolution confined to the
 * image's root. Nothing here touches the host filesystem.
 */
import path from 'node:path/posix';

export const WHITEOUT_PREFIX = '.wh.';
export const OPAQUE_WHITEOUT = '.wh..wh..opq';

/** Longest path accepted (Linux PATH_MAX); longer names are hostile or broken. */
export const MAX_PATH_LENGTH = 4096;

/**
 * The absolute normalised path of a tar entry name, or an error reason when
 * the name climbs out of the root (`../etc/passwd`), holds a NUL or is too long.
 */
export function normalizeEntryPath(name: string): { path: string } | { error: string } {
  if (name.length > MAX_PATH_LENGTH) return { error: `path longer than ${MAX_PATH_LENGTH} characters` };
  if (name.includes('\0')) return { error: 'path contains a NUL byte' };
  const out: string[] = [];
  for (const seg of name.split('/')) {
    if (seg === '' || seg === '.') continue;
    // A `..` in a layer is refused outright (as containerd does) rather than
    // clamped: an entry written that way is an attempt to escape the root.
    if (seg === '..') return { error: 'path traversal (`..` segment)' };
    out.push(seg);
  }
  return { path: '/' + out.join('/') };
}

export type WhiteoutKind = { kind: 'file'; target: string } | { kind: 'opaque'; dir: string } | undefined;

/** Whether a normalised path is a whiteout (`.wh.name`) or an opaque-directory marker (`.wh..wh..opq`). */
export function whiteoutOf(p: string): WhiteoutKind {
  const base = path.basename(p);
  if (!base.startsWith(WHITEOUT_PREFIX)) return undefined;
  const dir = path.dirname(p);
  if (base === OPAQUE_WHITEOUT) return { kind: 'opaque', dir };
  // Other `.wh..wh.` names are aufs metadata (hard-link directories), not whiteouts.
  if (base.startsWith(WHITEOUT_PREFIX + WHITEOUT_PREFIX)) return undefined;
  const target = base.slice(WHITEOUT_PREFIX.length);
  if (target === '' || target === '.' || target === '..') return undefined;
  return { kind: 'file', target: dir === '/' ? `/${target}` : `${dir}/${target}` };
}

/** Whether `p` is `dir` itself or lies under it. */
export function isUnder(p: string, dir: string): boolean {
  if (dir === '/') return true;
  return p === dir || p.startsWith(dir + '/');
}

/** Hops followed before a chain of links is called a loop (Linux's MAXSYMLINKS is 40). */
export const MAX_SYMLINK_HOPS = 40;

/**
 * Resolves `p` through the image's symlinks (`links`: path → link target as
 * written in the layer) as the kernel would inside a chroot: absolute targets
 * start at the image's root and `..` never climbs above it, so a link can
 * never lead outside the image. Only the final component and links recorded
 * in `links` are followed. A loop, or a chain longer than MAX_SYMLINK_HOPS,
 * gives an error.
 */
export function resolveInImage(p: string, links: ReadonlyMap<string, string>): { path: string } | { error: string } {
  let current = p;
  for (let hops = 0; hops <= MAX_SYMLINK_HOPS; hops++) {
    const target = links.get(current);
    if (target === undefined) return { path: current };
    const joined = target.startsWith('/') ? target : path.join(path.dirname(current), target);
    current = clampToRoot(joined);
  }
  return { error: `symlink loop or chain longer than ${MAX_SYMLINK_HOPS} links at ${p}` };
}

function clampToRoot(p: string): string {
  const out: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  return '/' + out.join('/');
}
