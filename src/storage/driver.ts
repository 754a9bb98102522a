/**
 * The blob storage interface: a content-addressed store shared by all
 * repositories (deduplicated), plus upload sessions. Drivers know nothing of
 * repositories, permissions or metadata; visibility lives in the database.
 * Digests and upload ids reach a driver already validated.
 */
import type { Readable, Writable } from 'node:stream';
import type { Digest } from '../oci/digest.ts';

export interface BlobStorage {
  /** Size in bytes of a committed blob, or undefined when absent. */
  stat(digest: Digest): Promise<number | undefined>;
  /** Streams a committed blob, or the inclusive byte range of it. */
  read(digest: Digest, range?: { start: number; end: number }): Readable;
  /**
   * Writes a committed blob (or the inclusive range) to `out` with
   * backpressure and resolves when every byte was handed to it. Drivers may
   * reuse their buffers here, which `read` cannot do safely.
   */
  copyTo(digest: Digest, out: Writable, range?: { start: number; end: number }): Promise<void>;
  /** Removes a committed blob (garbage collection). Absent is not an error. */
  delete(digest: Digest): Promise<void>;

  /** Starts an empty upload. */
  createUpload(id: string): Promise<void>;
  /** Bytes received so far, or undefined when the upload does not exist. */
  uploadSize(id: string): Promise<number | undefined>;
  /**
   * Writes `source` into the upload at `offset` (the current size) with
   * backpressure, and resolves with the new size. On failure the upload may
   * hold part of the data; `uploadSize` tells how much.
   */
  appendUpload(id: string, offset: number, source: Readable): Promise<number>;
  /** Streams the upload's bytes, to re-hash it after a restart. */
  readUpload(id: string): Readable;
  /** Makes the upload the blob `digest`, atomically. The upload is gone after. */
  commitUpload(id: string, digest: Digest): Promise<void>;
  /** Discards an upload. Absent is not an error. */
  deleteUpload(id: string): Promise<void>;
  /** All uploads present with their last write time (epoch ms), for expiry sweeps. */
  listUploads(): Promise<{ id: string; modifiedAt: number }[]>;
}
