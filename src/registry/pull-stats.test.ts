/** The batched pull counter on SQLite and PostgreSQL: aggregation, flush triggers, retry after a failed write, close. */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Registry as PromRegistry } from 'prom-client';
import { testDatabases } from '../../test/support/databases.ts';
import { openDatabase } from '../platform/db/database.ts';
import type { Db } from '../platform/db/schema.ts';
import { ensureRepository } from './metadata.ts';
import { PullStats } from './pull-stats.ts';

const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;

async function addManifest(db: Db, repository: string, digest: string): Promise<void> {
  await ensureRepository(db, repository);
  await db
    .insertInto('manifests')
    .values({ repository, digest, media_type: 'application/vnd.oci.image.manifest.v1+json', size: 2, content: new Uint8Array([123, 125]), artifact_type: null, subject_digest: null, annotations: null, created_at: Date.now() })
    .execute();
}

async function counts(db: Db, repository: string, digest: string) {
  const m = await db.selectFrom('manifests').select(['pull_count', 'pull_time']).where('repository', '=', repository).where('digest', '=', digest).executeTakeFirstOrThrow();
  const r = await db.selectFrom('repositories').select('pull_count').where('name', '=', repository).executeTakeFirstOrThrow();
  return { manifest: Number(m.pull_count), time: m.pull_time === null ? null : Number(m.pull_time), repository: Number(r.pull_count) };
}

for (const kind of await testDatabases()) {
  describe(`pull stats on ${kind.name}`, { skip: kind.skip }, () => {
    let dir: string;
    let db: Db;

    before(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'berth-pulls-'));
      db = await openDatabase(await kind.createUrl(dir));
      await addManifest(db, 'team/app', A);
      await addManifest(db, 'team/app', B);
      await addManifest(db, 'team/other', A);
    });
    after(async () => {
      await db?.destroy();
      await rm(dir, { recursive: true, force: true });
    });

    test('pulls are aggregated per manifest and written in one flush; the latest time wins', async () => {
      const metrics = new PromRegistry();
      const stats = new PullStats(db, { flushIntervalMs: 60_000, metrics });
      for (let i = 0; i < 5; i++) stats.note('team/app', A, 1000 + i);
      stats.note('team/app', A, 500);
      stats.note('team/app', B, 2000);
      stats.note('team/other', A, 3000);
      assert.equal(stats.waiting, 8);
      assert.deepEqual(await counts(db, 'team/app', A), { manifest: 0, time: null, repository: 0 }, 'nothing written before the flush');
      await stats.flush();
      assert.equal(stats.waiting, 0);
      assert.deepEqual(await counts(db, 'team/app', A), { manifest: 6, time: 1004, repository: 7 });
      assert.deepEqual(await counts(db, 'team/app', B), { manifest: 1, time: 2000, repository: 7 });
      assert.deepEqual(await counts(db, 'team/other', A), { manifest: 1, time: 3000, repository: 1 });
      stats.note('team/app', A, 900);
      await stats.flush();
      assert.deepEqual(await counts(db, 'team/app', A), { manifest: 7, time: 1004, repository: 8 }, 'an older pull does not move the time back');
      const text = await metrics.metrics();
      assert.match(text, /berth_artifact_pulls_recorded_total 9/);
      assert.match(text, /berth_artifact_pull_stats_flush_seconds_count 2/);
      await stats.close();
    });

    test('the interval and the entry limit each trigger a flush; close writes the rest', async () => {
      const before = (await counts(db, 'team/app', B)).manifest;
      const timed = new PullStats(db, { flushIntervalMs: 50 });
      timed.note('team/app', B);
      for (let i = 0; i < 100 && timed.waiting > 0; i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal((await counts(db, 'team/app', B)).manifest, before + 1, 'written by the timer');

      const limited = new PullStats(db, { flushIntervalMs: 60_000, maxEntries: 2 });
      limited.note('team/app', A);
      limited.note('team/app', B);
      for (let i = 0; i < 100 && limited.waiting > 0; i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal((await counts(db, 'team/app', B)).manifest, before + 2, 'written when maxEntries manifests wait');

      limited.note('team/app', B);
      await limited.close();
      limited.note('team/app', B);
      assert.equal((await counts(db, 'team/app', B)).manifest, before + 3, 'close flushes; pulls after close are not taken');
      await timed.close();
    });

    test('a failed write keeps the counts for the next flush', async () => {
      const start = (await counts(db, 'team/other', A)).manifest;
      let fail = true;
      const flaky = new Proxy(db, {
        get(target, prop, receiver) {
          if (prop === 'transaction' && fail) return () => ({ execute: () => Promise.reject(new Error('database down')) });
          const v = Reflect.get(target, prop, receiver) as unknown;
          return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
        },
      });
      const stats = new PullStats(flaky, { flushIntervalMs: 60_000 });
      stats.note('team/other', A);
      stats.note('team/other', A);
      await assert.rejects(stats.flush(), /database down/);
      assert.equal(stats.waiting, 2);
      stats.note('team/other', A);
      fail = false;
      await stats.flush();
      assert.equal((await counts(db, 'team/other', A)).manifest, start + 3);
      await stats.close();
    });
  });
}
