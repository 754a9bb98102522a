/**
 * Two real Berth processes on one PostgreSQL: process A takes a job that
 * blocks, B does not touch it while A renews its lease, then A is killed
 * with SIGKILL and B finishes the job exactly once after the lease expires.
 * Prints the takeover time (kill → job succeeded).
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { TEST_JOB_LOG } from '../../src/background.ts';
import { openDatabase } from '../../src/platform/db/database.ts';
import type { Db } from '../../src/platform/db/schema.ts';
import { Jobs } from '../../src/platform/jobs/platform.ts';
import { spawnBerth, type BerthProcess } from '../support/berth-process.ts';
import { postgres } from '../support/databases.ts';

const LEASE_MS = 2000;
const pg = postgres();

async function runs(dir: string, jobId: string): Promise<string[]> {
  const text = await readFile(path.join(dir, TEST_JOB_LOG), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((l) => l.includes(` ${jobId} `))
    .map((l) => l.split(' ')[0]!);
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

describe('a job held by a killed process', { skip: pg.skip }, () => {
  let root: string;
  let url: string;
  let db: Db;
  const processes: BerthProcess[] = [];

  before(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'berth-takeover-'));
    url = await pg.createUrl(root);
    db = await openDatabase(url);
  });
  after(async () => {
    for (const p of processes) await p.kill();
    await db.destroy();
    await rm(root, { recursive: true, force: true });
  });

  test('is finished exactly once by the other process after the lease expires', async () => {
    const env = { BERTH_DATABASE_URL: url, BERTH_TEST_JOB_KINDS: 'true', BERTH_JOBS_LEASE_MS: String(LEASE_MS), BERTH_JOBS_POLL_INTERVAL_MS: '200', BERTH_GITOPS_ENABLED: 'false' };
    const dirA = path.join(root, 'a');
    const dirB = path.join(root, 'b');
    const a = await spawnBerth(dirA, env);
    processes.push(a);
    const enqueuer = new Jobs(db, { log: pino({ level: 'silent' }) });
    const id = await enqueuer.enqueue(db, 'test.block', { blockPid: a.child.pid });
    await waitFor('A runs the job', async () => (await runs(dirA, id)).includes('started'));
    const b = await spawnBerth(dirB, env);
    processes.push(b);

    // Both alive for longer than a lease: A's renewals keep B away.
    await sleep(LEASE_MS * 1.5);
    assert.deepEqual(await runs(dirB, id), [], 'B never starts a job whose holder renews its lease');
    const held = await enqueuer.queue.get(id);
    assert.equal(held.state, 'running');
    assert.match(held.leaseOwner ?? '', new RegExp(`:${a.child.pid}:`));

    await a.kill('SIGKILL');
    const killedAt = Date.now();
    await waitFor('B finishes the job', async () => (await enqueuer.queue.get(id)).state === 'succeeded');
    const takeoverMs = Date.now() - killedAt;
    const job = await enqueuer.queue.get(id);
    assert.equal(job.attempts, 2, "A's claim and B's");
    assert.deepEqual(await runs(dirA, id), ['started'], 'A never finished it');
    assert.deepEqual(await runs(dirB, id), ['started', 'finished'], 'B ran it exactly once');
    await sleep(LEASE_MS);
    assert.deepEqual(await runs(dirB, id), ['started', 'finished'], 'and never again');
    assert.ok(takeoverMs <= LEASE_MS + 5000, `takeover within a lease plus polling, took ${takeoverMs} ms`);
    process.stdout.write(`# takeover after SIGKILL: ${takeoverMs} ms (lease ${LEASE_MS} ms, renewed every ${Math.floor(LEASE_MS / 3)} ms, poll 200 ms)\n`);
  });
});
