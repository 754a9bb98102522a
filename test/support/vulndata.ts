/**
 * The real vulnerability data (shared/vulndata: BERTH_VULNDATA_DIR, else
 * beside the checkout or one of its parents, else /work/shared/vulndata)
 * and counters that read it independently of Berth's importers, so tests can
 * check import counts against the files themselves.
 */
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import yauzl from 'yauzl';

/**
 * Where shared/vulndata is: the one place tests and benchmarks ask. A clone
 * anywhere (CI's, a git worktree) finds it beside the checkout or beside one
 * of its parents; the workplace's own copy is the last resort.
 */
export function findVulndata(given = process.env.BERTH_VULNDATA_DIR): string {
  if (given) return given;
  for (let dir = path.resolve(import.meta.dirname, '..', '..'); path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    const candidate = path.join(path.dirname(dir), 'shared', 'vulndata');
    if (existsSync(path.join(candidate, 'README.md'))) return candidate;
  }
  return '/work/shared/vulndata';
}

export const VULNDATA = findVulndata();

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

/**
 * Writes a zip of stored (uncompressed) entries, for tests that need an OSV
 * all.zip of their own (one that fails half-way, say). Just enough of the
 * format for yauzl: local headers, the central directory, its end record.
 */
export async function writeZip(file: string, entries: { name: string; data: Buffer }[]): Promise<void> {
  const { crc32 } = await import('node:zlib');
  const { writeFile } = await import('node:fs/promises');
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const crc = crc32(e.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(e.data.length, 18);
    local.writeUInt32LE(e.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(e.data.length, 20);
    central.writeUInt32LE(e.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, e.data);
    centrals.push(central, name);
    offset += local.length + name.length + e.data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  await writeFile(file, Buffer.concat([...locals, cd, end]));
}
