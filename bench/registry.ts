/**
 * `npm run bench:registry`: Berth against the CNCF Distribution registry on
 * this machine, under zot's zb benchmark suite (or bench/zb-compat where zb
 * cannot be built), plus a single-stream 1 GiB push/pull measured against
 * the machine's SHA-256 speed, with the servers' RSS sampled throughout.
 * Everything listens on 127.0.0.1 only; every child is stopped on exit.
 * See docs/benchmarks.md for what is measured and the bar.
 *
 * Environment:
 *   BENCH_REQUESTS_C1    zb -n at concurrency 1 (default 20)
 *   BENCH_REQUESTS_C10   zb -n at concurrency 10 (default 100)
 *   BENCH_TESTS          regex: run only the zb tests whose name matches
 *   BENCH_BLOB_MIB       size of the single-stream blob in MiB (default 1024; 0 skips it)
 *   BENCH_SKIP_ZB=1      skip the zb part
 *   BENCH_ZB             path of a zb binary to use, or "compat" to force bench/zb-compat
 *   BENCH_ZB_REPO        zb -r: repository prefix (default none: zb pushes every item
 *                        to a new top-level repository, i.e. a new Berth project)
 *   BENCH_CPU_PROF=1     run Berth under `node --cpu-prof` and summarize the profile
 *                        (numbers of such a run are flagged as profiled)
 *   BENCH_RESULTS        results file (default bench/results/registry-<YYYY-MM-DD>.json)
 *   BENCH_TMPDIR         parent of the temporary data directories (default os.tmpdir())
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { freePort } from '../test/support/net.ts';
import os from 'node:os';
import path from 'node:path';
import { stringify as toYaml } from 'yaml';
import { measureDiskWrite, measureSha256, pullBlob, pushBlob, type DiskLimit, type ShaLimit, type Transfer } from './lib/blob.ts';
import { removeOnExit, spawnTracked, stopAll, stopChild } from './lib/children.ts';
import { formatProfile, summarizeProfile, type ProfileSummary } from './lib/cpu-profile.ts';
import { redactRemoteHosts } from './lib/redact.ts';
import { mib, RssSampler } from './lib/rss.ts';
import { buildZbCompat, listTests, locateZb, peerBinary, runZb, type ZbTestResult, type ZbTool } from './lib/zb.ts';

const REPO_ROOT = path.resolve(import.meta.dirname, '..');
/**
 * Memory is "flat" when RSS grows during the single-stream transfers by less
 * than 1/8 of the blob size (128 MiB for 1 GiB): a server that buffers a
 * blob grows by about its size, a streaming one by a bounded amount (I/O
 * buffers, GC slack) whatever the size.
 */
const FLAT_RSS_FRACTION = 1 / 8;
const PUSH_BAR_PCT = 70;

// ---------------------------------------------------------------------------
// settings

function intEnv(name: string, fallback: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  if (!/^\d+$/.test(v)) throw new Error(`${name} must be a non-negative integer, got ${JSON.stringify(v)}`);
  return Number(v);
}

const settings = {
  requestsC1: intEnv('BENCH_REQUESTS_C1', 20),
  requestsC10: intEnv('BENCH_REQUESTS_C10', 100),
  tests: process.env.BENCH_TESTS ? new RegExp(process.env.BENCH_TESTS) : undefined,
  blobBytes: intEnv('BENCH_BLOB_MIB', 1024) * 1024 * 1024,
  skipZb: process.env.BENCH_SKIP_ZB === '1',
  cpuProfile: process.env.BENCH_CPU_PROF === '1',
  tmpRoot: process.env.BENCH_TMPDIR || os.tmpdir(),
  zbRepo: process.env.BENCH_ZB_REPO || undefined,
};

function log(msg: string): void {
  process.stderr.write(`[bench] ${msg}\n`);
}

// ---------------------------------------------------------------------------
// servers

interface Server {
  name: 'berth' | 'distribution';
  label: string;
  url: string;
  child: ChildProcess;
  pid: number;
  rss: RssSampler;
  logFile: string;
  /** zb -A value */
  zbAuth?: string;
  /** Authorization header for direct requests */
  authorization?: string;
}

function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

async function waitReady(url: string, child: ChildProcess, logFile: string, headers: Record<string, string> = {}): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`server exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${tail(logFile)}`);
    try {
      const r = await fetch(url, { headers, signal: AbortSignal.timeout(2000) });
      await r.arrayBuffer();
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} not ready after 60 s:\n${tail(logFile)}`);
}

function cleanEnv(dropPrefixes: string[]): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!dropPrefixes.some((p) => k.startsWith(p))) env[k] = v;
  return env;
}

function spawnServer(command: string, args: string[], env: NodeJS.ProcessEnv, logFile: string): ChildProcess {
  const fd = openSync(logFile, 'a');
  try {
    return spawnTracked(command, args, { cwd: REPO_ROOT, env, stdio: ['ignore', fd, fd] });
  } finally {
    closeSync(fd);
  }
}

async function startBerth(tmp: string, password: string, profileDir: string | undefined): Promise<Server> {
  const port = await freePort();
  const dataDir = path.join(tmp, 'berth-data');
  mkdirSync(dataDir);
  const logFile = path.join(tmp, 'berth.log');
  // No inherited BERTH_* (a stray BERTH_CONFIG or BERTH_DATABASE_URL must not
  // point the benchmark at real data); storage fsync stays at its default.
  const env = {
    ...cleanEnv(['BERTH_']),
    BERTH_LISTEN: `127.0.0.1:${port}`,
    BERTH_DATA_DIR: dataDir,
    BERTH_ADMIN_PASSWORD: password,
    BERTH_LOG_LEVEL: 'warn',
  };
  const nodeArgs = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const child = spawnServer(process.execPath, [...nodeArgs, path.join(REPO_ROOT, 'src', 'cli', 'main.ts'), 'serve'], env, logFile);
  const url = `http://127.0.0.1:${port}`;
  await waitReady(`${url}/readyz`, child, logFile);
  const basic = `Basic ${Buffer.from(`admin:${password}`).toString('base64')}`;
  await waitReady(`${url}/v2/`, child, logFile, { authorization: basic });
  return { name: 'berth', label: 'Berth', url, child, pid: child.pid!, rss: new RssSampler(child.pid!), logFile, zbAuth: `admin:${password}`, authorization: basic };
}

async function startDistribution(bin: string, tmp: string): Promise<Server> {
  const port = await freePort();
  const dataDir = path.join(tmp, 'distribution-data');
  mkdirSync(dataDir);
  const logFile = path.join(tmp, 'distribution.log');
  const configFile = path.join(tmp, 'distribution.yml');
  const config = {
    version: 0.1,
    log: { level: 'warn', accesslog: { disabled: true } },
    storage: {
      filesystem: { rootdirectory: dataDir },
      delete: { enabled: true },
      cache: { blobdescriptor: 'inmemory' },
      maintenance: { uploadpurging: { enabled: false } },
    },
    http: { addr: `127.0.0.1:${port}`, secret: randomBytes(24).toString('hex') },
  };
  writeFileSync(configFile, toYaml(config));
  // REGISTRY_* variables would override the generated configuration.
  const env = { ...cleanEnv(['REGISTRY_', 'OTEL_']), OTEL_TRACES_EXPORTER: 'none' };
  const child = spawnServer(bin, ['serve', configFile], env, logFile);
  const url = `http://127.0.0.1:${port}`;
  await waitReady(`${url}/v2/`, child, logFile);
  return { name: 'distribution', label: 'Distribution', url, child, pid: child.pid!, rss: new RssSampler(child.pid!), logFile };
}

function assertAlive(s: Server): void {
  if (s.child.exitCode !== null || s.child.signalCode !== null) throw new Error(`${s.label} exited (${s.child.exitCode ?? s.child.signalCode}):\n${tail(s.logFile)}`);
}

// ---------------------------------------------------------------------------
// machine

function cmdOutput(cmd: string, args: string[], cwd = REPO_ROOT): string | undefined {
  try {
    return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 }).trim();
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    const out = `${e.stdout ?? ''}${e.stderr ?? ''}`.trim();
    return out || undefined;
  }
}

function machineInfo(distributionBin: string, zb: ZbTool, tmp: string) {
  const cpus = os.cpus();
  const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
  return {
    cpuModel: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    availableParallelism: os.availableParallelism(),
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    storage: cmdOutput('findmnt', ['-no', 'FSTYPE,SOURCE,OPTIONS', '-T', tmp]),
    loadAverageAtStart: os.loadavg(),
    distribution: { version: cmdOutput(distributionBin, ['--version'])?.replace(/^\S*registry\s+/, ''), path: distributionBin },
    zb: { ...zb, go: zb.kind === 'zb-compat' ? cmdOutput('go', ['version']) : undefined },
    berth: {
      version: pkg.version,
      commit: cmdOutput('git', ['rev-parse', '--short', 'HEAD']),
      uncommittedChangesInSrc: (cmdOutput('git', ['status', '--porcelain', '--', 'src']) ?? '') !== '',
      storageFsync: true,
    },
  };
}

// ---------------------------------------------------------------------------
// phases

interface BlobResult {
  push: Transfer;
  pull: Transfer;
  pushPctOfSha256: number;
  pushPctOfDisk: number;
  rssKiB: { before?: number; duringPush?: number; duringPull?: number; growthDuringTransfers?: number };
}

async function idleBaseline(s: Server): Promise<number | undefined> {
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, 1000));
  s.rss.sample();
  return s.rss.peak(t0);
}

/** Push on each server, then pull on each (Berth, Distribution, Berth, Distribution). */
async function blobPhase(tool: string, servers: Server[], sha: ShaLimit, disk: DiskLimit): Promise<Record<string, BlobResult>> {
  const out: Record<string, BlobResult> = {};
  const state = new Map<Server, { before?: number; push?: Transfer; pushPeak?: number }>();
  const target = (s: Server) => ({ url: s.url, repository: 'bench/single-stream', ...(s.zbAuth ? { auth: s.zbAuth } : {}) });
  const size = `${settings.blobBytes / 2 ** 20} MiB`;
  for (const s of servers) {
    assertAlive(s);
    const before = await idleBaseline(s);
    log(`${s.label}: pushing ${size} (RSS before ${mib(before)})`);
    const t0 = performance.now();
    const push = await pushBlob(tool, target(s), settings.blobBytes);
    s.rss.sample();
    const pushPeak = s.rss.peak(t0);
    state.set(s, { before, push, pushPeak });
    log(`${s.label}: push ${push.mbPerSec.toFixed(0)} MB/s (${push.seconds.toFixed(2)} s), peak RSS ${mib(pushPeak)}`);
  }
  for (const s of servers) {
    const st = state.get(s)!;
    assertAlive(s);
    await idleBaseline(s);
    const t0 = performance.now();
    const pull = await pullBlob(tool, target(s), st.push!.digest, settings.blobBytes);
    s.rss.sample();
    const pullPeak = s.rss.peak(t0);
    log(`${s.label}: pull ${pull.mbPerSec.toFixed(0)} MB/s (${pull.seconds.toFixed(2)} s), digest verified, peak RSS ${mib(pullPeak)}`);
    const peak = Math.max(st.pushPeak ?? 0, pullPeak ?? 0);
    out[s.name] = {
      push: st.push!,
      pull,
      pushPctOfSha256: (100 * st.push!.mbPerSec) / sha.mbPerSec,
      pushPctOfDisk: (100 * st.push!.mbPerSec) / disk.mbPerSec,
      rssKiB: { before: st.before, duringPush: st.pushPeak, duringPull: pullPeak, growthDuringTransfers: st.before === undefined ? undefined : peak - st.before },
    };
  }
  return out;
}

interface ZbRow {
  test: string;
  concurrency: number;
  requests: number;
  berth?: ZbTestResult & { peakRssKiB?: number; exitCode: number | null; order: number };
  distribution?: ZbTestResult & { peakRssKiB?: number; exitCode: number | null; order: number };
  ratio?: number;
}

async function zbPhase(zb: ZbTool, tests: string[], berth: Server, dist: Server, tmp: string): Promise<ZbRow[]> {
  const rows: ZbRow[] = [];
  const levels = [
    { c: 1, n: settings.requestsC1 },
    { c: 10, n: settings.requestsC10 },
  ].filter((l) => l.n > 0);
  const total = tests.length * levels.length * 2;
  let k = 0;
  for (const [i, test] of tests.entries()) {
    for (const [j, { c, n }] of levels.entries()) {
      const row: ZbRow = { test, concurrency: c, requests: Math.max(c, Math.floor(n / c) * c) };
      // Alternate which registry goes first, so drift in machine load hits both.
      const order = (i + j) % 2 === 0 ? [berth, dist] : [dist, berth];
      for (const [pos, s] of order.entries()) {
        assertAlive(s);
        k++;
        const workDir = mkdtempSync(path.join(tmp, 'zb-'));
        const t0 = performance.now();
        const r = await runZb(zb, { url: s.url, test, concurrency: c, requests: Math.max(n, c), workDir, ...(s.zbAuth ? { auth: s.zbAuth } : {}), ...(settings.zbRepo ? { repo: settings.zbRepo } : {}) });
        s.rss.sample();
        const peakRssKiB = s.rss.peak(t0);
        rmSync(workDir, { recursive: true, force: true });
        if (!r.result) {
          log(`(${k}/${total}) ${test} c=${c} ${s.label}: no result (exit ${r.exitCode})\n${r.stderr.slice(-2000)}${r.stdout.slice(-2000)}`);
          continue;
        }
        row[s.name] = { ...r.result, peakRssKiB, exitCode: r.exitCode, order: pos };
        const fails = r.result.failed > 0 ? `, ${r.result.failed} FAILED: ${JSON.stringify(r.result.errors).slice(0, 300)}` : '';
        log(`(${k}/${total}) ${test} c=${c} ${s.label}: ${r.result.requestsPerSecond.toFixed(2)} req/s, p50 ${fmtMs(r.result.latencyMs.p50)}, p99 ${fmtMs(r.result.latencyMs.p99)}${fails} [${r.seconds.toFixed(1)} s]`);
      }
      if (row.berth && row.distribution && row.distribution.requestsPerSecond > 0) row.ratio = row.berth.requestsPerSecond / row.distribution.requestsPerSecond;
      rows.push(row);
    }
  }
  return rows;
}

// ---------------------------------------------------------------------------
// report

function fmtMs(ms: number | undefined): string {
  if (ms === undefined) return 'n/a';
  if (ms < 10) return `${ms.toFixed(2)}ms`;
  if (ms < 1000) return `${ms.toFixed(0)}ms`;
  return `${(ms / 1000).toFixed(2)}s`;
}

function fmtRps(r: number | undefined): string {
  if (r === undefined) return 'n/a';
  return r >= 100 ? r.toFixed(0) : r >= 10 ? r.toFixed(1) : r.toFixed(2);
}

function table(rows: ZbRow[]): string {
  const header = ['test', 'c', 'Berth req/s', 'p50', 'p99', 'Dist req/s', 'p50', 'p99', 'ratio', ''];
  const body = rows.map((r) => {
    const failed = (r.berth?.failed ?? 0) + (r.distribution?.failed ?? 0);
    let flag = r.ratio !== undefined && r.ratio < 1 ? '<< below 1.0x' : '';
    if (!r.berth || !r.distribution) flag = 'NO RESULT';
    if (failed > 0) flag = `${flag} (failed: Berth ${r.berth?.failed ?? '?'}, Dist ${r.distribution?.failed ?? '?'})`.trim();
    return [
      r.test,
      String(r.concurrency),
      fmtRps(r.berth?.requestsPerSecond),
      fmtMs(r.berth?.latencyMs.p50),
      fmtMs(r.berth?.latencyMs.p99),
      fmtRps(r.distribution?.requestsPerSecond),
      fmtMs(r.distribution?.latencyMs.p50),
      fmtMs(r.distribution?.latencyMs.p99),
      r.ratio === undefined ? 'n/a' : `${r.ratio.toFixed(2)}x`,
      flag,
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const right = new Set([1, 2, 3, 4, 5, 6, 7, 8]);
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (right.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join(' | ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...body.map(line)].join('\n');
}

// ---------------------------------------------------------------------------
// main

async function main(): Promise<number> {
  const startedAt = new Date();
  log('locating peers: Distribution (test/peers/distribution.sh) and zb (test/peers/zb.sh)');
  const distBin = await peerBinary('distribution.sh');
  if (!distBin.path) throw new Error(`test/peers/distribution.sh failed: ${distBin.error}`);
  const zb = settings.skipZb ? undefined : await locateZb();
  if (zb?.note) log(`${zb.note}\n[bench] using bench/zb-compat (${zb.version}): zb's test suite re-implemented with Go's standard library`);
  else if (zb) log(`using zot's zb: ${zb.path} (${zb.version})`);
  const tests = zb ? (await listTests(zb)).filter((t) => !settings.tests || settings.tests.test(t)) : [];

  const tmp = mkdtempSync(path.join(settings.tmpRoot, 'berth-bench-'));
  removeOnExit(tmp);
  const profileDir = settings.cpuProfile ? mkdtempSync(path.join(os.tmpdir(), 'berth-cpuprof-')) : undefined;
  const machine = machineInfo(distBin.path, zb ?? { kind: 'zb-compat', path: '', version: 'not run' }, tmp);
  log(`machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB, node ${machine.node}; data under ${tmp}`);

  const password = randomBytes(12).toString('base64url');
  const berth = await startBerth(tmp, password, profileDir);
  const dist = await startDistribution(distBin.path, tmp);
  log(`Berth ${berth.url} (pid ${berth.pid}, storage fsync on: the default), Distribution ${dist.url} (pid ${dist.pid}, no auth)`);

  log('measuring SHA-256 speed (node:crypto, 256 MiB buffer x4)');
  const sha = measureSha256();
  log(`SHA-256: ${sha.mbPerSec.toFixed(0)} MB/s (rounds ${sha.rounds.map((r) => r.toFixed(0)).join(', ')})`);
  let disk: DiskLimit | undefined;
  let blob: Record<string, BlobResult> | undefined;
  if (settings.blobBytes > 0) {
    disk = measureDiskWrite(tmp, settings.blobBytes);
    log(`disk write + fsync of ${settings.blobBytes / 2 ** 20} MiB in ${tmp}: ${disk.mbPerSec.toFixed(0)} MB/s`);
    blob = await blobPhase(await buildZbCompat(), [berth, dist], sha, disk);
  }

  const rows = zb && tests.length > 0 ? await zbPhase(zb, tests, berth, dist, tmp) : [];

  const rssWholeRun = { berthPeakKiB: berth.rss.peak(0), distributionPeakKiB: dist.rss.peak(0) };
  let profile: ProfileSummary | undefined;
  if (profileDir) {
    log('stopping Berth to write its CPU profile');
    await stopChild(berth.child, 30_000, false);
    const files = readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile'));
    if (files[0]) profile = summarizeProfile(path.join(profileDir, files[0]), 25);
    else log(`no .cpuprofile written in ${profileDir}`);
  }
  berth.rss.stop();
  dist.rss.stop();
  await stopAll();

  // ----- report
  const finishedAt = new Date();
  const below = rows.filter((r) => r.ratio !== undefined && r.ratio < 1);
  const failedRuns = rows.filter((r) => !r.berth || !r.distribution || r.berth.failed > 0 || r.distribution.failed > 0);
  const b1 = blob?.berth;
  const flatLimitKiB = (settings.blobBytes / 1024) * FLAT_RSS_FRACTION;
  const bar = {
    zbEveryTestAtLeast1x: rows.length > 0 ? below.length === 0 && failedRuns.length === 0 : undefined,
    testsBelow1x: below.map((r) => `${r.test} c=${r.concurrency} (${r.ratio!.toFixed(2)}x)`),
    push1GiBAtLeast70PctOfSha256: b1 ? b1.pushPctOfSha256 >= PUSH_BAR_PCT : undefined,
    memoryFlat: b1?.rssKiB.growthDuringTransfers !== undefined ? b1.rssKiB.growthDuringTransfers < flatLimitKiB : undefined,
    flatMeans: `Berth's peak RSS during the single-stream push/pull stays within ${flatLimitKiB / 1024} MiB (1/8 of the blob) of its RSS before it`,
  };

  const out: string[] = [];
  const loadAtEnd = os.loadavg();
  out.push('', `Berth vs Distribution — ${finishedAt.toISOString()} — ${machine.cpuModel}, ${machine.cores} cores, node ${machine.node}`);
  out.push(`Load average (1 min) at start ${machine.loadAverageAtStart[0]!.toFixed(2)}, at end ${loadAtEnd[0]!.toFixed(2)} (a load above ~0.5 before the start means other work shared the CPU)`);
  out.push(`Distribution: ${machine.distribution.version}; load generator: ${zb ? zb.version : 'not run'}`);
  if (zb?.note) out.push(`NOTE: ${zb.note}. Used bench/zb-compat instead (same tests and statistics; sends an OCI Accept header on manifest requests, which zb omits).`);
  out.push('Auth: Berth is driven with Basic auth (zb -A admin:<pw>, checked on every request; zb has no bearer-token flow); Distribution runs without auth. This is a handicap for Berth.');
  out.push('Storage: Berth with storage fsync on (the default); Distribution filesystem driver (it fsyncs committed blobs too).');
  if (settings.cpuProfile) out.push('PROFILED RUN: Berth ran under --cpu-prof; its numbers are lower than normal.');
  if (rows.length > 0) {
    const repos = settings.zbRepo ? `repositories ${settings.zbRepo}/<uuid>` : 'a new top-level repository <uuid> per pushed item, as zb does by default';
    out.push('', `zb (requests: c=1 -n ${settings.requestsC1}, c=10 -n ${settings.requestsC10}; ${repos}; req/s = test items per second as zb counts them, incl. setup pushes)`, table(rows));
    if (below.length > 0) out.push('', `Below 1.0x: ${bar.testsBelow1x.join('; ')}`);
    if (failedRuns.length > 0) out.push(`Runs with failed requests or no result: ${failedRuns.map((r) => `${r.test} c=${r.concurrency}`).join('; ')}`);
  }
  out.push('', `Single stream (1 MB = 10^6 bytes). SHA-256 limit (node:crypto, 256 MiB buffer, best of ${sha.rounds.length}): ${sha.mbPerSec.toFixed(0)} MB/s`);
  if (disk) out.push(`Disk: write + fsync of ${settings.blobBytes / 2 ** 20} MiB where both registries store data: ${disk.mbPerSec.toFixed(0)} MB/s (a push with fsync cannot beat this either)`);
  if (blob) {
    for (const [name, r] of Object.entries(blob)) {
      out.push(
        `  ${name.padEnd(12)} ${settings.blobBytes / 2 ** 20} MiB push ${r.push.mbPerSec.toFixed(0)} MB/s (${r.push.seconds.toFixed(2)} s; ${r.pushPctOfSha256.toFixed(0)}% of SHA-256 limit, ${r.pushPctOfDisk.toFixed(0)}% of disk)` +
          `, pull ${r.pull.mbPerSec.toFixed(0)} MB/s (${r.pull.seconds.toFixed(2)} s, digest verified)`,
        `  ${''.padEnd(12)} RSS before ${mib(r.rssKiB.before)}, peak during push ${mib(r.rssKiB.duringPush)}, peak during pull ${mib(r.rssKiB.duringPull)}`,
      );
    }
  }
  out.push(`Peak RSS over the whole run: Berth ${mib(rssWholeRun.berthPeakKiB)}, Distribution ${mib(rssWholeRun.distributionPeakKiB)}`);
  if (profile) out.push('', formatProfile(profile));
  out.push(
    '',
    'Bar:',
    `  zb: Berth >= 1.0x Distribution on every test ... ${bar.zbEveryTestAtLeast1x === undefined ? 'not run' : bar.zbEveryTestAtLeast1x ? 'MET' : 'NOT MET'}`,
    `  ${settings.blobBytes / 2 ** 20} MiB push >= ${PUSH_BAR_PCT}% of SHA-256 limit ... ${bar.push1GiBAtLeast70PctOfSha256 === undefined ? 'not run' : bar.push1GiBAtLeast70PctOfSha256 ? 'MET' : 'NOT MET'}${b1 ? ` (${b1.pushPctOfSha256.toFixed(0)}%)` : ''}`,
    `  flat memory (RSS growth during the transfers < ${flatLimitKiB / 1024} MiB) ... ${bar.memoryFlat === undefined ? 'not run' : bar.memoryFlat ? 'MET' : 'NOT MET'}${b1?.rssKiB.growthDuringTransfers !== undefined ? ` (+${mib(b1.rssKiB.growthDuringTransfers)})` : ''}`,
  );

  const resultsFile = process.env.BENCH_RESULTS || path.join(REPO_ROOT, 'bench', 'results', `registry-${startedAt.toISOString().slice(0, 10)}.json`);
  mkdirSync(path.dirname(resultsFile), { recursive: true });
  const doc = {
    benchmark: 'bench/registry.ts',
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationSeconds: Math.round((finishedAt.getTime() - startedAt.getTime()) / 1000),
    machine: { ...machine, loadAverageAtEnd: loadAtEnd },
    settings: {
      requestsC1: settings.requestsC1,
      requestsC10: settings.requestsC10,
      tests: settings.tests?.source ?? 'all',
      blobBytes: settings.blobBytes,
      cpuProfile: settings.cpuProfile,
      auth: { berth: 'Basic (zb -A admin:<pw>) on every request', distribution: 'none' },
      zbFlags: `-o json --skip-cleanup -t ^<test>$ -d <tmp>${settings.zbRepo ? ` -r ${settings.zbRepo}` : ''}`,
    },
    zb: rows,
    sha256: sha,
    disk,
    singleStream: blob,
    rssWholeRunKiB: rssWholeRun,
    cpuProfile: profile,
    bar,
  };
  writeFileSync(resultsFile, redactRemoteHosts(`${JSON.stringify(doc, null, 2)}\n`));
  out.push('', `Results: ${path.relative(REPO_ROOT, resultsFile)}  (${Math.round(doc.durationSeconds / 60)} min ${doc.durationSeconds % 60} s)`);
  process.stdout.write(`${out.join('\n')}\n`);
  if (existsSync(tmp)) rmSync(tmp, { recursive: true, force: true });
  return failedRuns.length > 0 ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  async (err: unknown) => {
    process.stderr.write(`[bench] error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    await stopAll(2000);
    process.exitCode = 1;
  },
);
