/**
 * `npm run bench:gitops`: Berth's delivery engine against the local control
 * plane (test/support/kube-cluster.ts: kube-apiserver 1.33, controller-manager,
 * scheduler, kwok nodes) with applications from one repository on a local Git
 * server (git http-backend). For N = 1, 100 and 1,000 applications, each three
 * ConfigMaps and a Deployment in its own path `apps/app-<i>/` and namespace
 * `bench-<i>` (CreateNamespace=true, automated sync):
 *
 *  - the raw limit: the same objects server-side-applied by a minimal parallel
 *    client loop (bench/gitops/kube.ts, no rate limit) into namespaces
 *    `raw-<i>` of a fresh cluster, timed to every Deployment Available;
 *  - Berth: creation of the N applications through the API → all Synced and
 *    Healthy (the list endpoint polled every 500 ms), throughput as a ratio
 *    of the raw loop's, CPU and RSS of the Berth process;
 *  - Git webhook → the new value visible in the cluster (a watch), 20 times;
 *  - steady state: Berth restarted with a 10 s polling interval (2 s jitter),
 *    CPU seconds over 60 s divided by the comparisons done (counted exactly by
 *    bench/gitops/count-reconciles.ts).
 *
 * Everything listens on 127.0.0.1; every child is stopped on exit or SIGINT.
 * See docs/benchmarks.md (GitOps section).
 *
 *   npm run bench:gitops              # N = 1, 100, 1000 (10–15 minutes)
 *   npm run bench:gitops -- --quick   # N = 1, 100
 *
 * Environment:
 *   BENCH_GITOPS_APPS            comma-separated N list (overrides --quick)
 *   BENCH_GITOPS_RAW_CONCURRENCY workers of the raw apply loop (default 32)
 *   BENCH_GITOPS_WEBHOOKS        webhook round trips per scenario (default 20)
 *   BENCH_GITOPS_WEBHOOK_FILES=0 webhook payload without commits[].modified (default: GitHub's, with it)
 *   BENCH_GITOPS_STEADY_SECONDS  steady-state window (default 60)
 *   BENCH_GITOPS_KUBE_QPS / _BURST, BENCH_GITOPS_STATUS_PROCESSORS /
 *   _OPERATION_PROCESSORS        Berth's settings (defaults 5000 / 10000, 50 / 50)
 *   BENCH_CPU_PROF=1             run Berth's creation phase under --cpu-prof and summarize
 *   BENCH_RESULTS                results file (default bench/results/gitops-<YYYY-MM-DD>.json)
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify as toYaml } from 'yaml';
import { startGitServer, type GitServer } from '../test/support/git-server.ts';
import { startKubeCluster, type KubeCluster } from '../test/support/kube-cluster.ts';
import { startBerthProcess, tail, type BerthProc, type Counters, type CpuTimes } from './gitops/berth.ts';
import { appObjects, rawApplyLoop, watchConfigMapValue, watchDeploymentsAvailable, type RawResult } from './gitops/kube.ts';
import { removeOnExit, stopAll } from './lib/children.ts';
import { formatProfile, summarizeProfile, type ProfileSummary } from './lib/cpu-profile.ts';
import { readRssKib, RssSampler } from './lib/rss.ts';

const REPO_ROOT = path.resolve(import.meta.dirname, '..');

function intEnv(name: string, fallback: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  if (!/^\d+$/.test(v)) throw new Error(`${name} must be a non-negative integer, got ${JSON.stringify(v)}`);
  return Number(v);
}

const quick = process.argv.includes('--quick');
const settings = {
  apps: process.env.BENCH_GITOPS_APPS ? process.env.BENCH_GITOPS_APPS.split(',').map((s) => Number(s.trim())) : quick ? [1, 100] : [1, 100, 1000],
  rawConcurrency: intEnv('BENCH_GITOPS_RAW_CONCURRENCY', 32),
  webhooks: intEnv('BENCH_GITOPS_WEBHOOKS', 20),
  /** GitHub's payload lists the changed files (commits[].modified); `0` sends ref and repository only. */
  webhookFiles: process.env.BENCH_GITOPS_WEBHOOK_FILES !== '0',
  steadySeconds: intEnv('BENCH_GITOPS_STEADY_SECONDS', 60),
  createConcurrency: 8,
  pollMs: 500,
  berth: {
    BERTH_GITOPS_KUBE_QPS: String(intEnv('BENCH_GITOPS_KUBE_QPS', 5000)),
    BERTH_GITOPS_KUBE_BURST: String(intEnv('BENCH_GITOPS_KUBE_BURST', 10000)),
    BERTH_GITOPS_STATUS_PROCESSORS: String(intEnv('BENCH_GITOPS_STATUS_PROCESSORS', 50)),
    BERTH_GITOPS_OPERATION_PROCESSORS: String(intEnv('BENCH_GITOPS_OPERATION_PROCESSORS', 50)),
  },
  /** Creation and webhooks: the default polling (180 s + up to 60 s), so polling does not add work. */
  creationPolling: { BERTH_GITOPS_RECONCILE_SECONDS: '180', BERTH_GITOPS_JITTER_SECONDS: '60' },
  /** Steady state: poll often so that reconciles happen. */
  steadyPolling: { BERTH_GITOPS_RECONCILE_SECONDS: '10', BERTH_GITOPS_JITTER_SECONDS: '2' },
  cpuProfile: process.env.BENCH_CPU_PROF === '1',
};
for (const n of settings.apps) if (!Number.isInteger(n) || n < 1 || n > 2000) throw new Error(`BENCH_GITOPS_APPS: ${n} is not 1..2000`);

const log = (msg: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const secs = (from: number, to = performance.now()) => (to - from) / 1000;
const cpuSum = (c: CpuTimes) => c.self + c.children;
const r2 = (x: number) => Math.round(x * 100) / 100;
const r3 = (x: number) => Math.round(x * 1000) / 1000;
/** Comparisons and child processes between two readings of the counters. */
function delta(a: Counters, b: Counters): Counters {
  const spawns: Record<string, number> = {};
  for (const [k, v] of Object.entries(b.spawns)) if (v - (a.spawns[k] ?? 0) > 0) spawns[k] = v - (a.spawns[k] ?? 0);
  return { comparisons: b.comparisons - a.comparisons, spawns };
}

// ---------------------------------------------------------------------------
// results

interface WebhookSample {
  app: string;
  ms: number;
  status: number;
  appsRefreshed?: number;
}

interface Scenario {
  apps: number;
  objects: number;
  kwokNodes: number;
  raw?: RawResult & { objectsPerSecond: number };
  berth?: {
    createApiSeconds: number;
    allSyncedSeconds: number;
    allSyncedHealthySeconds: number;
    clusterAllAvailableSeconds: number;
    objectsPerSecond: number;
    cpuSeconds: CpuTimes;
    cpuMsPerApp: number;
    idleCpuMsPerSecond: number;
    rssKiB: { idle?: number; afterCreation?: number; peakCreation?: number; afterWebhooks?: number; afterSteady?: number; peakSteady?: number };
    /** Comparisons and child processes from the first POST to all Synced+Healthy. */
    creationCounters?: Counters;
  };
  ratio?: { endToEnd: number; applyPhase: number };
  webhook?: { payloadListsFiles: boolean; samples: WebhookSample[]; medianMs: number; p90Ms: number; minMs: number; maxMs: number; counters?: Counters };
  steady?: {
    reconcileSeconds: number;
    jitterSeconds: number;
    resumeSeconds: number;
    windowSeconds: number;
    reconciles: number;
    cpuSeconds: CpuTimes;
    cpuMsPerReconcile: number;
    cpuMsPerReconcileSelfOnly: number;
    /** Less what Berth spends idle (measured with no applications: timers, watches, GC) over the window. */
    cpuMsPerReconcileNetOfIdle: number;
    cpuCoreShare: number;
    counters?: Counters;
  };
  cpuProfile?: ProfileSummary;
  error?: string;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx]!;
}

function median(sorted: number[]): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  return n % 2 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
}

// ---------------------------------------------------------------------------
// helpers

const appYaml = (i: number, value = 'v0') => appObjects(i, value).map((o) => toYaml(o)).join('---\n');

function application(i: number, repoUrl: string, cluster: string): object {
  return {
    metadata: { name: `app-${i}` },
    spec: {
      project: 'team',
      source: { repoURL: repoUrl, targetRevision: 'main', path: `apps/app-${i}` },
      destination: { name: cluster, namespace: `bench-${i}` },
      syncPolicy: { automated: { prune: false, selfHeal: false }, syncOptions: ['CreateNamespace=true'] },
    },
  };
}

interface ListItem {
  name: string;
  sync: string;
  health: string;
  revision?: string;
  operation?: string;
}

async function listApps(berth: BerthProc, n: number): Promise<ListItem[]> {
  const items = new Map<string, ListItem>();
  for (let page = 1; page <= Math.ceil(n / 100) + 1; page++) {
    const r = await berth.api<ListItem[]>('GET', `/applications?page_size=100&page=${page}`);
    if (r.status !== 200) throw new Error(`list applications: HTTP ${r.status}`);
    for (const a of r.body) items.set(a.name, a);
    if (r.body.length < 100) break;
  }
  return [...items.values()];
}

/** Waits until Berth's CPU use stays under `share` of a core for `windowMs`, at most `maxMs`. */
async function quiet(berth: BerthProc, share = 0.05, windowMs = 1000, maxMs = 60_000): Promise<number> {
  const started = performance.now();
  for (;;) {
    const a = cpuSum(berth.cpu());
    await sleep(windowMs);
    const used = cpuSum(berth.cpu()) - a;
    if (used / (windowMs / 1000) <= share || performance.now() - started > maxMs) return secs(started);
  }
}

async function registerDelivery(berth: BerthProc, cluster: KubeCluster): Promise<void> {
  await berth.must('POST', '/clusters', { name: cluster.name, server: cluster.server, bearerToken: cluster.token, caData: cluster.caData });
  await berth.must('POST', '/projects', { name: 'team' });
  await berth.must('PUT', '/projects/team/delivery', {
    sourceRepos: ['*'],
    destinations: [{ server: '*', namespace: '*' }],
    clusterResourceWhitelist: [{ group: '*', kind: '*' }],
  });
}

// ---------------------------------------------------------------------------
// one scenario

async function scenario(n: number, git: GitServer, tmp: string): Promise<Scenario> {
  const kwokNodes = Math.max(2, Math.ceil(n / 100) + 2); // 110 Pods per kwok node
  const result: Scenario = { apps: n, objects: 4 * n, kwokNodes };
  const timeoutMs = Math.max(180_000, n * 1200);

  // --- the raw loop, in a cluster of its own
  log(`N=${n}: raw apply loop (${Math.min(settings.rawConcurrency, n)} workers) on a fresh cluster with ${kwokNodes} kwok nodes`);
  {
    const cluster = await startKubeCluster({ name: `raw-${n}`, nodes: kwokNodes });
    try {
      const raw = await rawApplyLoop(cluster, n, Math.min(settings.rawConcurrency, n), timeoutMs);
      result.raw = { ...raw, objectsPerSecond: r2((4 * n) / raw.availableSeconds) };
      log(`N=${n}: raw: ${raw.requests} applies answered in ${raw.appliedSeconds.toFixed(2)} s, all ${n} Deployments Available after ${raw.availableSeconds.toFixed(2)} s (${result.raw.objectsPerSecond} objects/s), ${raw.errors} retried errors`);
    } finally {
      await cluster.stop();
    }
  }

  // --- Berth
  const repo = `apps-${n}`;
  const files: Record<string, string> = {};
  for (let i = 0; i < n; i++) files[`apps/app-${i}/resources.yaml`] = appYaml(i);
  await git.createRepo(repo, files, `${n} applications`);
  const repoUrl = git.url(repo);

  const cluster = await startKubeCluster({ name: `berth-${n}`, nodes: kwokNodes });
  const dataDir = mkdtempSync(path.join(tmp, `berth-${n}-`));
  const profDir = settings.cpuProfile && n === Math.max(...settings.apps) ? path.join(tmp, `prof-${n}`) : undefined;
  if (profDir) mkdirSync(profDir);
  let berth: BerthProc | undefined;
  let rss: RssSampler | undefined;
  try {
    berth = await startBerthProcess({ dataDir, env: { ...settings.berth, ...settings.creationPolling }, logFile: path.join(tmp, `berth-${n}.log`), countReconciles: true, ...(profDir ? { cpuProfDir: profDir } : {}) });
    rss = new RssSampler(berth.pid);
    await registerDelivery(berth, cluster);
    // Idle: a cluster registered, no application (timers, GC); after start-up work has settled.
    await quiet(berth, 0.02, 2000, 20_000);
    const idle0 = cpuSum(berth.cpu());
    const idleT = performance.now();
    await sleep(10_000);
    const idleCpuMsPerSecond = r2(((cpuSum(berth.cpu()) - idle0) * 1000) / secs(idleT));
    const idleRss = readRssKib(berth.pid);

    log(`N=${n}: Berth (pid ${berth.pid}, ${Object.entries(settings.berth).map(([k, v]) => `${k}=${v}`).join(' ')}): creating ${n} applications`);
    const avail = await watchDeploymentsAvailable(cluster, n);
    const k0 = await berth.counters();
    const cpu0 = berth.cpu();
    const t0 = performance.now();
    let next = 0;
    const b = berth;
    await Promise.all(
      Array.from({ length: Math.min(settings.createConcurrency, n) }, async () => {
        for (;;) {
          const i = next++;
          if (i >= n) return;
          await b.must('POST', '/applications', application(i, repoUrl, cluster.name));
        }
      }),
    );
    const createApiSeconds = secs(t0);
    let allSyncedAt: number | undefined;
    let allHealthyAt: number | undefined;
    let last = '';
    for (;;) {
      const items = await listApps(berth, n);
      const synced = items.filter((a) => a.sync === 'Synced').length;
      const healthy = items.filter((a) => a.sync === 'Synced' && a.health === 'Healthy').length;
      const now = performance.now();
      if (synced === n && allSyncedAt === undefined) allSyncedAt = now;
      if (healthy === n) {
        allHealthyAt = now;
        break;
      }
      const line = `${synced}/${n} Synced, ${healthy}/${n} Synced+Healthy, ${avail.count()}/${n} Deployments Available`;
      if (line !== last && (Math.round(secs(t0)) % 5 === 0 || n <= 100)) {
        log(`N=${n}: ${secs(t0).toFixed(1)} s: ${line}`);
        last = line;
      }
      if (now - t0 > timeoutMs) {
        const stuck = items.filter((a) => a.sync !== 'Synced' || a.health !== 'Healthy').slice(0, 5);
        throw new Error(`not all Synced+Healthy after ${timeoutMs / 1000} s: ${line}; e.g. ${JSON.stringify(stuck)}`);
      }
      await sleep(settings.pollMs);
    }
    const cpu1 = berth.cpu();
    const creationCounters = delta(k0, await berth.counters());
    await avail.done(60_000).catch(() => undefined);
    avail.close();
    const cpuSeconds = { self: r2(cpu1.self - cpu0.self), children: r2(cpu1.children - cpu0.children) };
    result.berth = {
      createApiSeconds: r3(createApiSeconds),
      allSyncedSeconds: r3(secs(t0, allSyncedAt ?? allHealthyAt)),
      allSyncedHealthySeconds: r3(secs(t0, allHealthyAt)),
      clusterAllAvailableSeconds: avail.allAt === undefined ? Number.NaN : r3(secs(t0, avail.allAt)),
      objectsPerSecond: r2((4 * n) / secs(t0, allHealthyAt)),
      cpuSeconds,
      cpuMsPerApp: r2((cpuSum(cpuSeconds) * 1000) / n),
      idleCpuMsPerSecond,
      rssKiB: { ...(idleRss ? { idle: idleRss } : {}), afterCreation: readRssKib(berth.pid), peakCreation: rss.peak(t0) },
      creationCounters,
    };
    if (result.raw) {
      result.ratio = { endToEnd: r3(result.raw.availableSeconds / result.berth.allSyncedHealthySeconds), applyPhase: r3(result.raw.appliedSeconds / result.berth.allSyncedSeconds) };
    }
    log(
      `N=${n}: Berth: API creation ${createApiSeconds.toFixed(2)} s, all Synced ${result.berth.allSyncedSeconds} s, all Synced+Healthy ${result.berth.allSyncedHealthySeconds} s (${result.berth.objectsPerSecond} objects/s; raw ratio ${result.ratio?.endToEnd ?? 'n/a'}), ` +
        `CPU ${cpuSeconds.self} s + children ${cpuSeconds.children} s, ${creationCounters.comparisons} comparisons, child processes ${JSON.stringify(creationCounters.spawns)}, RSS ${((result.berth.rssKiB.afterCreation ?? 0) / 1024).toFixed(0)} MiB (peak ${((result.berth.rssKiB.peakCreation ?? 0) / 1024).toFixed(0)} MiB)`,
    );

    // --- webhook → cluster
    if (settings.webhooks > 0) {
      const samples: WebhookSample[] = [];
      const w0 = await berth.counters();
      for (let k = 0; k < settings.webhooks; k++) {
        const i = Math.floor((k * n) / settings.webhooks);
        const value = `w${k + 1}`;
        await quiet(berth, 0.05, 500, 30_000);
        const w = await watchConfigMapValue(cluster, `bench-${i}`, `app-${i}-a`);
        try {
          const file = `apps/app-${i}/resources.yaml`;
          const before = (await git.git(repo, ['rev-parse', 'refs/heads/main'])).trim();
          const after = await git.commit(repo, { [file]: appYaml(i, value) }, `app-${i}: ${value}`);
          const started = performance.now();
          const hook = await berth.pushWebhook(repoUrl, settings.webhookFiles ? { before, after, modified: [file] } : undefined);
          const seenAt = await w.until(value, 60_000);
          samples.push({ app: `app-${i}`, ms: Math.round(seenAt - started), status: hook.status, ...(hook.body.apps !== undefined ? { appsRefreshed: hook.body.apps } : {}) });
        } finally {
          w.close();
        }
      }
      const sorted = samples.map((s) => s.ms).sort((a, c) => a - c);
      await quiet(berth, 0.05, 1000, 60_000);
      result.webhook = { payloadListsFiles: settings.webhookFiles, samples, medianMs: median(sorted), p90Ms: percentile(sorted, 90), minMs: sorted[0]!, maxMs: sorted.at(-1)!, counters: delta(w0, await berth.counters()) };
      result.berth.rssKiB.afterWebhooks = readRssKib(berth.pid);
      log(`N=${n}: webhook (${settings.webhookFiles ? 'GitHub payload with the changed file' : 'no file list'}) → cluster over ${samples.length}: median ${result.webhook.medianMs} ms, p90 ${result.webhook.p90Ms} ms (min ${result.webhook.minMs}, max ${result.webhook.maxMs}); webhook answered ${[...new Set(samples.map((s) => s.status))].join(',')}, refreshed ${samples[0]?.appsRefreshed ?? '?'} apps each; ${result.webhook.counters?.comparisons} comparisons, child processes ${JSON.stringify(result.webhook.counters?.spawns)}`);
    }

    // --- steady state: restart with 10 s polling (once the last sync and its comparison are over)
    await quiet(berth, 0.05, 1000, 60_000);
    await berth.stop();
    rss.stop();
    if (profDir) {
      const prof = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
      if (prof) {
        result.cpuProfile = summarizeProfile(path.join(profDir, prof), 25);
        process.stderr.write(`${formatProfile(result.cpuProfile)}\n`);
      }
    }
    const steadyEnv = { ...settings.berth, ...settings.steadyPolling };
    berth = await startBerthProcess({ dataDir, env: steadyEnv, logFile: path.join(tmp, `berth-${n}-steady.log`), countReconciles: true });
    rss = new RssSampler(berth.pid);
    log(`N=${n}: steady state: Berth restarted with ${Object.entries(settings.steadyPolling).map(([k, v]) => `${k}=${v}`).join(' ')}`);
    // Resumed: every application compared again (the counter) and all Synced+Healthy.
    const restarted = berth.readyAt;
    for (;;) {
      if ((await berth.reconciles()) >= n) {
        const items = await listApps(berth, n);
        const notOk = items.filter((a) => a.sync !== 'Synced' || a.health !== 'Healthy');
        if (items.length === n && notOk.length === 0) break;
        if (secs(restarted) > 120) throw new Error(`after the restart ${notOk.length} apps are not Synced+Healthy, e.g. ${JSON.stringify(notOk.slice(0, 3))}`);
      }
      if (secs(restarted) > timeoutMs / 1000) throw new Error('after the restart, not every application was compared');
      await sleep(250);
    }
    const resumeSeconds = secs(restarted);
    // One full polling interval so that the start-up burst is over.
    await sleep((Number(settings.steadyPolling.BERTH_GITOPS_RECONCILE_SECONDS) + Number(settings.steadyPolling.BERTH_GITOPS_JITTER_SECONDS)) * 1000);
    const c0 = await berth.counters();
    const s0 = berth.cpu();
    const w0 = performance.now();
    await sleep(settings.steadySeconds * 1000);
    const s1 = berth.cpu();
    const window = secs(w0);
    const steadyCounters = delta(c0, await berth.counters());
    const reconciles = steadyCounters.comparisons;
    const used = { self: r2(s1.self - s0.self), children: r2(s1.children - s0.children) };
    result.steady = {
      reconcileSeconds: Number(settings.steadyPolling.BERTH_GITOPS_RECONCILE_SECONDS),
      jitterSeconds: Number(settings.steadyPolling.BERTH_GITOPS_JITTER_SECONDS),
      resumeSeconds: r2(resumeSeconds),
      windowSeconds: r2(window),
      reconciles,
      cpuSeconds: used,
      cpuMsPerReconcile: r3((cpuSum(used) * 1000) / Math.max(reconciles, 1)),
      cpuMsPerReconcileSelfOnly: r3((used.self * 1000) / Math.max(reconciles, 1)),
      cpuMsPerReconcileNetOfIdle: r3(Math.max(0, cpuSum(used) * 1000 - idleCpuMsPerSecond * window) / Math.max(reconciles, 1)),
      cpuCoreShare: r3(cpuSum(used) / window),
      counters: steadyCounters,
    };
    result.berth.rssKiB.afterSteady = readRssKib(berth.pid);
    result.berth.rssKiB.peakSteady = rss.peak(w0);
    log(
      `N=${n}: steady: ${reconciles} comparisons in ${window.toFixed(1)} s, CPU ${used.self} s + children ${used.children} s = ${result.steady.cpuMsPerReconcile} ms per comparison, ${result.steady.cpuMsPerReconcileNetOfIdle} ms net of idle (${(result.steady.cpuCoreShare * 100).toFixed(1)}% of a core), child processes ${JSON.stringify(steadyCounters.spawns)}; ` +
        `resumed all ${n} after a restart in ${resumeSeconds.toFixed(1)} s; RSS ${((result.berth.rssKiB.afterSteady ?? 0) / 1024).toFixed(0)} MiB`,
    );
  } catch (err) {
    result.error = (err as Error).message;
    log(`N=${n}: FAILED: ${result.error}`);
    if (berth) log(`Berth log (tail):\n${tail(berth.logFile)}`);
  } finally {
    rss?.stop();
    await berth?.stop();
    await cluster.stop();
  }
  return result;
}

// ---------------------------------------------------------------------------
// report

function machine(): Record<string, unknown> {
  const sh = (cmd: string, args: string[]) => {
    try {
      return execFileSync(cmd, args, { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return undefined;
    }
  };
  const dirty = sh('git', ['status', '--porcelain', '--untracked-files=no']);
  return {
    cpuModel: os.cpus()[0]?.model,
    cores: os.cpus().length,
    memoryGiB: r2(os.totalmem() / 2 ** 30),
    kernel: os.release(),
    node: process.version,
    kubernetes: 'v1.33 (test/peers/kubernetes.sh), kwok v0.8.0, etcd (test/peers/etcd.sh)',
    berthCommit: process.env.BENCH_GITOPS_COMMIT || sh('git', ['rev-parse', '--short', 'HEAD']),
    /** Tracked files with uncommitted changes (other work in a shared checkout); runs from a `git archive` of one commit have none. */
    berthTreeDirty: dirty === undefined ? 0 : dirty ? dirty.split('\n').length : 0,
    etcdTmp: '/dev/shm when writable (test/support/kube-cluster.ts)',
  };
}

const fmt = (x: number | undefined, d = 2) => (x === undefined || Number.isNaN(x) ? 'n/a' : x.toFixed(d));
const mibOf = (k: number | undefined) => (k === undefined ? 'n/a' : `${(k / 1024).toFixed(0)}`);

function table(results: Scenario[]): string {
  const rows = [
    '| apps | objects | raw: applied s | raw: all Available s | raw objects/s | Berth: all Synced s | Berth: Synced+Healthy s | Berth objects/s | ratio (end to end) | ratio (apply phase) | Berth CPU ms/app | webhook p50 / p90 ms | steady CPU ms/comparison (net of idle) | comparisons/60 s | RSS MiB (after creation / peak / steady) |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const s of results) {
    rows.push(
      `| ${s.apps} | ${s.objects} | ${fmt(s.raw?.appliedSeconds)} | ${fmt(s.raw?.availableSeconds)} | ${fmt(s.raw?.objectsPerSecond, 0)} | ${fmt(s.berth?.allSyncedSeconds)} | ${fmt(s.berth?.allSyncedHealthySeconds)} | ${fmt(s.berth?.objectsPerSecond, 0)} | ${s.ratio ? `${(s.ratio.endToEnd * 100).toFixed(0)} %` : 'n/a'} | ${s.ratio ? `${(s.ratio.applyPhase * 100).toFixed(0)} %` : 'n/a'} | ${fmt(s.berth?.cpuMsPerApp, 1)} | ${s.webhook ? `${s.webhook.medianMs} / ${s.webhook.p90Ms}` : 'n/a'} | ${s.steady ? `${fmt(s.steady.cpuMsPerReconcile, 2)} (${fmt(s.steady.cpuMsPerReconcileNetOfIdle, 2)})` : 'n/a'} | ${s.steady ? Math.round((s.steady.reconciles * 60) / s.steady.windowSeconds) : 'n/a'} | ${mibOf(s.berth?.rssKiB.afterCreation)} / ${mibOf(Math.max(s.berth?.rssKiB.peakCreation ?? 0, s.berth?.rssKiB.peakSteady ?? 0) || undefined)} / ${mibOf(s.berth?.rssKiB.afterSteady)} |${s.error ? ` FAILED: ${s.error.slice(0, 120)}` : ''}`,
    );
  }
  return rows.join('\n');
}

async function main(): Promise<void> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'berth-bench-gitops-'));
  removeOnExit(tmp);
  const startedAt = new Date();
  const load0 = os.loadavg();
  const machineAtStart = machine();
  log(`GitOps benchmark: N = ${settings.apps.join(', ')}; ${os.cpus().length} CPUs, load ${load0.map((l) => l.toFixed(2)).join(' ')}; temp ${tmp}`);
  if (load0[0]! > 1) log(`note: the 1-minute load is ${load0[0]!.toFixed(2)} on ${os.cpus().length} cores: other work shares the machine; figures are understated`);
  const git = await startGitServer();
  const results: Scenario[] = [];
  try {
    for (const n of settings.apps) results.push(await scenario(n, git, tmp));
  } finally {
    await git.stop();
  }
  const load1 = os.loadavg();
  const largest = results.reduce<Scenario | undefined>((a, s) => (s.apps > (a?.apps ?? 0) ? s : a), undefined);
  const bar = {
    throughput: largest?.apps === 1000 && largest.ratio ? { apps: 1000, ratio: largest.ratio.endToEnd, met: largest.ratio.endToEnd >= 0.5 } : { note: 'needs the 1,000-application scenario' },
    webhookMedian: largest?.webhook ? { apps: largest.apps, medianMs: largest.webhook.medianMs, met: largest.webhook.medianMs < 2000 } : { note: 'no webhook figures' },
  };
  const report = {
    benchmark: 'gitops',
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    quick,
    settings: { ...settings, berthEnv: settings.berth },
    loadAverage: { start: load0.map(r2), end: load1.map(r2) },
    machine: machineAtStart,
    ...(machine().berthCommit !== machineAtStart.berthCommit ? { warning: `the checkout moved from ${String(machineAtStart.berthCommit)} to ${String(machine().berthCommit)} during the run: later scenarios ran newer code` } : {}),
    scenarios: results,
    bar,
  };
  const out = process.env.BENCH_RESULTS || path.join(REPO_ROOT, 'bench', 'results', `gitops-${startedAt.toISOString().slice(0, 10)}${quick ? '-quick' : ''}.json`);
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`\n${table(results)}\n\n`);
  process.stdout.write(`Berth: ${Object.entries(settings.berth).map(([k, v]) => `${k}=${v}`).join(' ')}; creation with ${Object.entries(settings.creationPolling).map(([k, v]) => `${k}=${v}`).join(' ')}, steady state with ${Object.entries(settings.steadyPolling).map(([k, v]) => `${k}=${v}`).join(' ')}\n`);
  process.stdout.write(`raw loop: ${settings.rawConcurrency} workers, undici HTTP/1.1, no rate limit; load average ${load0[0]!.toFixed(2)} at the start, ${load1[0]!.toFixed(2)} at the end\n`);
  for (const s of results) {
    if (s.berth) process.stdout.write(`N=${s.apps}: Berth RSS idle ${mibOf(s.berth.rssKiB.idle)} MiB, after creation ${mibOf(s.berth.rssKiB.afterCreation)} MiB (peak ${mibOf(s.berth.rssKiB.peakCreation)}), after webhooks ${mibOf(s.berth.rssKiB.afterWebhooks)} MiB, steady ${mibOf(s.berth.rssKiB.afterSteady)} MiB (peak ${mibOf(s.berth.rssKiB.peakSteady)}); idle CPU ${fmt(s.berth.idleCpuMsPerSecond, 1)} ms/s\n`);
  }
  process.stdout.write(`bar: 1,000 apps ≥ 50 % of raw: ${'met' in bar.throughput ? (bar.throughput.met ? 'met' : 'NOT met') : bar.throughput.note}; webhook median < 2 s: ${'met' in bar.webhookMedian ? (bar.webhookMedian.met ? 'met' : 'NOT met') : bar.webhookMedian.note}\n`);
  process.stdout.write(`results: ${path.relative(REPO_ROOT, out)}\n`);
  if (results.some((s) => s.error)) process.exitCode = 1;
}

try {
  await main();
} finally {
  await stopAll();
}
