/**
 * Upload sessions served by two upload managers on one database and one
 * storage directory (what two processes share): chunks alternating between
 * them give the right digest, and two requests on one session never write
 * at once. The two-process version is test/e2e/multiprocess.test.ts.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { testDatabases } from '../../test/support/databases.ts';
import { openDatabase } from '../platform/db/database.ts';
import type { Db } from '../platform/db/schema.ts';
import { FilesystemStorage } from '../storage/filesystem.ts';
import { parseDigest } from '../oci/digest.ts';
import { RegistryError } from '../oci/errors.ts';
import { UploadManager } from './uploads.ts';

const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

for (const kind of await testDatabases()) {
  describe(`upload sessions across two managers on ${kind.name}`, { skip: kind.skip }, () => {
    let dir: string;
    let dbA: Db;
    let dbB: Db;
    let a: UploadManager;
    let b: UploadManager;

    before(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'berth-uploads-'));
      const url = await kind.createUrl(dir);
      dbA = await openDatabase(url);
      dbB = await openDatabase(url);
      const root = path.join(dir, 'storage');
      a = new UploadManager(dbA, await FilesystemStorage.open({ root, fsync: false }));
      b = new UploadManager(dbB, await FilesystemStorage.open({ root, fsync: false }));
    });
    after(async () => {
      await dbA?.destroy();
      await dbB?.destroy();
      await rm(dir, { recursive: true, force: true });
    });

    test('chunks alternating between the two complete with the right digest, whichever finishes', async () => {
      for (const [starter, finisher] of [[a, b], [b, a], [a, a]] as const) {
        const blob = randomBytes(40_000);
        const { id } = await starter.start('team/app');
        const managers = [a, b];
        let offset = 0;
        for (let i = 0; offset < blob.length - 5_000; i++) {
          const chunk = blob.subarray(offset, offset + 7_000);
          const s = await managers[i % 2]!.append('team/app', id, Readable.from([chunk]), { start: offset, end: offset + chunk.length - 1 });
          offset += chunk.length;
          assert.equal(s.size, offset);
          assert.equal((await managers[(i + 1) % 2]!.status('team/app', id)).size, offset, 'the other one sees the same size at once');
        }
        const size = await finisher.complete('team/app', id, parseDigest(sha256(blob)), Readable.from([blob.subarray(offset)]), { start: offset, end: blob.length - 1 });
        assert.equal(size, blob.length);
      }
    });

    test('a wrong digest is still refused after alternating chunks', async () => {
      const { id } = await a.start('team/app');
      await a.append('team/app', id, Readable.from([Buffer.from('hello ')]));
      await b.append('team/app', id, Readable.from([Buffer.from('world')]));
      await assert.rejects(a.complete('team/app', id, parseDigest(sha256(Buffer.from('hello there'))), undefined), (e: unknown) => e instanceof RegistryError && e.code === 'DIGEST_INVALID');
    });

    test('a request on a session another one is writing is refused as out of order (416), and nothing is lost', async () => {
      const { id } = await a.start('team/app');
      const slow = new Readable({ read() {} });
      slow.push(Buffer.alloc(1000, 1));
      const writing = a.append('team/app', id, slow);
      await new Promise((r) => setTimeout(r, 200));
      await assert.rejects(b.append('team/app', id, Readable.from([Buffer.alloc(10, 2)])), (e: unknown) => e instanceof RegistryError && e.code === 'UPLOAD_RANGE_INVALID');
      await assert.rejects(a.append('team/app', id, Readable.from([Buffer.alloc(10, 2)])), (e: unknown) => e instanceof RegistryError && e.code === 'UPLOAD_RANGE_INVALID');
      slow.push(null);
      assert.equal((await writing).size, 1000);
      const next = await b.append('team/app', id, Readable.from([Buffer.alloc(10, 2)]), { start: 1000, end: 1009 });
      assert.equal(next.size, 1010);
      await b.complete('team/app', id, parseDigest(sha256(Buffer.concat([Buffer.alloc(1000, 1), Buffer.alloc(10, 2)]))), undefined);
    });
  });
}
