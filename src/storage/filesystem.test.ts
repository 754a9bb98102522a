import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { after, test } from 'node:test';
import { parseDigest } from '../oci/digest.ts';
import { FilesystemStorage } from './filesystem.ts';

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function storeBlob(data: Buffer) {
  const root = await mkdtemp(path.join(os.tmpdir(), 'berth-fs-'));
  dirs.push(root);
  const storage = await FilesystemStorage.open({ root, fsync: false });
  const id = '00000000-0000-4000-8000-00000000000a';
  await storage.createUpload(id);
  assert.equal(await storage.appendUpload(id, 0, Readable.from([data])), data.length);
  const digest = parseDigest(`sha256:${createHash('sha256').update(data).digest('hex')}`);
  await storage.commitUpload(id, digest);
  return { storage, digest };
}

/** A slow consumer with a small buffer, so the copy must respect backpressure. */
function collector(): { out: Writable; bytes: () => Buffer } {
  const chunks: Buffer[] = [];
  const out = new Writable({
    highWaterMark: 64 * 1024,
    write(chunk: Buffer, _enc, cb) {
      chunks.push(Buffer.from(chunk)); // copy: the source buffer is reused afterwards
      setImmediate(cb);
    },
  });
  return { out, bytes: () => Buffer.concat(chunks) };
}

test('copyTo writes whole blobs and ranges byte for byte, across buffer reuse', async () => {
  const data = randomBytes(5 * 1024 * 1024 + 123);
  const { storage, digest } = await storeBlob(data);
  for (let round = 0; round < 3; round++) {
    const whole = collector();
    await storage.copyTo(digest, whole.out);
    assert.ok(whole.bytes().equals(data), `round ${round}: whole blob`);
  }
  const part = collector();
  await storage.copyTo(digest, part.out, { start: 1_000_000, end: 3_500_000 });
  assert.ok(part.bytes().equals(data.subarray(1_000_000, 3_500_001)));
});

test('copyTo rejects when the consumer fails, and later copies are still correct', async () => {
  const data = randomBytes(6 * 1024 * 1024);
  const { storage, digest } = await storeBlob(data);
  let written = 0;
  const failing = new Writable({
    write(chunk: Buffer, _enc, cb) {
      written += chunk.length;
      cb(written > 2 * 1024 * 1024 ? new Error('client went away') : null);
    },
  });
  failing.on('error', () => {});
  await assert.rejects(storage.copyTo(digest, failing), /client went away|closed|destroyed/);
  const good = collector();
  await storage.copyTo(digest, good.out);
  assert.ok(good.bytes().equals(data));
});
