/**
 * The job platform running real handlers on SQLite and PostgreSQL: bounded
 * concurrency, retries then `failed`, timeouts and cancel aborting the
 * signal, a stalled holder's job taken over exactly once, priorities, a
 * schedule running once per slot across two platforms, and wakeups without
 * polling (NOTIFY on PostgreSQL).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { testDatabases } from '../../../test/support/databases.ts';
import { openDatabase } from '../db/database.ts';
import type { Db } from '../db/schema.ts';
import { Jobs, type JobPlatformOptions } from './platform.ts';
import { PermanentJobError, backoffDelay } from './runner.ts';

const silent = pino({ level: 'silent' });

async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

test('backoff is full jitter under an exponential ceiling', () => {
  assert.equal(backoffDelay(1, 1000, 60_000, () => 0.999), 999);
  assert.equal(backoffDelay(4, 1000, 60_000, () => 0.5), 4000);
  assert.equal(backoffDelay(30, 1000, 60_000, () => 0.5), 30_000);
  assert.equal(backoffDelay(3, 1000, 60_000, () => 0), 0);
});

for (const kind of await testDatabases()) {
  describe(`job platform on ${kind.name}`, { skip: kind.skip }, () => {
    let dir: string;
    let url: string;
    let dbA: Db;
    let dbB: Db;
    const platforms: Jobs[] = [];
    let n = 0;
    const freshKind = () => `test.p${++n}`;

    const platform = (db: Db, options: Partial<JobPlatformOptions> = {}) => {
      const jobs = new Jobs(db, { log: silent, leaseMs: 2000, pollIntervalMs: 100, stopGraceMs: 200, ...(kind.name === 'postgres' ? { listenUrl: url } : {}), ...options });
      platforms.push(jobs);
      return jobs;
    };

    before(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'berth-jobs-platform-'));
      url = await kind.createUrl(dir);
      dbA = await openDatabase(url);
      // A second pool plays the second process on PostgreSQL. SQLite runs as
      // one process: a second connection would block the event loop waiting
      // for the first one's write lock.
      dbB = kind.name === 'postgres' ? await openDatabase(url) : dbA;
    });
    after(async () => {
      for (const p of platforms) await p.stop();
      await dbA.destroy();
      if (dbB !== dbA) await dbB.destroy();
      await rm(dir, { recursive: true, force: true });
    });

    test('runs jobs with at most `concurrency` at once per process', async () => {
      const k = freshKind();
      const jobs = platform(dbA);
      let running = 0;
      let peak = 0;
      let done = 0;
      jobs.register({
        kind: k,
        concurrency: 2,
        handle: async () => {
          peak = Math.max(peak, ++running);
          await sleep(30);
          running--;
          done++;
        },
      });
      await jobs.start();
      for (let i = 0; i < 8; i++) await jobs.enqueue(dbA, k, { i });
      await waitFor('8 jobs', () => done === 8);
      assert.equal(peak, 2);
      await waitFor('all succeeded', async () => (await jobs.queue.list({ kind: k, state: 'succeeded' }, { page: 1, pageSize: 20 })).total === 8);
    });

    test('a failing job is retried with backoff, then failed with its last error; a permanent error fails at once', async () => {
      const k = freshKind();
      const jobs = platform(dbA);
      const attempts: number[] = [];
      jobs.register<{ permanent: boolean }>({
        kind: k,
        maxAttempts: 3,
        backoffBaseMs: 50,
        backoffMaxMs: 100,
        handle: (payload, ctx) => {
          attempts.push(ctx.attempt);
          return Promise.reject(payload.permanent ? new PermanentJobError('bad input') : new Error(`attempt ${ctx.attempt} failed`));
        },
      });
      await jobs.start();
      const id = await jobs.enqueue(dbA, k, { permanent: false });
      await waitFor('failed', async () => (await jobs.queue.get(id)).state === 'failed');
      const job = await jobs.queue.get(id);
      assert.deepEqual(attempts, [1, 2, 3]);
      assert.equal(job.lastError, 'attempt 3 failed');
      const permanent = await jobs.enqueue(dbA, k, { permanent: true });
      await waitFor('failed', async () => (await jobs.queue.get(permanent)).state === 'failed');
      assert.equal((await jobs.queue.get(permanent)).attempts, 1);
    });

    test('a timeout aborts the signal and counts as a failed attempt', async () => {
      const k = freshKind();
      const jobs = platform(dbA);
      let aborted = 0;
      jobs.register({
        kind: k,
        timeoutMs: 100,
        maxAttempts: 1,
        handle: (_p, ctx) =>
          new Promise((_resolve, reject) => {
            ctx.signal.addEventListener('abort', () => {
              aborted++;
              reject(ctx.signal.reason as Error);
            });
          }),
      });
      await jobs.start();
      const id = await jobs.enqueue(dbA, k, {});
      await waitFor('failed', async () => (await jobs.queue.get(id)).state === 'failed');
      assert.equal(aborted, 1);
      assert.match((await jobs.queue.get(id)).lastError ?? '', /timed out after 100 ms/);
    });

    test('cancel through another process aborts the running job, whose outcome is not recorded', async () => {
      const k = freshKind();
      const a = platform(dbA);
      const b = platform(dbB);
      let started = false;
      let aborted = false;
      a.register({
        kind: k,
        handle: (_p, ctx) =>
          new Promise((resolve) => {
            started = true;
            ctx.signal.addEventListener('abort', () => {
              aborted = true;
              resolve();
            });
          }),
      });
      await a.start();
      await b.start();
      const id = await b.enqueue(dbB, k, {});
      await waitFor('started', () => started);
      await b.cancel(id);
      // NOTIFY on PostgreSQL; the next lease renewal (a third of 2 s) on SQLite.
      await waitFor('aborted', () => aborted, 5000);
      await sleep(100);
      assert.equal((await b.queue.get(id)).state, 'cancelled');
    });

    test("a stalled holder's job is taken over after its lease and finished exactly once", async () => {
      const k = freshKind();
      const b = platform(dbB);
      let runs = 0;
      b.register({
        kind: k,
        handle: async () => {
          runs++;
          await sleep(10);
        },
      });
      const id = await b.enqueue(dbB, k, {});
      // Process A claims it and then stops renewing (it died).
      const dead = await b.queue.claim('dead-process', [k], 300);
      assert.equal(dead?.id, id);
      const t0 = Date.now();
      await b.start();
      await waitFor('succeeded', async () => (await b.queue.get(id)).state === 'succeeded');
      assert.ok(Date.now() - t0 >= 250, 'not before the lease expired');
      await sleep(300);
      assert.equal(runs, 1);
      assert.equal(await b.queue.succeed(dead), false, "the dead holder's completion would not count");
      assert.equal((await b.queue.get(id)).attempts, 2);
    });

    test('higher priority runs first', async () => {
      const k = freshKind();
      const jobs = platform(dbA);
      const order: string[] = [];
      jobs.register<string>({
        kind: k,
        handle: (name) => {
          order.push(name);
          return Promise.resolve();
        },
      });
      await dbA.transaction().execute(async (trx) => {
        await jobs.enqueue(trx, k, 'low', { priority: -5 });
        await jobs.enqueue(trx, k, 'normal');
        await jobs.enqueue(trx, k, 'urgent', { priority: 5 });
      });
      await jobs.start();
      await waitFor('three runs', () => order.length === 3);
      assert.deepEqual(order, ['urgent', 'normal', 'low']);
    });

    test('a schedule runs once per slot across two processes', async () => {
      const k = freshKind();
      const runs: string[] = [];
      for (const db of [dbA, dbB]) {
        const jobs = platform(db);
        jobs.register({
          kind: k,
          handle: (_p, ctx) => {
            runs.push(ctx.jobId);
            return Promise.resolve();
          },
        });
        jobs.schedule({ name: `every-second-${k}`, everyMs: 1000, kind: k });
        await jobs.start();
      }
      await sleep(2600);
      const all = (await platforms[0]!.queue.list({ kind: k }, { page: 1, pageSize: 50 })).items;
      const slots = all.map((j) => j.dedupeKey);
      assert.equal(new Set(slots).size, slots.length, 'no slot twice');
      assert.ok(slots.length >= 3 && slots.length <= 4, `start catch-up plus two or three slots, got ${slots.length}`);
      await waitFor('all ran', () => runs.length === slots.length);
    });

    test('stop aborts jobs still running after the grace period and gives their leases back uncounted', async () => {
      const k = freshKind();
      const jobs = platform(dbA, { stopGraceMs: 100 });
      let aborted = false;
      jobs.register({
        kind: k,
        handle: (_p, ctx) =>
          new Promise((_resolve, reject) => {
            ctx.signal.addEventListener('abort', () => {
              aborted = true;
              reject(ctx.signal.reason as Error);
            });
          }),
      });
      await jobs.start();
      const id = await jobs.enqueue(dbA, k, {});
      await waitFor('running', async () => (await jobs.queue.get(id)).state === 'running');
      await jobs.stop();
      assert.ok(aborted);
      const job = await jobs.queue.get(id);
      assert.equal(job.state, 'queued', 'claimable by another process at once');
      assert.equal(job.attempts, 0, 'a shutdown is not a failed attempt');
      assert.equal(job.leaseOwner, null);
    });

    test('a holder whose lease was taken over aborts its handler and its result does not count', async () => {
      const k = freshKind();
      const jobs = platform(dbA, { leaseMs: 600 });
      let reason = '';
      jobs.register({
        kind: k,
        handle: (_p, ctx) =>
          new Promise((resolve) => {
            ctx.signal.addEventListener('abort', () => {
              reason = String((ctx.signal.reason as Error).message);
              resolve();
            });
          }),
      });
      await jobs.start();
      const id = await jobs.enqueue(dbA, k, {});
      await waitFor('running', async () => (await jobs.queue.get(id)).state === 'running');
      // Another process took it over (as after a stall past the lease).
      await dbB.updateTable('jobs').set({ lease_owner: 'other-process', attempts: 2 }).where('id', '=', id).execute();
      await waitFor('aborted', () => reason !== '', 5000);
      assert.match(reason, /lease lost/);
      await sleep(300);
      const job = await jobs.queue.get(id);
      assert.equal(job.state, 'running', 'left to the new holder');
      assert.equal(job.leaseOwner, 'other-process');
      await dbB.updateTable('jobs').set({ state: 'cancelled', active_key: null, lease_owner: null }).where('id', '=', id).execute();
    });

    // LISTEN/NOTIFY exists on PostgreSQL only: defined there only.
    if (kind.name === 'postgres') test('a dropped notification connection only delays: the job runs once it reconnects, and NOTIFY wakes again', async () => {
      const k = freshKind();
      const ran: string[] = [];
      const listener = platform(dbA, { pollIntervalMs: 20_000 });
      listener.register({
        kind: k,
        handle: (_p, ctx) => {
          ran.push(ctx.jobId);
          return Promise.resolve();
        },
      });
      await listener.start();
      const other = platform(dbB, { pollIntervalMs: 60_000 });
      const { sql } = await import('kysely');
      await sql`select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'berth-listen' and datname = current_database()`.execute(dbB);
      const first = await other.enqueue(dbB, k, {});
      // Its notification may be lost with the connection; the reconnect (backoff from 0.5 s) looks for missed jobs.
      await waitFor('the first job', () => ran.includes(first), 10_000);
      const t0 = Date.now();
      const second = await other.enqueue(dbB, k, {});
      await waitFor('the second job', () => ran.includes(second), 10_000);
      assert.ok(Date.now() - t0 < 10_000, `woken by NOTIFY, not the 20 s poll; took ${Date.now() - t0} ms`);
    });

    test('an enqueue wakes an idle process at once, without waiting for its poll', async () => {
      const k = freshKind();
      const idle = platform(dbA, { pollIntervalMs: 60_000 });
      let ranAt = 0;
      idle.register({
        kind: k,
        handle: () => {
          ranAt = Date.now();
          return Promise.resolve();
        },
      });
      await idle.start();
      await sleep(200);
      // On PostgreSQL another process enqueues (NOTIFY); SQLite has one process.
      const enqueuer = kind.name === 'postgres' ? platform(dbB, { pollIntervalMs: 60_000 }) : idle;
      const t0 = Date.now();
      await dbB.transaction().execute((trx) => enqueuer.enqueue(trx, k, {}));
      await waitFor('ran', () => ranAt > 0, 5000);
      assert.ok(ranAt - t0 < 5000);
    });
  });
}
