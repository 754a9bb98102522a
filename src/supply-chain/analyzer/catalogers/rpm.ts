/**
 * RHEL-family packages from rpm's sqlite database (`rpmdb.sqlite`, rpm ≥ 4.16:
 * Fedora 33+, RHEL 9, Rocky/Alma 9). The entry is streamed into a private
 * temporary file (bounded), opened read-only with node:sqlite, and each row's
 * header blob is decoded here (rpm's on-disk header: index count, data
 * length, 16-byte index entries, data store). Berkeley DB (`Packages`,
 * RHEL ≤ 8) and NDB (`Packages.db`, SUSE) have no maintained JavaScript
 * reader: they are reported as skipped with that reason.
 */
import { createWriteStream } from 'node:fs';
import { chmod, mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { CatalogContext, FileRef, StreamCataloger } from '../cataloger.ts';
import type { PackageFact } from '../../types.ts';

const RPM_DIRS = ['/var/lib/rpm/', '/usr/lib/sysimage/rpm/'];
export const MAX_RPMDB_BYTES = 1024 * 1024 * 1024;
/** Rows read; a real system has a few thousand packages. */
const MAX_ROWS = 200_000;
/** rpm's own bounds on a header (lib/header.c: HEADER_TAGS_MAX, HEADER_DATA_MAX). */
const MAX_TAGS = 0xffff;
const MAX_DATA = 0x0fffffff;

const TAG = { name: 1000, version: 1001, release: 1002, epoch: 1003, license: 1014, arch: 1022, sourceRpm: 1044 } as const;
const TYPE_INT32 = 4;
const TYPE_STRING = 6;
const TYPE_I18NSTRING = 9;

export class RpmHeaderError extends Error {}

/** Decodes the tags Berth needs from one header blob. */
export function parseRpmHeader(blob: Uint8Array): Map<number, string | number> {
  const b = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  if (b.length < 8) throw new RpmHeaderError('header blob shorter than 8 bytes');
  const il = b.readUInt32BE(0);
  const dl = b.readUInt32BE(4);
  if (il < 1 || il > MAX_TAGS || dl > MAX_DATA) throw new RpmHeaderError(`header counts out of range (${il} tags, ${dl} bytes)`);
  const dataStart = 8 + il * 16;
  if (dataStart + dl > b.length) throw new RpmHeaderError('header blob truncated');
  const wanted = new Set<number>(Object.values(TAG));
  const out = new Map<number, string | number>();
  for (let i = 0; i < il; i++) {
    const e = 8 + i * 16;
    const tag = b.readUInt32BE(e);
    if (!wanted.has(tag)) continue;
    const type = b.readUInt32BE(e + 4);
    const offset = b.readInt32BE(e + 8);
    if (offset < 0 || offset >= dl) continue;
    const at = dataStart + offset;
    if (type === TYPE_INT32) {
      if (offset + 4 <= dl) out.set(tag, b.readUInt32BE(at));
    } else if (type === TYPE_STRING || type === TYPE_I18NSTRING) {
      const end = b.indexOf(0, at);
      if (end >= 0 && end < dataStart + dl) out.set(tag, b.toString('utf8', at, end));
    }
  }
  return out;
}

/** `openssl-3.0.7-24.el9.src.rpm` → name and version-release. */
export function parseSourceRpm(s: string): { name: string; version: string } | undefined {
  const base = s.replace(/\.(src|nosrc)\.rpm$/, '');
  const r = base.lastIndexOf('-');
  const v = r > 0 ? base.lastIndexOf('-', r - 1) : -1;
  if (v <= 0) return undefined;
  return { name: base.slice(0, v), version: base.slice(v + 1) };
}

export function rpmFact(tags: Map<number, string | number>): PackageFact | undefined {
  const name = tags.get(TAG.name);
  const version = tags.get(TAG.version);
  const release = tags.get(TAG.release);
  if (typeof name !== 'string' || typeof version !== 'string' || !name) return undefined;
  // gpg-pubkey entries are imported signing keys, not software.
  if (name === 'gpg-pubkey') return undefined;
  const epoch = tags.get(TAG.epoch);
  const evr = `${typeof epoch === 'number' ? `${epoch}:` : ''}${version}${typeof release === 'string' && release ? `-${release}` : ''}`;
  const fact: PackageFact = { type: 'rpm', name, version: evr };
  const arch = tags.get(TAG.arch);
  if (typeof arch === 'string' && arch) fact.arch = arch;
  const license = tags.get(TAG.license);
  if (typeof license === 'string' && license) fact.licenses = [license];
  const src = tags.get(TAG.sourceRpm);
  if (typeof src === 'string') {
    const s = parseSourceRpm(src);
    if (s) fact.source = { name: s.name, version: typeof epoch === 'number' ? `${epoch}:${s.version}` : s.version };
  }
  return fact;
}

/** Reads every package of an rpmdb.sqlite file (a private copy: its header is patched to leave WAL mode). */
export async function readRpmSqlite(file: string, ctx: Pick<CatalogContext, 'skip'>, where: string): Promise<PackageFact[]> {
  // Bytes 18–19 of an SQLite file are 2 in WAL mode, which a read-only open cannot use without its -shm file;
  // 1 (rollback journal) lets the copy open read-only. The copy is ours, so this changes nothing in the image.
  const fh = await open(file, 'r+');
  try {
    const head = Buffer.alloc(20);
    await fh.read(head, 0, 20, 0);
    if (head.toString('latin1', 0, 15) !== 'SQLite format 3') throw new RpmHeaderError('not an SQLite database');
    if (head[18] === 2 || head[19] === 2) await fh.write(Buffer.from([1, 1]), 0, 2, 18);
  } finally {
    await fh.close();
  }
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    const t = db.prepare("SELECT type FROM sqlite_master WHERE name = 'Packages'").get() as { type?: string } | undefined;
    // A view or trigger could run arbitrary SQL; only a plain table is read.
    if (t?.type !== 'table') throw new RpmHeaderError('no Packages table');
    const out: PackageFact[] = [];
    let rows = 0;
    let bad = 0;
    for (const row of db.prepare('SELECT blob FROM Packages').iterate() as Iterable<{ blob: Uint8Array }>) {
      if (++rows > MAX_ROWS) {
        ctx.skip(where, `rpm: more than ${MAX_ROWS} packages: the rest were not read`);
        break;
      }
      try {
        const f = rpmFact(parseRpmHeader(row.blob));
        if (f) out.push(f);
      } catch {
        bad += 1;
      }
    }
    if (bad > 0) ctx.skip(where, `rpm: ${bad} malformed package header(s) not read`);
    return out;
  } finally {
    db.close();
  }
}

async function scan(file: FileRef, body: Readable, ctx: CatalogContext): Promise<PackageFact[]> {
  const base = path.basename(file.path);
  if (base === 'Packages' || base === 'Packages.db') {
    body.destroy();
    ctx.skip(file.path, `rpm: ${base === 'Packages' ? 'Berkeley DB' : 'NDB'} database not supported (no maintained reader); rpmdb.sqlite is`);
    return [];
  }
  if (file.size > MAX_RPMDB_BYTES) {
    body.destroy();
    ctx.skip(file.path, `rpm: database of ${file.size} bytes is larger than the ${MAX_RPMDB_BYTES}-byte limit`);
    return [];
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'berth-rpmdb-'));
  try {
    await chmod(dir, 0o700);
    const copy = path.join(dir, 'rpmdb.sqlite');
    let written = 0;
    const bound = new Transform({
      transform(chunk: Buffer, _e, cb) {
        written += chunk.length;
        if (written > MAX_RPMDB_BYTES) cb(new Error('rpm database grew past its limit'));
        else cb(null, chunk);
      },
    });
    await pipeline(body, bound, createWriteStream(copy, { mode: 0o600 }), { signal: ctx.signal });
    return await readRpmSqlite(copy, ctx, file.path);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export const rpmCataloger: StreamCataloger = {
  name: 'rpm',
  mode: 'stream',
  wants(file) {
    const dir = RPM_DIRS.find((d) => file.path.startsWith(d));
    if (!dir) return false;
    const rest = file.path.slice(dir.length);
    return rest === 'rpmdb.sqlite' || rest === 'Packages.sqlite' || rest === 'Packages' || rest === 'Packages.db';
  },
  scan,
};
