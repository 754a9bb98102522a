/**
 * Streams one layer blob: sniffs the compression (gzip, zstd or none, by
 * magic bytes rather than the media type, which tools get wrong), decompresses
 * on the fly and walks the tar entries with tar-stream. Nothing is unpacked to
 * disk and no layer is held in memory: each entry's bytes are handed to the
 * caller as they arrive. Uncompressed bytes, entry count and time are bounded;
 * a layer over a bound ends early with a reason instead of an error.
 */
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createZstdDecompress } from 'node:zlib';
import tar from 'tar-stream';
import { normalizeEntryPath } from './paths.ts';

export type EntryType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'other';

/** The subset of tar-stream's entry stream (a streamx Readable) the analyzer uses. */
export interface EntryBody {
  on(event: 'data', fn: (chunk: Buffer) => void): unknown;
  on(event: 'end', fn: () => void): unknown;
  on(event: 'error', fn: (err: Error) => void): unknown;
  pause(): unknown;
  resume(): unknown;
}

export interface TarEntry {
  /** Absolute normalised path. */
  path: string;
  type: EntryType;
  /** Bytes of data stored in the layer for this entry. */
  size: number;
  mode: number;
  /** Symlink or hard-link target as written (not normalised). */
  linkname?: string;
  /** GNU sparse files: the size the file claims (its data is not read). */
  sparseSize?: number;
  body: EntryBody;
}

export interface LayerReadOptions {
  maxEntries: number;
  /** Uncompressed bytes this layer may yield. */
  maxBytes: number;
  signal: AbortSignal;
  /** Called for each entry; must consume `entry.body` (or leave it to the reader, which drains it). */
  onEntry(entry: TarEntry): Promise<void>;
  /** An entry not handed to onEntry, and why. */
  onSkip(name: string, reason: string): void;
  /** Filled as the layer is read, so the counts are known even when reading fails. */
  result?: LayerReadResult;
}

export interface LayerReadResult {
  entries: number;
  /** Uncompressed tar bytes read. */
  bytes: number;
  /** Compressed bytes read from the blob. */
  compressedBytes: number;
  /** Set when the layer was not read to its end: why. */
  truncated?: string;
}

class LimitReached extends Error {}

/** tar-stream's header as it arrives (its `type` is null for entry types it does not know, GNU sparse among them). */
interface RawHeader {
  name: string;
  size?: number;
  mode?: number;
  type?: string | null;
  linkname?: string | null;
  pax?: Record<string, string> | null;
}

const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);
const ZSTD_MAGIC = Buffer.from([0x28, 0xb5, 0x2f, 0xfd]);

/** Reads one layer's entries in order. Rejects only on corrupt data or abort. */
export async function readLayer(blob: Readable, options: LayerReadOptions): Promise<LayerReadResult> {
  const result: LayerReadResult = options.result ?? { entries: 0, bytes: 0, compressedBytes: 0 };
  const head = await peek(blob, 4, options.signal);
  const stages: (NodeJS.ReadableStream | NodeJS.WritableStream | Transform)[] = [];
  const compressedCounter = counter((n) => {
    result.compressedBytes += n;
  });
  stages.push(compressedCounter);
  if (head.subarray(0, 2).equals(GZIP_MAGIC)) stages.push(createGunzip({ chunkSize: 256 * 1024 }));
  else if (head.subarray(0, 4).equals(ZSTD_MAGIC)) stages.push(createZstdDecompress({ chunkSize: 256 * 1024 }));
  stages.push(
    counter((n) => {
      result.bytes += n;
      if (result.bytes > options.maxBytes) {
        throw new LimitReached(`layer larger than ${options.maxBytes} bytes uncompressed: the rest was not read`);
      }
    }),
  );
  const extract = tar.extract();
  const piped = pipeline([blob, ...stages, extract] as unknown as [Readable, Transform], { signal: options.signal });
  // Errors surface through the iterator below; this keeps an early failure from being unhandled.
  piped.catch(() => {});

  try {
    for await (const raw of extract) {
      const entry = raw as unknown as EntryBody & { header: RawHeader };
      result.entries += 1;
      if (result.entries > options.maxEntries) {
        throw new LimitReached(`more than ${options.maxEntries} entries: the rest of the layer was not read`);
      }
      await handle(entry, options);
    }
    await piped;
  } catch (err) {
    if (err instanceof LimitReached) {
      result.truncated = err.message;
      blob.destroy();
      return result;
    }
    const cause = (err as { cause?: unknown }).cause;
    if (cause instanceof LimitReached) {
      result.truncated = cause.message;
      blob.destroy();
      return result;
    }
    blob.destroy();
    throw err;
  }
  return result;
}

async function handle(entry: EntryBody & { header: RawHeader }, options: LayerReadOptions): Promise<void> {
  const h = entry.header;
  const pax = h.pax ?? undefined;
  // PAX 1.0 sparse files carry their real name in GNU.sparse.name.
  const name = pax?.['GNU.sparse.name'] ?? h.name;
  const normalized = normalizeEntryPath(name);
  if ('error' in normalized) {
    options.onSkip(name.slice(0, 512), normalized.error);
    await drain(entry);
    return;
  }
  const sparse = pax?.['GNU.sparse.realsize'] ?? pax?.['GNU.sparse.size'];
  const tarEntry: TarEntry = {
    path: normalized.path,
    type: typeOf(h.type),
    size: h.size ?? 0,
    mode: h.mode ?? 0,
    body: entry,
  };
  if (h.linkname) tarEntry.linkname = h.linkname;
  if (sparse !== undefined || pax?.['GNU.sparse.major'] !== undefined) tarEntry.sparseSize = Number(sparse ?? 0);
  let ended = false;
  entry.on('end', () => {
    ended = true;
  });
  await options.onEntry(tarEntry);
  if (!ended) await drain(entry);
}

function typeOf(t: string | null | undefined): EntryType {
  switch (t) {
    case 'file':
    case 'contiguous-file':
      return 'file';
    case 'directory':
      return 'directory';
    case 'symlink':
      return 'symlink';
    case 'link':
      return 'hardlink';
    default:
      return 'other';
  }
}

/** Reads whatever the handler left of an entry (tar-stream needs each entry consumed before the next). */
export function drain(body: EntryBody): Promise<void> {
  const b = body;
  return new Promise((resolve) => {
    let done = false;
    const finish = (): void => {
      if (!done) {
        done = true;
        resolve();
      }
    };
    b.on('end', finish);
    b.on('error', finish);
    (b as unknown as { on(e: 'close', fn: () => void): unknown }).on('close', finish);
    b.on('data', () => {});
    b.resume();
  });
}

function counter(onBytes: (n: number) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback) {
      try {
        onBytes(chunk.byteLength);
      } catch (err) {
        cb(err as Error);
        return;
      }
      cb(null, chunk);
    },
  });
}

/** Reads the first `n` bytes (fewer at end of stream) and puts them back. */
function peek(stream: Readable, n: number, signal: AbortSignal): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let have = 0;
    const onAbort = (): void => {
      cleanup();
      stream.destroy();
      reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    };
    const cleanup = (): void => {
      stream.off('readable', onReadable);
      stream.off('end', onEnd);
      stream.off('error', onError);
      signal.removeEventListener('abort', onAbort);
    };
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    const finish = (): void => {
      cleanup();
      const head = Buffer.concat(parts);
      if (head.length > 0) stream.unshift(head);
      resolve(head);
    };
    const onReadable = (): void => {
      let chunk: Buffer | null;
      while (have < n && (chunk = stream.read() as Buffer | null) !== null) {
        parts.push(chunk);
        have += chunk.length;
      }
      if (have >= n) finish();
    };
    const onEnd = (): void => finish();
    const onError = (err: Error): void => {
      cleanup();
      reject(err);
    };
    stream.on('readable', onReadable);
    stream.on('end', onEnd);
    stream.on('error', onError);
  });
}
