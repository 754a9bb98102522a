/**
 * Blob upload sessions: monolithic, chunked and streamed. Bytes stream to the
 * storage driver while being hashed, so memory stays flat; the digest is
 * verified before the blob becomes visible. The running sha256 state lives in
 * memory keyed by session; after a restart (or a failed chunk) it is rebuilt
 * from the stored bytes, so every session stays resumable. A refused or
 * aborted chunk is cut off again, so it never changes the session.
 *
 * Several processes may serve one session (chunks through A and B behind a
 * load balancer): the file on shared storage is the truth, requests on one
 * session are serialised through a lease in the database (`upload:<id>`),
 * and each successful request bumps the session's version, so a process's
 * running hash is used only while it matches both the file's size and the
 * session's version (else the digest is computed from the stored bytes).
 */
import { createHash, randomUUID, type Hash } from 'node:crypto';
import { Transform, pipeline, type Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BlobStorage } from '../storage/driver.ts';
import type { Db } from '../platform/db/schema.ts';
import { RegistryError } from '../oci/errors.ts';
import type { Digest, DigestAlgorithm } from '../oci/digest.ts';
import { LeaseManager, instanceId } from '../platform/leases/leases.ts';
import { linkBlob } from './metadata.ts';
import { assertRepositoryName } from '../oci/names.ts';

export interface UploadStatus {
  id: string;
  /** Bytes received so far. */
  size: number;
}

interface HashState {
  hash: Hash;
  /** Bytes hashed; valid only while equal to the stored size. */
  offset: number;
  /** The session version the hash belongs to (uploads.version after this process's last request). */
  version: number;
}

/**
 * How long one request holds a session before another process may take it;
 * renewed every third of it while the request runs. Short, because it is also
 * about how long a request waits for the session: the holder may be an
 * aborted chunk still being cut back or a process that died (kill -9), and the
 * client's retry must not be refused for that. A live writer keeps renewing,
 * so a truly concurrent request still gets 416 after the wait.
 */
const SESSION_LEASE_MS = 3_000;
/** How often a waiting request looks at the session's lease again. */
const LEASE_POLL_MS = 50;

const UPLOAD_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export class UploadManager {
  readonly #db: Db;
  readonly #storage: BlobStorage;
  readonly #hashes = new Map<string, HashState>();
  /** Sessions with a request in progress here, and its end: one request at a time per session. */
  readonly #busy = new Map<string, Promise<unknown>>();
  /** The same across processes. */
  readonly #leases: LeaseManager;
  /** Observed by metrics: sessions created and not yet finished here. */
  onCountChange: (active: number) => void = () => {};

  constructor(db: Db, storage: BlobStorage) {
    this.#db = db;
    this.#storage = storage;
    this.#leases = new LeaseManager(db, instanceId());
  }

  async start(repository: string): Promise<UploadStatus> {
    assertRepositoryName(repository);
    const id = randomUUID();
    const now = Date.now();
    await this.#storage.createUpload(id);
    await this.#db.insertInto('uploads').values({ id, repository, created_at: now, updated_at: now }).execute();
    this.#hashes.set(id, { hash: createHash('sha256'), offset: 0, version: 0 });
    this.onCountChange(this.#hashes.size);
    return { id, size: 0 };
  }

  /** Current status, or BLOB_UPLOAD_UNKNOWN. */
  async status(repository: string, id: string): Promise<UploadStatus> {
    await this.#session(repository, id);
    const size = await this.#storage.uploadSize(id);
    if (size === undefined) throw unknownUpload(id);
    return { id, size };
  }

  /**
   * Appends a chunk. `range` is the chunk's Content-Range when given: it must
   * start where the session ends.
   */
  async append(repository: string, id: string, source: Readable, range?: { start: number; end: number }): Promise<UploadStatus> {
    return this.#exclusive(id, async () => {
      const size = await this.status(repository, id).then((s) => s.size);
      if (range && range.start !== size) {
        throw new RegistryError('UPLOAD_RANGE_INVALID', `chunk starts at ${range.start} but the upload has ${size} bytes`, { size });
      }
      const newSize = await this.#writeChunk(id, size, source, range);
      await this.#db.updateTable('uploads').set({ updated_at: Date.now() }).where('id', '=', id).execute();
      return { id, size: newSize };
    });
  }

  /**
   * Appends the optional final chunk, verifies the digest and makes the blob
   * visible in the repository. Returns the blob size.
   */
  async complete(repository: string, id: string, digest: Digest, source: Readable | undefined, range?: { start: number; end: number }): Promise<number> {
    return this.#exclusive(id, async () => {
      let size = (await this.status(repository, id)).size;
      if (range && range.start !== size) {
        throw new RegistryError('UPLOAD_RANGE_INVALID', `final chunk starts at ${range.start} but the upload has ${size} bytes`, { size });
      }
      if (source) size = await this.#writeChunk(id, size, source, range);
      const actual = await this.#digest(id, size, digest.algorithm);
      if (actual !== digest.hex) {
        await this.#discard(id);
        throw new RegistryError('DIGEST_INVALID', `uploaded content has digest ${digest.algorithm}:${actual}, not ${digest.value}`);
      }
      if ((await this.#storage.stat(digest)) === size) {
        await this.#storage.deleteUpload(id); // already stored: deduplicated
      } else {
        await this.#storage.commitUpload(id, digest);
      }
      await this.#db.transaction().execute(async (trx) => {
        await linkBlob(trx, repository, digest.value, size);
        await trx.deleteFrom('uploads').where('id', '=', id).execute();
      });
      this.#forget(id);
      return size;
    });
  }

  async cancel(repository: string, id: string): Promise<void> {
    await this.#session(repository, id);
    await this.#discard(id);
  }

  /** Deletes sessions idle for longer than `ttlMs` and orphaned upload files. */
  async purgeExpired(ttlMs: number): Promise<number> {
    const cutoff = Date.now() - ttlMs;
    const expired = await this.#db.selectFrom('uploads').select('id').where('updated_at', '<', cutoff).execute();
    for (const { id } of expired) if (!this.#busy.has(id) && !(await this.#leases.holder(`upload:${id}`))) await this.#discard(id);
    // Files first, rows second: a session started in between has a file and
    // a row, and only files idle past the TTL can be orphans at all (start()
    // creates the file a moment before its row).
    const files = (await this.#storage.listUploads()).filter((f) => f.modifiedAt < cutoff);
    const known = new Set((await this.#db.selectFrom('uploads').select('id').execute()).map((r) => r.id));
    let orphans = 0;
    for (const { id } of files) {
      if (!known.has(id) && !this.#busy.has(id)) {
        await this.#storage.deleteUpload(id);
        orphans++;
      }
    }
    return expired.length + orphans;
  }

  async #session(repository: string, id: string): Promise<void> {
    assertRepositoryName(repository);
    if (!UPLOAD_ID.test(id)) throw unknownUpload(id);
    const row = await this.#db.selectFrom('uploads').select('repository').where('id', '=', id).executeTakeFirst();
    if (!row || row.repository !== repository) throw unknownUpload(id);
  }

  /**
   * Writes one chunk at `offset` (the current size). A chunk that fails
   * (client abort, storage error) or whose length differs from its
   * Content-Range is undone: the file is cut back to `offset` and the running
   * hash restored, so the session is exactly as before and the client can
   * resend the chunk from the same offset.
   */
  async #writeChunk(id: string, offset: number, source: Readable, range?: { start: number; end: number }): Promise<number> {
    const state = this.#hashes.get(id);
    const current = state && state.offset === offset ? state : undefined;
    const saved = current?.hash.copy();
    try {
      const size = await this.#write(id, offset, source, current);
      const announced = range ? range.end - range.start + 1 : undefined;
      if (announced !== undefined && size - offset !== announced) {
        throw new RegistryError('BLOB_UPLOAD_INVALID', `Content-Range announced ${announced} bytes but ${size - offset} arrived`, { size: offset });
      }
      return size;
    } catch (err) {
      source.destroy();
      try {
        await this.#storage.truncateUpload(id, offset);
        if (current && saved) {
          current.hash = saved;
          current.offset = offset;
        }
      } catch {
        // The file could not be cut back (e.g. cancelled meanwhile): the
        // hash no longer matches it, so it is rebuilt from storage if needed.
        if (current) current.offset = -1;
      }
      throw err;
    }
  }

  async #write(id: string, offset: number, source: Readable, state: HashState | undefined): Promise<number> {
    // pipeline (not pipe) so a client abort on `source` fails the write too.
    const input = state ? pipeline(source, hashThrough(state.hash), () => {}) : source;
    const size = await this.#storage.appendUpload(id, offset, input);
    if (state) state.offset = size;
    return size;
  }

  /** The hex digest of the upload, from the running hash when it is current. */
  async #digest(id: string, size: number, algorithm: DigestAlgorithm): Promise<string> {
    const state = this.#hashes.get(id);
    if (algorithm === 'sha256' && state && state.offset === size) return state.hash.digest('hex');
    const hash = createHash(algorithm);
    for await (const chunk of this.#storage.readUpload(id)) hash.update(chunk as Buffer);
    return hash.digest('hex');
  }

  async #discard(id: string): Promise<void> {
    await this.#storage.deleteUpload(id);
    await this.#db.deleteFrom('uploads').where('id', '=', id).execute();
    this.#forget(id);
  }

  #forget(id: string): void {
    if (this.#hashes.delete(id)) this.onCountChange(this.#hashes.size);
  }

  /**
   * Runs one request on session `id`, alone across all processes: a request
   * arriving while another writes is out of order by definition (its start
   * cannot be the session's end), answered 416 as the distribution spec says.
   */
  async #exclusive<T>(id: string, fn: () => Promise<T>): Promise<T> {
    if (!UPLOAD_ID.test(id)) throw unknownUpload(id);
    // Wait for a request in progress here (an aborted chunk being cut back),
    // then for one in another process; a chunk still out of order after that
    // is refused by its Content-Range check.
    const deadline = Date.now() + SESSION_LEASE_MS + 500;
    for (let running = this.#busy.get(id); running; running = this.#busy.get(id)) {
      const left = deadline - Date.now();
      if (left <= 0) throw concurrentRequest();
      await Promise.race([running.catch(() => undefined), sleep(left)]);
    }
    let release!: () => void;
    this.#busy.set(id, new Promise<void>((resolve) => (release = resolve)));
    const lease = `upload:${id}`;
    let renewer: NodeJS.Timeout | undefined;
    try {
      while (!(await this.#leases.acquire(lease, SESSION_LEASE_MS))) {
        if (Date.now() > deadline) throw concurrentRequest();
        await sleep(LEASE_POLL_MS);
      }
      renewer = setInterval(() => void this.#leases.renew(lease, SESSION_LEASE_MS).catch(() => false), SESSION_LEASE_MS / 3);
      renewer.unref();
      const row = await this.#db.selectFrom('uploads').select('version').where('id', '=', id).executeTakeFirst();
      const state = this.#hashes.get(id);
      // Another process wrote since this one hashed: the hash is not the file's.
      if (state && row && state.version !== Number(row.version)) state.offset = -1;
      const result = await fn();
      if (row) {
        await this.#db.updateTable('uploads').set((eb) => ({ version: eb('version', '+', 1) })).where('id', '=', id).execute();
        const after = this.#hashes.get(id);
        if (after) after.version = Number(row.version) + 1;
      }
      return result;
    } finally {
      clearInterval(renewer);
      await this.#leases.release(lease).catch(() => false);
      this.#busy.delete(id);
      release();
    }
  }
}

function hashThrough(hash: Hash): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      callback(null, chunk);
    },
  });
}

function concurrentRequest(): RegistryError {
  return new RegistryError('UPLOAD_RANGE_INVALID', 'another request is writing to this upload session; resume from the size a GET on the session reports');
}

function unknownUpload(id: string): RegistryError {
  return new RegistryError('BLOB_UPLOAD_UNKNOWN', `upload ${JSON.stringify(id.slice(0, 80))} is unknown or has expired`);
}
