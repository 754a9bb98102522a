/**
 * The jobs table's state machine on SQLite and PostgreSQL: dedupe while
 * active, priority order, fenced completion, expired-lease takeover,
 * cancel, retry, purge, and schedules enqueuing each slot once.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { testDatabases } from '../../../test/support/databases.ts';
import { openDatabase } from '../db/database.ts';
import type { Db } from '../db/schema.ts';
import { JobQueue, type JobError } from './queue.ts';
import { Scheduler } from './schedules.ts';

const silent = pino({ level: 'silent' });
const LEASE = 60_000;

for (const kind of await testDatabases()) {
  describe(`job queue on ${kind.name}`, { skip: kind.skip }, () => {
    let dir: string;
    let db: Db;
    let queue: JobQueue;
    let n = 0;
    /** A kind of its own per test, so tests do not see each other's jobs. */
    const freshKind = () => `test.k${++n}`;
    const enqueue = (k: string, payload: unknown, o: { dedupeKey?: string; priority?: number; runAt?: number; maxAttempts?: number } = {}) =>
      queue.enqueue(db, k, payload, { maxAttempts: 3, ...o });

    before(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'berth-jobs-test-'));
      db = await openDatabase(await kind.createUrl(dir));
      queue = new JobQueue(db);
    });
    after(async () => {
      await db.destroy();
      await rm(dir, { recursive: true, force: true });
    });

    test('a dedupe key holds only while a job is queued or running', async () => {
      const k = freshKind();
      const first = await enqueue(k, { n: 1 }, { dedupeKey: 'sha256:abc' });
      const again = await enqueue(k, { n: 2 }, { dedupeKey: 'sha256:abc' });
      assert.equal(first.inserted, true);
      assert.deepEqual(again, { id: first.id, inserted: false });
      const otherKind = await queue.enqueue(db, freshKind(), {}, { dedupeKey: 'sha256:abc', maxAttempts: 1 });
      assert.equal(otherKind.inserted, true, 'the key is per kind');
      const claim = await queue.claim('p1', [k], LEASE);
      assert.equal(claim?.id, first.id);
      assert.equal((await enqueue(k, {}, { dedupeKey: 'sha256:abc' })).id, first.id, 'a running job still dedupes');
      assert.ok(claim && (await queue.succeed(claim)));
      const after = await enqueue(k, { n: 3 }, { dedupeKey: 'sha256:abc' });
      assert.equal(after.inserted, true, 'once finished, the key is free again');
      assert.notEqual(after.id, first.id);
    });

    test('fifty enqueues of one key in concurrent transactions make one job', async () => {
      const k = freshKind();
      const results = await Promise.all(Array.from({ length: 50 }, () => db.transaction().execute((trx) => queue.enqueue(trx, k, {}, { dedupeKey: 'one', maxAttempts: 1 }))));
      assert.equal(new Set(results.map((r) => r.id)).size, 1);
      assert.equal((await queue.list({ kind: k }, { page: 1, pageSize: 100 })).total, 1);
    });

    test('claims take higher priority first, then the earliest due, and never a future job', async () => {
      const k = freshKind();
      const low = await enqueue(k, 'low');
      const high = await enqueue(k, 'high', { priority: 10 });
      await enqueue(k, 'later', { priority: 100, runAt: Date.now() + 60_000 });
      const low2 = await enqueue(k, 'low2');
      const order = [];
      for (let i = 0; i < 4; i++) order.push((await queue.claim('p1', [k], LEASE))?.id);
      assert.deepEqual(order, [high.id, low.id, low2.id, undefined]);
    });

    test('only the current lease holder can renew or finish, and an expired lease is taken over with the attempt counted', async () => {
      const k = freshKind();
      const { id } = await enqueue(k, { x: 1 });
      const now = Date.now();
      const a = await queue.claim('process-a', [k], 1000, now);
      assert.equal(a?.attempt, 1);
      assert.equal(await queue.claim('process-b', [k], 1000, now), undefined, 'a leased job is not claimable');
      assert.equal(await queue.takeOverExpired(now + 500), 0, 'the lease still holds');
      assert.ok(a && (await queue.renew(a, 1000, now + 500)));
      assert.equal(await queue.takeOverExpired(now + 1400), 0, 'renewed until now + 1500');
      assert.equal(await queue.takeOverExpired(now + 1600), 1);
      const b = await queue.claim('process-b', [k], 1000, now + 1600);
      assert.equal(b?.id, id);
      assert.equal(b?.attempt, 2);
      assert.equal(await queue.renew(a, 1000), false, 'A lost its lease');
      assert.equal(await queue.succeed(a), false, "A's late completion does not count");
      const sameOwnerStale = { ...b, attempt: 1 };
      assert.equal(await queue.succeed(sameOwnerStale), false, 'the attempt is part of the fence');
      assert.ok(b && (await queue.succeed(b)));
      const job = await queue.get(id);
      assert.equal(job.state, 'succeeded');
      assert.equal(job.attempts, 2);
    });

    test('an expired lease with no attempts left fails the job', async () => {
      const k = freshKind();
      const { id } = await queue.enqueue(db, k, {}, { maxAttempts: 1 });
      const now = Date.now();
      await queue.claim('p', [k], 100, now);
      await queue.takeOverExpired(now + 200);
      const job = await queue.get(id);
      assert.equal(job.state, 'failed');
      assert.match(job.lastError ?? '', /lease expired/);
    });

    test('a failed attempt is queued at its retry time with the error kept; the last one fails for good', async () => {
      const k = freshKind();
      const { id } = await queue.enqueue(db, k, {}, { maxAttempts: 2, dedupeKey: 'd' });
      const now = Date.now();
      const first = await queue.claim('p', [k], LEASE, now);
      assert.ok(first && (await queue.fail(first, new Error('registry unreachable'), now + 5000, now)));
      assert.equal(await queue.claim('p', [k], LEASE, now + 4000), undefined, 'not before the backoff');
      const second = await queue.claim('p', [k], LEASE, now + 5000);
      assert.equal(second?.attempt, 2);
      assert.ok(second && (await queue.fail(second, new Error('still unreachable'), undefined)));
      const job = await queue.get(id);
      assert.equal(job.state, 'failed');
      assert.equal(job.lastError, 'still unreachable');
      assert.equal((await enqueue(k, {}, { dedupeKey: 'd' })).inserted, true, 'a failed job frees its key');
    });

    test('cancel stops queued and running jobs; retry queues a failed or cancelled one again', async () => {
      const k = freshKind();
      const queued = await enqueue(k, {});
      assert.equal((await queue.cancel(queued.id)).state, 'cancelled');
      await assert.rejects(queue.cancel(queued.id), (e: JobError) => e.code === 'CONFLICT');
      const running = await enqueue(k, {});
      const claim = await queue.claim('p', [k], LEASE);
      assert.equal(claim?.id, running.id);
      await queue.cancel(running.id);
      assert.equal(claim && (await queue.renew(claim, LEASE)), false, 'the holder learns at its next renewal');
      const retried = await queue.retry(queued.id);
      assert.equal(retried.state, 'queued');
      assert.equal(retried.attempts, 0);
      assert.equal((await queue.claim('p', [k], LEASE))?.id, queued.id);
      await assert.rejects(queue.retry(queued.id), (e: JobError) => e.code === 'CONFLICT');
      await assert.rejects(queue.get('00000000-0000-7000-8000-000000000000'), (e: JobError) => e.code === 'NOT_FOUND');
    });

    test('retry refuses while another job holds the same dedupe key', async () => {
      const k = freshKind();
      const old = await enqueue(k, {}, { dedupeKey: 'x' });
      await queue.cancel(old.id);
      await enqueue(k, {}, { dedupeKey: 'x' });
      await assert.rejects(queue.retry(old.id), /already queued or running/);
    });

    test('purge removes only finished jobs older than the cutoff; lists filter by kind and state', async () => {
      const k = freshKind();
      const done = await enqueue(k, {});
      const claim = await queue.claim('p', [k], LEASE);
      assert.ok(claim && (await queue.succeed(claim)));
      const waiting = await enqueue(k, {});
      assert.equal((await queue.list({ kind: k, state: 'succeeded' }, { page: 1, pageSize: 10 })).items[0]?.id, done.id);
      const removed = await queue.purgeFinished(Date.now() + 1);
      assert.ok(removed >= 1);
      assert.equal(await queue.find(done.id), undefined);
      assert.equal((await queue.get(waiting.id)).state, 'queued');
      const depth = await queue.depth();
      assert.ok(depth.some((d) => d.kind === k && d.state === 'queued' && d.count === 1));
    });

    test('each schedule slot is enqueued once, whichever process fires it', async () => {
      const k = freshKind();
      const enqueueDeduped = async (trx: Db, kind: string, payload: unknown, o: { dedupeKey: string }) => (await queue.enqueue(trx, kind, payload, { ...o, maxAttempts: 1 })).id;
      const a = new Scheduler(db, enqueueDeduped, silent);
      const b = new Scheduler(db, enqueueDeduped, silent);
      for (const s of [a, b]) s.add({ name: `nightly-${k}`, cron: '0 3 * * *', kind: k });
      const slot = Date.UTC(2026, 11, 3, 3, 0, 0);
      const fired = await Promise.all([a.fire(`nightly-${k}`, slot), b.fire(`nightly-${k}`, slot), a.fire(`nightly-${k}`, slot)]);
      assert.deepEqual(fired.filter(Boolean).length, 1);
      assert.equal(await b.fire(`nightly-${k}`, slot - 86_400_000), false, 'an older slot never runs after a newer one');
      assert.equal(await b.fire(`nightly-${k}`, slot + 86_400_000), true);
      const jobs = (await queue.list({ kind: k }, { page: 1, pageSize: 10 })).items;
      assert.deepEqual(jobs.map((j) => j.dedupeKey).sort(), [`schedule:nightly-${k}:2026-12-03T03:00:00.000Z`, `schedule:nightly-${k}:2026-12-04T03:00:00.000Z`]);
    });
  });
}
