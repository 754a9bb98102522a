/**
 * OSV records (ossf/osv-schema) and the per-ecosystem `all.zip` downloads of
 * osv.dev (a flat zip of `<ID>.json`). The zip is read through its central
 * directory with yauzl, one entry at a time: each entry's declared size is
 * checked before it is read and its actual size while it is read
 * (`validateEntrySizes`), so neither a zip bomb nor a lying header is held in
 * memory. Any ecosystem is accepted; what a record names is normalised to
 * `Advisory`, bounded in every list and string.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import yauzl from 'yauzl';
import type { Advisory, AffectedPackage, RangeEvent } from '../types.ts';
import {
  MAX_AFFECTED,
  MAX_EVENTS,
  MAX_REFERENCES,
  MAX_VERSIONS,
  VulnDataError,
  aliasList,
  ecosystemName,
  isAdvisoryId,
  packageName,
  severityWord,
  text,
  version,
  type ImportLimits,
} from './records.ts';

const RANGE_TYPES = new Set(['ECOSYSTEM', 'SEMVER', 'GIT']);
const EVENT_KEYS = ['introduced', 'fixed', 'last_affected', 'limit'] as const;
const SEVERITY_TYPES = new Set(['CVSS_V2', 'CVSS_V3', 'CVSS_V4']);

function obj(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function events(raw: unknown, where: string, git: boolean): RangeEvent[] {
  const items = list(raw);
  if (items.length > MAX_EVENTS) throw new VulnDataError(`${where}: more than ${MAX_EVENTS} range events`);
  const out: RangeEvent[] = [];
  for (const item of items) {
    const e = obj(item);
    const key = e && EVENT_KEYS.find((k) => k in e);
    if (!e || !key) throw new VulnDataError(`${where}: a range event needs one of ${EVENT_KEYS.join(', ')}`);
    // GIT ranges name commits (40 hex digits); the matcher ignores them but they are kept as OSV gives them.
    const v = git ? String(e[key]).slice(0, 256) : version(e[key], where);
    out.push({ [key]: v } as RangeEvent);
  }
  return out;
}

function affectedOf(raw: unknown, where: string): AffectedPackage {
  const a = obj(raw);
  const pkg = obj(a?.package);
  if (!a || !pkg) throw new VulnDataError(`${where}: affected[] entries need a package`);
  const ranges: AffectedPackage['ranges'] = [];
  for (const r of list(a.ranges)) {
    const range = obj(r);
    const type = range?.type;
    if (typeof type !== 'string' || !RANGE_TYPES.has(type)) throw new VulnDataError(`${where}: range type must be ECOSYSTEM, SEMVER or GIT`);
    ranges.push({ type: type as 'ECOSYSTEM' | 'SEMVER' | 'GIT', events: events(range?.events, where, type === 'GIT') });
  }
  const versions = list(a.versions);
  if (versions.length > MAX_VERSIONS) throw new VulnDataError(`${where}: more than ${MAX_VERSIONS} versions`);
  const specific = obj(a.ecosystem_specific);
  const database = obj(a.database_specific);
  const severity = severityWord(specific?.severity) ?? severityWord(database?.severity);
  return {
    ecosystem: ecosystemName(pkg.ecosystem, where),
    name: packageName(pkg.name, where),
    ranges,
    versions: versions.map((v) => version(v, where)),
    status: 'affected',
    ...(severity ? { severity } : {}),
  };
}

/** One OSV record → `Advisory`; `where` names it in errors (the zip entry). */
export function normalizeOsv(raw: unknown, source: string, where: string): Advisory {
  const r = obj(raw);
  if (!r) throw new VulnDataError(`${where}: an OSV record is a JSON object`);
  if (!isAdvisoryId(r.id)) throw new VulnDataError(`${where}: the record has no valid id`);
  const id = r.id;
  const affected = list(r.affected);
  if (affected.length > MAX_AFFECTED) throw new VulnDataError(`${where}: more than ${MAX_AFFECTED} affected packages`);
  const severity: Advisory['severity'] = [];
  for (const s of list(r.severity)) {
    const e = obj(s);
    const score = text(e?.score, 512);
    if (e && typeof e.type === 'string' && SEVERITY_TYPES.has(e.type) && score) severity.push({ type: e.type as Advisory['severity'][number]['type'], score });
  }
  const references: string[] = [];
  for (const ref of list(r.references)) {
    const url = text(obj(ref)?.url, 2048);
    if (url && /^https?:\/\//i.test(url) && !references.includes(url)) references.push(url);
    if (references.length >= MAX_REFERENCES) break;
  }
  const summary = text(r.summary, 1024) ?? text(r.details, 1024);
  const published = text(r.published, 64);
  const modified = text(r.modified, 64);
  const withdrawn = text(r.withdrawn, 64);
  return {
    id,
    source,
    aliases: aliasList([...list(r.aliases), ...list(r.upstream)], id),
    ...(summary ? { summary } : {}),
    severity,
    references,
    ...(published ? { published } : {}),
    ...(modified ? { modified } : {}),
    ...(withdrawn ? { withdrawn } : {}),
    affected: affected.map((a, i) => affectedOf(a, `${where} affected[${i}]`)),
  };
}

const BLOCK = 1024 * 1024;
const BLOCKS = 3;

/**
 * A zip reader over one file with a small block cache. yauzl reads each
 * central-directory record, local header and entry body separately; an
 * all.zip holds thousands of small records laid out one after the other,
 * so serving those reads from 1 MiB blocks (the central directory's and the
 * records') cuts the file reads from several per record to about one per
 * megabyte. Memory: BLOCKS blocks (a block grows to one record when a
 * record is larger).
 */
class BlockReader extends yauzl.RandomAccessReader {
  readonly #fh: FileHandle;
  /** Most recently used first. */
  #blocks: { start: number; data: Buffer }[] = [];

  constructor(fh: FileHandle) {
    super();
    this.#fh = fh;
  }

  async #blockAt(pos: number, minLength: number): Promise<{ start: number; data: Buffer }> {
    const i = this.#blocks.findIndex((b) => pos >= b.start && pos + minLength <= b.start + b.data.length);
    if (i >= 0) {
      const [hit] = this.#blocks.splice(i, 1);
      this.#blocks.unshift(hit!);
      return hit!;
    }
    const data = Buffer.allocUnsafe(Math.max(BLOCK, minLength));
    const { bytesRead } = await this.#fh.read(data, 0, data.length, pos);
    const block = { start: pos, data: data.subarray(0, bytesRead) };
    this.#blocks.unshift(block);
    this.#blocks.length = Math.min(this.#blocks.length, BLOCKS);
    return block;
  }

  async *#range(start: number, end: number): AsyncGenerator<Buffer> {
    let pos = start;
    while (pos < end) {
      const b = await this.#blockAt(pos, Math.min(end - pos, BLOCK));
      const to = Math.min(end - b.start, b.data.length);
      if (to <= pos - b.start) throw new Error(`unexpected end of file at ${pos}`);
      // A copy: the block is replaced while the consumer may still hold the chunk.
      yield Buffer.from(b.data.subarray(pos - b.start, to));
      pos = b.start + to;
    }
  }

  override _readStreamForRange(start: number, end: number): Readable {
    return Readable.from(this.#range(start, end), { objectMode: false });
  }

  override close(callback: (err: Error | null) => void): void {
    this.#fh.close().then(() => callback(null), callback);
  }
}

async function openZip(file: string): Promise<yauzl.ZipFile> {
  const fh = await open(file, 'r');
  try {
    const { size } = await fh.stat();
    return await yauzl.fromRandomAccessReaderPromise(new BlockReader(fh), size, { lazyEntries: true, autoClose: true, validateEntrySizes: true, strictFileNames: false, decodeStrings: true });
  } catch (err) {
    await fh.close().catch(() => undefined);
    throw err;
  }
}

async function readEntry(zip: yauzl.ZipFile, entry: yauzl.Entry, limit: number): Promise<Buffer> {
  const stream = await zip.openReadStreamPromise(entry);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      stream.destroy();
      throw new VulnDataError(`${entry.fileName.slice(0, 200)}: larger than ${limit} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * The records of an OSV `all.zip`, one at a time. Entries that are not
 * `*.json` files are skipped; a record that is not valid OSV fails the import
 * (naming the entry), so a corrupt download never half-replaces a source.
 */
export async function* readOsvZip(file: string, source: string, limits: ImportLimits): AsyncGenerator<Advisory> {
  let zip: yauzl.ZipFile;
  try {
    zip = await openZip(file);
  } catch (err) {
    throw new VulnDataError(`not a readable zip file: ${(err as Error).message}`);
  }
  try {
    if (zip.entryCount > limits.maxRecords) throw new VulnDataError(`the zip has ${zip.entryCount} entries, more than the ${limits.maxRecords} allowed`);
    const entries = entryIterator(zip);
    for await (const entry of entries) {
      if (entry.fileName.endsWith('/') || !entry.fileName.toLowerCase().endsWith('.json')) continue;
      const name = entry.fileName.slice(0, 200);
      if (entry.uncompressedSize > limits.maxRecordBytes) throw new VulnDataError(`${name}: ${entry.uncompressedSize} bytes, more than the ${limits.maxRecordBytes} allowed for one record`);
      let raw: unknown;
      try {
        raw = JSON.parse((await readEntry(zip, entry, limits.maxRecordBytes)).toString('utf8'));
      } catch (err) {
        if (err instanceof VulnDataError) throw err;
        throw new VulnDataError(`${name}: ${(err as Error).message}`);
      }
      yield normalizeOsv(raw, source, name);
    }
  } finally {
    zip.close();
  }
}

/** yauzl's lazy entry events as an async iterator (one entry requested at a time). */
async function* entryIterator(zip: yauzl.ZipFile): AsyncGenerator<yauzl.Entry> {
  for (;;) {
    const next = await new Promise<yauzl.Entry | null>((resolve, reject) => {
      const onEntry = (e: yauzl.Entry) => done(() => resolve(e));
      const onEnd = () => done(() => resolve(null));
      const onError = (err: Error) => done(() => reject(new VulnDataError(`corrupt zip: ${err.message}`)));
      const done = (f: () => void) => {
        zip.off('entry', onEntry).off('end', onEnd).off('error', onError);
        f();
      };
      zip.on('entry', onEntry).on('end', onEnd).on('error', onError);
      zip.readEntry();
    });
    if (!next) return;
    yield next;
  }
}
