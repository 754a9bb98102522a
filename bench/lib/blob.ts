/**
 * Single-stream large-blob transfer: this machine's SHA-256 speed ("the
 * limit": a registry that verifies the digest while receiving cannot beat it
 * on one stream) and its disk's write+fsync speed, then a monolithic push
 * (POST + PUT ?digest=) of a pseudo-random blob generated on the fly and a
 * pull streamed to /dev/null with the digest verified while reading. The
 * transfers are done by `zb-compat blob` (Go, see bench/zb-compat/blob.go):
 * a Node client tops out at a few hundred MB/s on loopback and would measure
 * itself. Nothing holds the blob in memory.
 */
import { createHash, randomFillSync } from 'node:crypto';
import { closeSync, fsyncSync, openSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { runCommand } from './children.ts';

export const MB = 1_000_000;

export interface ShaLimit {
  /** best of the rounds, MB/s (1 MB = 10^6 bytes) */
  mbPerSec: number;
  rounds: number[];
  bufferBytes: number;
}

/** Hashes a 256 MiB buffer `rounds` times with node:crypto; MB/s of each round. */
export function measureSha256(rounds = 4, bufferBytes = 256 * 1024 * 1024): ShaLimit {
  const buf = Buffer.allocUnsafe(bufferBytes);
  randomFillSync(buf);
  createHash('sha256').update(buf.subarray(0, 16 * 1024 * 1024)).digest(); // warm-up
  const results: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    createHash('sha256').update(buf).digest();
    const s = (performance.now() - t0) / 1000;
    results.push(bufferBytes / MB / s);
  }
  return { mbPerSec: Math.max(...results), rounds: results, bufferBytes };
}

export interface DiskLimit {
  mbPerSec: number;
  bytes: number;
  seconds: number;
  dir: string;
}

/** Writes `bytes` (1 MiB writes of random data) to a file in `dir` and fsyncs it: MB/s. */
export function measureDiskWrite(dir: string, bytes = 1024 * 1024 * 1024): DiskLimit {
  const file = path.join(dir, 'disk-speed.tmp');
  const chunk = Buffer.allocUnsafe(1024 * 1024);
  randomFillSync(chunk);
  const fd = openSync(file, 'w');
  const t0 = performance.now();
  try {
    for (let done = 0; done < bytes; done += chunk.length) writeSync(fd, chunk, 0, Math.min(chunk.length, bytes - done));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  const seconds = (performance.now() - t0) / 1000;
  rmSync(file, { force: true });
  return { mbPerSec: bytes / MB / seconds, bytes, seconds, dir };
}

export interface Transfer {
  bytes: number;
  seconds: number;
  mbPerSec: number;
  digest: string;
  /** push only: time to generate and hash the blob once before the push */
  digestSeconds?: number;
}

export interface BlobTarget {
  url: string;
  repository: string;
  /** zb-style user:pass */
  auth?: string;
}

async function blobCommand(tool: string, args: string[]): Promise<Transfer> {
  const r = await runCommand(tool, ['blob', ...args], { timeoutMs: 20 * 60_000 });
  if (r.code !== 0) throw new Error(`zb-compat blob ${args[0]} failed (exit ${r.code}): ${r.stderr.trim()}`);
  return JSON.parse(r.stdout) as Transfer;
}

/** Monolithic push of `bytes` pseudo-random bytes generated on the fly. */
export function pushBlob(tool: string, t: BlobTarget, bytes: number): Promise<Transfer> {
  return blobCommand(tool, ['push', ...(t.auth ? ['-A', t.auth] : []), '-repo', t.repository, '-size', String(bytes), t.url]);
}

/** Pull to /dev/null, verifying digest and size while reading. */
export function pullBlob(tool: string, t: BlobTarget, digest: string, bytes: number): Promise<Transfer> {
  return blobCommand(tool, ['pull', ...(t.auth ? ['-A', t.auth] : []), '-repo', t.repository, '-digest', digest, '-size', String(bytes), t.url]);
}
