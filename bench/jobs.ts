/**
 * `npm run bench:jobs`: how fast the job platform claims jobs on SQLite and
 * PostgreSQL. Per database, on a fresh database:
 *
 *   enqueue      N jobs, 500 per transaction (the enqueue a push would do)
 *   claim        one claimer: claim + mark succeeded, one job at a time
 *                (the queue's round trips, no handler)
 *   runner       the real runner: a no-op kind with concurrency 8 drains N
 *                jobs (claims, leases, renewals, completion, wakeups)
 *   2 runners    PostgreSQL only: two platforms on separate pools drain N
 *                jobs together (FOR UPDATE SKIP LOCKED under contention);
 *                every job must run exactly once
 *
 * Bounded: every phase stops at BENCH_JOBS jobs or BENCH_SECONDS seconds.
 * PostgreSQL comes from BENCH_DATABASE_URL (a server where databases may be
 * created) or a throwaway cluster (as the tests start one).
 *
 * Environment:
 *   BENCH_JOBS       jobs per phase (default 3000)
 *   BENCH_SECONDS    time limit per phase (default 30)
 *   BENCH_DATABASES  sqlite,postgres (default both)
 *   BENCH_RESULTS    results file (default bench/results/jobs-<YYYY-MM-DD>.json)
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { openDatabase } from '../src/platform/db/database.ts';
import type { Db } from '../src/platform/db/schema.ts';
import { Jobs } from '../src/platform/jobs/platform.ts';
import { JobQueue } from '../src/platform/jobs/queue.ts';
import { createTestDatabase, startPostgresCluster } from '../test/support/postgres.ts';

const REPO_ROOT = path.resolve(import.meta.dirname, '..');

function intEnv(name: string, fallback: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  if (!/^\d+$/.test(v)) throw new Error(`${name} must be a non-negative integer, got ${JSON.stringify(v)}`);
  return Number(v);
}

const N = intEnv('BENCH_JOBS', 3000);
const LIMIT_MS = intEnv('BENCH_SECONDS', 30) * 1000;
const DATABASES = (process.env.BENCH_DATABASES ?? 'sqlite,postgres').split(',').map((s) => s.trim());
const silent = pino({ level: 'silent' });

interface Phase {
  phase: string;
  jobs: number;
  seconds: number;
  perSecond: number;
}

function phase(name: string, jobs: number, ms: number): Phase {
  const p = { phase: name, jobs, seconds: Math.round(ms) / 1000, perSecond: Math.round((jobs / ms) * 1000) };
  process.stdout.write(`  ${name.padEnd(12)} ${String(jobs).padStart(6)} jobs in ${(ms / 1000).toFixed(2).padStart(6)} s  = ${String(p.perSecond).padStart(6)} /s\n`);
  return p;
}

async function enqueueAll(db: Db, jobs: Jobs, kind: string): Promise<Phase> {
  const t0 = performance.now();
  let done = 0;
  while (done < N && performance.now() - t0 < LIMIT_MS) {
    const batch = Math.min(500, N - done);
    await db.transaction().execute(async (trx) => {
      for (let i = 0; i < batch; i++) await jobs.enqueue(trx, kind, { n: done + i });
    });
    done += batch;
  }
  return phase('enqueue', done, performance.now() - t0);
}

async function claimLoop(db: Db, kind: string): Promise<Phase> {
  const queue = new JobQueue(db);
  const t0 = performance.now();
  let claimed = 0;
  while (performance.now() - t0 < LIMIT_MS) {
    const claim = await queue.claim('bench', [kind], 60_000);
    if (!claim) break;
    if (!(await queue.succeed(claim))) throw new Error(`completion of ${claim.id} refused`);
    claimed++;
  }
  return phase('claim', claimed, performance.now() - t0);
}

/** Runs `platforms` (already holding the kind) until `expected` jobs ran; checks each ran once. */
async function drain(name: string, platforms: Jobs[], runs: Map<number, number>, expected: number): Promise<Phase> {
  const t0 = performance.now();
  for (const p of platforms) await p.start();
  while (runs.size < expected && performance.now() - t0 < LIMIT_MS) await sleep(5);
  const ms = performance.now() - t0;
  for (const p of platforms) await p.stop();
  const twice = [...runs.values()].filter((n) => n > 1).length;
  if (twice > 0) throw new Error(`${twice} jobs ran more than once`);
  return phase(name, runs.size, ms);
}

function runnerPlatform(db: Db, kind: string, runs: Map<number, number>): Jobs {
  const jobs = new Jobs(db, { log: silent, pollIntervalMs: 50, leaseMs: 30_000 });
  jobs.register<{ n: number }>({
    kind,
    concurrency: 8,
    handle: (payload) => {
      runs.set(payload.n, (runs.get(payload.n) ?? 0) + 1);
      return Promise.resolve();
    },
  });
  return jobs;
}

async function benchDatabase(name: string, url: string, secondPool: boolean): Promise<Phase[]> {
  process.stdout.write(`\n${name}\n`);
  const db = await openDatabase(url);
  const other = secondPool ? await openDatabase(url) : undefined;
  try {
    const results: Phase[] = [];
    const enqueuer = new Jobs(db, { log: silent });
    results.push(await enqueueAll(db, enqueuer, 'bench.claim'));
    results.push(await claimLoop(db, 'bench.claim'));

    const runs = new Map<number, number>();
    const enqueued = await enqueueAll(db, enqueuer, 'bench.run');
    results.push(await drain('runner', [runnerPlatform(db, 'bench.run', runs)], runs, enqueued.jobs));

    if (other) {
      const shared = new Map<number, number>();
      const again = await enqueueAll(db, enqueuer, 'bench.two');
      results.push(await drain('2 runners', [runnerPlatform(db, 'bench.two', shared), runnerPlatform(other, 'bench.two', shared)], shared, again.jobs));
    }
    return results;
  } finally {
    await db.destroy();
    await other?.destroy();
  }
}

async function main(): Promise<void> {
  const results: Record<string, Phase[]> = {};
  const cpus = os.cpus();
  process.stdout.write(`bench:jobs — ${N} jobs per phase, at most ${LIMIT_MS / 1000} s each; ${cpus.length} × ${cpus[0]?.model ?? 'cpu'}\n`);
  if (DATABASES.includes('sqlite')) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-bench-jobs-'));
    try {
      results.sqlite = await benchDatabase('SQLite (file, WAL)', `sqlite:${path.join(dir, 'berth.db')}`, false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  if (DATABASES.includes('postgres')) {
    let stop: (() => void) | undefined;
    let base = process.env.BENCH_DATABASE_URL;
    if (!base) {
      const cluster = await startPostgresCluster();
      base = cluster.url;
      stop = () => cluster.stopSync();
    }
    try {
      results.postgres = await benchDatabase('PostgreSQL (local)', await createTestDatabase(base), true);
    } finally {
      stop?.();
    }
  }
  const file = process.env.BENCH_RESULTS ?? path.join(REPO_ROOT, 'bench', 'results', `jobs-${new Date().toISOString().slice(0, 10)}.json`);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify({ date: new Date().toISOString(), jobsPerPhase: N, cpus: cpus.length, cpu: cpus[0]?.model, node: process.version, results }, null, 2)}\n`);
  process.stdout.write(`\nresults: ${path.relative(REPO_ROOT, file)}\n`);
}

await main();
