/**
 * Files to import, kept in a private temporary directory: an upload's body or
 * a URL's download, each streamed to disk with a byte bound (never held in
 * memory), removed when the import ends whatever its outcome.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { DomainError } from '../../core/errors.ts';
import { VulnDataError } from './records.ts';

export interface TempFile {
  file: string;
  bytes: number;
  remove(): Promise<void>;
}

/** Thrown when a body or download exceeds the limit (413 at the API). */
export class TooLargeError extends VulnDataError {
  constructor(limit: number) {
    super(`the file is larger than the ${limit} bytes allowed (vulndbMaxImportBytes)`);
    this.name = 'TooLargeError';
  }
}

/** Streams `body` to a new temporary file, failing once more than `maxBytes` arrived. */
export async function toTempFile(body: AsyncIterable<Uint8Array> | Readable, maxBytes: number): Promise<TempFile> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'berth-vulndb-'));
  const file = path.join(dir, 'import');
  const remove = () => rm(dir, { recursive: true, force: true });
  let bytes = 0;
  const bound = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      if (bytes > maxBytes) done(new TooLargeError(maxBytes));
      else done(null, chunk);
    },
  });
  try {
    await pipeline(body instanceof Readable ? body : Readable.from(body), bound, createWriteStream(file, { mode: 0o600 }));
  } catch (err) {
    await remove();
    throw err;
  }
  return { file, bytes, remove };
}

/**
 * Downloads `url` (http or https only, redirects followed) to a temporary
 * file, bounded in bytes and time. Failures of the other side are
 * `unavailable`; a bad URL is `invalid`.
 */
export async function download(url: string, options: { maxBytes: number; timeoutMs: number }): Promise<TempFile> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new VulnDataError(`${JSON.stringify(url.slice(0, 200))} is not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new VulnDataError('only http and https URLs can be imported');
  if (parsed.username || parsed.password) throw new VulnDataError('URLs with credentials are not accepted (they would be kept in the audit log)');
  const signal = AbortSignal.timeout(options.timeoutMs);
  let res: Response;
  try {
    res = await fetch(parsed, { signal, redirect: 'follow', headers: { 'user-agent': 'berth-vulndb' } });
  } catch (err) {
    throw new DomainError('unavailable', `cannot download ${parsed.origin}${parsed.pathname}: ${describe(err)}`);
  }
  if (!res.ok || !res.body) {
    await res.body?.cancel();
    throw new DomainError('unavailable', `downloading ${parsed.origin}${parsed.pathname} answered HTTP ${res.status}`);
  }
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > options.maxBytes) {
    await res.body.cancel();
    throw new TooLargeError(options.maxBytes);
  }
  try {
    return await toTempFile(Readable.fromWeb(res.body as WebReadableStream<Uint8Array>), options.maxBytes);
  } catch (err) {
    if (err instanceof DomainError) throw err;
    throw new DomainError('unavailable', `downloading ${parsed.origin}${parsed.pathname} failed: ${describe(err)}`);
  }
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return 'timed out';
  const cause = (err as Error & { cause?: unknown }).cause;
  return cause instanceof Error ? cause.message : err.message;
}
