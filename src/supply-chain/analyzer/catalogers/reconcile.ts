/**
 * One package counted once when a lock file and an installation both list it.
 *
 * What syft does: for an image it runs only the catalogers of *installed*
 * evidence (node_modules package.json, site-packages dist-info, installed
 * gemspecs, vendor/composer/installed.json, deps.json, jars, binaries); the
 * *declared* ones (package-lock, yarn.lock, pnpm-lock, requirements, poetry,
 * Pipfile.lock, Gemfile.lock, composer.lock, Cargo.lock) run on directory scans
 * only (syft internal/task/package_tasks.go: "declared information is not
 * cataloged inside container images").
 *
 * Berth reads both, and lets the installed evidence win, so an image equals
 * syft's count wherever packages are installed, and a lock file still counts
 * where nothing is installed (an image that ships a Rust binary and its
 * Cargo.lock, or an application copied in with its lock file and installed at
 * start). The rule, applied to the final filesystem's packages:
 *   - npm and composer: a lock file's packages are all dropped when its
 *     project has an installed tree (`<dir>/node_modules/…` / `<dir>/vendor/…`):
 *     the tree is what runs (optional packages for other platforms, for one,
 *     are in the lock but not installed).
 *   - PyPI, gems, crates: installations do not live beside the lock file
 *     (site-packages, GEM_HOME, a binary), so a declared package is dropped when
 *     a package of the same name is installed anywhere in the image.
 * Two lock files in one project (package-lock.json and yarn.lock) are both kept:
 * they are separate evidence, each with its location.
 *
 * `declared: 'never'` drops every declared package instead: exactly syft's
 * image behaviour, for like-for-like comparisons (or a deployment that wants it).
 */
import type { Package, PackageType } from '../../types.ts';
import { dirname } from './util.ts';

/** Catalogers reading declared (lock / requirement) files, by Package.foundBy. */
export const DECLARED_CATALOGERS: ReadonlySet<string> = new Set([
  'npm-lock', 'yarn-lock', 'pnpm-lock', 'python-requirements', 'poetry-lock', 'pipfile-lock', 'composer-lock', 'gemfile-lock', 'cargo-lock',
]);

/** PEP 503 normalisation: PyPI names compare case- and separator-insensitively. */
export function normalizePypiName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

function nameKey(type: PackageType, name: string): string {
  return `${type}\0${type === 'pypi' ? normalizePypiName(name) : type === 'gem' || type === 'cargo' ? name : name.toLowerCase()}`;
}

/** Directory an installed tree lives under for a lock file's project, for the types where it is beside it. */
function projectTree(pkg: Package): string | undefined {
  const dir = dirname(pkg.location);
  const base = dir === '/' ? '' : dir;
  if (pkg.type === 'npm') return `${base}/node_modules/`;
  if (pkg.type === 'composer') return `${base}/vendor/`;
  return undefined;
}

/** `fallback`: declared packages count where nothing installed contradicts them (the default); `never`: as syft on images. */
export type DeclaredPolicy = 'fallback' | 'never';

export function reconcileLanguagePackages(packages: readonly Package[], declared: DeclaredPolicy = 'fallback'): Package[] {
  if (declared === 'never') return packages.filter((p) => !DECLARED_CATALOGERS.has(p.foundBy));
  const installedNames = new Set<string>();
  const installedPaths: string[] = [];
  for (const p of packages) {
    if (DECLARED_CATALOGERS.has(p.foundBy)) continue;
    installedNames.add(nameKey(p.type, p.name));
    if (p.type === 'npm' || p.type === 'composer') installedPaths.push(p.location);
  }
  const treeCache = new Map<string, boolean>();
  const hasTree = (tree: string): boolean => {
    let found = treeCache.get(tree);
    if (found === undefined) {
      found = installedPaths.some((path) => path.startsWith(tree));
      treeCache.set(tree, found);
    }
    return found;
  };
  return packages.filter((p) => {
    if (!DECLARED_CATALOGERS.has(p.foundBy)) return true;
    const tree = projectTree(p);
    if (tree !== undefined) return !hasTree(tree);
    return !installedNames.has(nameKey(p.type, p.name));
  });
}
