/**
 * PHP (Composer): `vendor/composer/installed.json` lists what is installed
 * (format 1: an array; Composer 2: `{packages: [...]}`), every package there
 * included; composer.lock declares, and its `packages-dev` are left out as
 * for npm. Versions are kept as Composer writes them (`v5.4.0` included).
 */
import type { BufferCataloger, CatalogContext } from '../cataloger.ts';
import type { PackageFact } from '../../types.ts';
import { FactList, LOCK_FILE_MAX_BYTES, insideInstalledPackage, isRecord, licensesOf, parseJson, str } from './util.ts';

function addPackages(list: unknown, out: FactList): void {
  if (!Array.isArray(list)) return;
  for (const entry of list) {
    if (!isRecord(entry)) continue;
    const name = str(entry.name);
    const version = str(entry.version);
    if (name === undefined || version === undefined || !name.includes('/')) continue;
    const licenses = licensesOf(entry.license);
    out.add({ type: 'composer', name, version, ...(licenses ? { licenses } : {}) });
  }
}

function parseWith(fn: (doc: unknown, out: FactList) => boolean) {
  return (file: Parameters<BufferCataloger['parse']>[0], ctx: CatalogContext): PackageFact[] => {
    const doc = parseJson(file, ctx);
    if (doc === undefined) return [];
    const out = new FactList();
    if (!fn(doc, out)) {
      ctx.skip(file.path, 'malformed Composer file: no package list');
      return [];
    }
    return out.done(file.path, ctx);
  };
}

export const composerLockCataloger: BufferCataloger = {
  name: 'composer-lock',
  mode: 'buffer',
  maxBytes: LOCK_FILE_MAX_BYTES,
  wants: (f) => f.path.endsWith('/composer.lock') && !f.path.includes('/vendor/') && !insideInstalledPackage(f.path),
  parse: parseWith((doc, out) => {
    if (!isRecord(doc) || !Array.isArray(doc.packages)) return false;
    addPackages(doc.packages, out);
    return true;
  }),
};

export const composerInstalledCataloger: BufferCataloger = {
  name: 'composer-installed',
  mode: 'buffer',
  maxBytes: LOCK_FILE_MAX_BYTES,
  wants: (f) => f.path.endsWith('/vendor/composer/installed.json'),
  parse: parseWith((doc, out) => {
    const list = Array.isArray(doc) ? doc : isRecord(doc) ? doc.packages : undefined;
    if (!Array.isArray(list)) return false;
    addPackages(list, out);
    return true;
  }),
};
