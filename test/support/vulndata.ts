/**
 * The real vulnerability data of /work/shared/vulndata (BERTH_VULNDATA_DIR)
 * and counters that read it independently of Berth's importers, so tests can
 * check import counts against the files themselves.
 */
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import yauzl from 'yauzl';

export const VULNDATA = process.env.BERTH_VULNDATA_DIR ?? '/work/shared/vulndata';

/** `.json` entries of a zip, from its central directory. */
export async function zipJsonEntries(file: string): Promise<string[]> {
  const zip = await yauzl.openPromise(file, { lazyEntries: true, autoClose: false });
  const names: string[] = [];
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (e: yauzl.Entry) => {
      if (e.fileName.endsWith('.json')) names.push(e.fileName);
      zip.readEntry();
    });
    zip.on('end', resolve);
    zip.on('error', reject);
    zip.readEntry();
  });
  zip.close();
  return names;
}

/** Distinct advisory ids in a secdb file, by a regular expression over the values (not the importer's tokenizer). */
export async function secdbIds(file: string): Promise<number> {
  const doc = JSON.parse(await readFile(file, 'utf8')) as { packages: { pkg: { secfixes?: Record<string, string[] | null> } }[] | null };
  const ids = new Set<string>();
  for (const p of doc.packages ?? []) for (const values of Object.values(p.pkg.secfixes ?? {})) for (const v of values ?? []) for (const m of v.matchAll(/(?<![\w-])[A-Z][A-Z0-9]+-[0-9][\w-]*/g)) ids.add(m[0]);
  return ids.size;
}

/** Header lines of a DSA/DLA list. */
export async function listHeaders(file: string): Promise<number> {
  return (await readFile(file, 'utf8')).split('\n').filter((l) => /^\[\d/.test(l)).length;
}

export async function secdbFiles(): Promise<string[]> {
  const out: string[] = [];
  for (const rel of (await readdir(path.join(VULNDATA, 'alpine-secdb'))).sort()) for (const f of (await readdir(path.join(VULNDATA, 'alpine-secdb', rel))).sort()) out.push(path.join(VULNDATA, 'alpine-secdb', rel, f));
  return out;
}
