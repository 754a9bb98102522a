/**
 * Turns one file into a stream of `Advisory` records: picks (or sniffs) the
 * format, names the source when the caller did not, and reads the file with
 * the format's bounded parser. Formats that are one JSON document (secdb,
 * tracker) are read whole up to `maxJsonBytes`; OSV zips and DSA/DLA lists
 * are streamed.
 */
import { open, readFile, stat } from 'node:fs/promises';
import type { Advisory } from '../types.ts';
import { parseAlpineSecdb } from './alpine-secdb.ts';
import { parseDebianList } from './debian-list.ts';
import { parseDebianTracker } from './debian-tracker.ts';
import { readOsvZip } from './osv.ts';
import { IMPORT_FORMATS, VulnDataError, type ImportFormat, type ImportLimits } from './records.ts';

/** Source names: letters, digits and `._:-`, up to 128 characters. */
export const SOURCE_NAME = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export interface ImportStream {
  format: ImportFormat;
  /** The source the records go to. */
  source: string;
  records: AsyncIterable<Advisory>;
  /** The data's own version, known once `records` has been read through. */
  version(): string | undefined;
}

/** Guesses the format from the first bytes; undefined when nothing fits. */
export async function sniffFormat(file: string): Promise<ImportFormat | undefined> {
  const fh = await open(file, 'r');
  let head: string;
  let bytes: Buffer;
  try {
    bytes = Buffer.alloc(64 * 1024);
    const { bytesRead } = await fh.read(bytes, 0, bytes.length, 0);
    bytes = bytes.subarray(0, bytesRead);
    head = bytes.toString('utf8');
  } finally {
    await fh.close();
  }
  if (bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && (bytes[2] === 3 || bytes[2] === 5)) return 'osv';
  const t = head.replace(/^\uFEFF/, '').trimStart();
  const list = /^\[\d{1,2} [A-Z][a-z]{2} \d{4}\] (DSA|DLA)-/.exec(t);
  if (list) return list[1] === 'DSA' ? 'debian-dsa' : 'debian-dla';
  if (t.startsWith('{')) {
    if (/"distroversion"\s*:/.test(head)) return 'alpine-secdb';
    if (/^\{\s*"[^"]{1,200}"\s*:\s*\{\s*("[A-Z]+-[^"]*"\s*:\s*\{|\})/.test(t)) return 'debian-tracker';
  }
  return undefined;
}

async function readJson(file: string, limits: ImportLimits): Promise<unknown> {
  const { size } = await stat(file);
  if (size > limits.maxJsonBytes) throw new VulnDataError(`the JSON document is ${size} bytes, more than the ${limits.maxJsonBytes} allowed`);
  try {
    return JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new VulnDataError(`not valid JSON: ${(err as Error).message.slice(0, 200)}`);
  }
}

async function* fromArray(items: Advisory[]): AsyncGenerator<Advisory> {
  yield* items;
}

function checkSource(name: string): string {
  if (!SOURCE_NAME.test(name)) throw new VulnDataError(`${JSON.stringify(name.slice(0, 140))} is not a source name: letters, digits and ._:- (up to 128, starting with a letter or digit)`);
  return name;
}

/**
 * The newest of ISO timestamps (string order is time order for RFC 3339 in
 * UTC). Placeholders before 1970 (golang/vulndb's files say
 * `0001-01-01T00:00:00Z` until osv.dev fills them in) are no date.
 */
function newer(a: string | undefined, b: string | undefined): string | undefined {
  if (!b || b < '1970') return a;
  return !a || b > a ? b : a;
}

export async function openImport(file: string, options: { format?: ImportFormat | undefined; source?: string | undefined }, limits: ImportLimits): Promise<ImportStream> {
  const { size } = await stat(file);
  if (size > limits.maxFileBytes) throw new VulnDataError(`the file is ${size} bytes, more than the ${limits.maxFileBytes} allowed`);
  const format = options.format ?? (await sniffFormat(file));
  if (!format) throw new VulnDataError(`cannot tell the format of the file; give it: ${IMPORT_FORMATS.join(', ')}`);
  if (options.source !== undefined) checkSource(options.source);

  switch (format) {
    case 'osv': {
      // The source is named after the records' ecosystem (`osv-Go`), known from the first record.
      let source = options.source;
      let version: string | undefined;
      const records = (async function* () {
        for await (const a of readOsvZip(file, source ?? 'osv', limits)) {
          if (!source) {
            const eco = a.affected[0]?.ecosystem.split(':', 1)[0];
            source = checkSource(`osv-${eco ?? 'unknown'}`.replace(/[^A-Za-z0-9._:-]/g, '_'));
          }
          a.source = source;
          version = newer(version, newer(a.modified, a.published));
          yield a;
        }
      })();
      // Peek one record so the source name is known before anything is written.
      const first = await records.next();
      const rest = (async function* () {
        if (!first.done) yield first.value;
        yield* records;
      })();
      return { format, source: source ?? checkSource('osv-empty'), records: rest, version: () => version };
    }
    case 'alpine-secdb': {
      const parsed = parseAlpineSecdb(await readJson(file, limits), options.source ?? 'alpine-secdb', limits);
      const source = options.source ?? checkSource(`alpine-secdb-${parsed.release}-${parsed.repository}`);
      for (const a of parsed.advisories) a.source = source;
      return { format, source, records: fromArray(parsed.advisories), version: () => `${parsed.release}/${parsed.repository}` };
    }
    case 'debian-tracker': {
      const source = options.source ?? 'debian-tracker';
      return { format, source, records: fromArray(parseDebianTracker(await readJson(file, limits), source, limits)), version: () => undefined };
    }
    case 'debian-dsa':
    case 'debian-dla': {
      const parsed = await parseDebianList(file, options.source, limits);
      if (parsed.kind !== format) throw new VulnDataError(`the file is a ${parsed.kind === 'debian-dsa' ? 'DSA' : 'DLA'} list, not ${format}`);
      return { format, source: options.source ?? parsed.kind, records: fromArray(parsed.advisories), version: () => parsed.newest };
    }
  }
}
