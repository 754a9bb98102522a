/**
 * `npm run bench:scan`: Berth's image analysis against syft on the scanner's
 * test images (test/peers/scan-images.sh: Debian by debootstrap, PyPI, npm,
 * a Go binary, Maven JARs + WAR), and the time Berth takes to re-match 1,000
 * stored SBOMs after a vulnerability-data import.
 *
 * Analysis. For each image, BENCH_SCAN_ROUNDS rounds, alternating which goes
 * first: Berth's analyzer in a fresh Node process (bench/lib/scan-analyze.ts:
 * the analyzeImage call is timed, module loading is not, and the process's
 * wall time is reported beside it) and `syft scan oci-dir:` (the process's wall
 * time: syft has no separate start-up to subtract), both reading the same OCI
 * layout from disk, offline. Medians are reported, the ratio Berth ÷ syft
 * (bar: ≤ 1.0 on every image) and each side's peak RSS (Berth: the child's
 * getrusage maxRSS; syft: sampled VmRSS every 20 ms), with the image size, so
 * "memory flat with image size" can be read off.
 *
 * Re-match. A real Berth (in this process, SQLite in a temporary directory,
 * HTTP on loopback) gets 1,000 images, each a distinct manifest over one
 * shared layer holding the test images' real package databases (the Debian
 * status file, the Python dist-info METADATA files, the npm package.json
 * files), scanned through the API (1,000 stored inventories); then the real
 * OSV Go and PyPI files of shared/vulndata are imported and each
 * `vulnerabilities.rematch` job's run time (started → finished) is reported.
 * Bar: under 10 s.
 *
 * Results go to bench/results/scan-<YYYY-MM-DD>.json with the load average at
 * start and end (no host names).
 *
 * Environment:
 *   BENCH_SCAN_ROUNDS    rounds per image (default 3)
 *   BENCH_SCAN_SBOMS     stored SBOMs for the re-match (default 1000; 0 skips it)
 *   BENCH_VULNDATA_DIR   shared/vulndata (default: found beside the repository)
 *   BENCH_RESULTS        results file
 */
import { execFile } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { readRssKib } from './lib/rss.ts';
import { spawnTracked, stopAll } from './lib/children.ts';
import { rematchBench, type RematchResult } from './lib/scan-rematch.ts';
import { compareInventories, formatAccuracy, type Accuracy } from '../test/support/scan-accuracy.ts';
import { syftEnv } from '../test/support/syft.ts';

const REPO_ROOT = path.resolve(import.meta.dirname, '..');
const ROUNDS = Number(process.env.BENCH_SCAN_ROUNDS ?? 3);
const SBOMS = Number(process.env.BENCH_SCAN_SBOMS ?? 1000);

interface Run {
  ms: number;
  processMs: number;
  rssKib: number;
  purls: string[];
}

interface ImageResult {
  image: string;
  bytes: number;
  berth: { analysisMs: number; processMs: number; peakRssMiB: number; packages: number };
  syft: { ms: number; peakRssMiB: number; packages: number };
  ratio: number;
  accuracy: Accuracy;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function sh(script: string, args: string[] = []): Promise<string> {
  const { stdout } = await promisify(execFile)('bash', [path.join(REPO_ROOT, 'test', 'peers', script), ...args], { encoding: 'utf8', timeout: 60 * 60_000, maxBuffer: 1 << 24 });
  return stdout.trim();
}

/** Runs a child to its end, sampling its VmRSS every 20 ms; resolves with stdout, wall time and peak RSS. */
function runSampled(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ stdout: string; ms: number; peakKib: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawnTracked(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let peak = 0;
    const timer = setInterval(() => (peak = Math.max(peak, readRssKib(child.pid!) ?? 0)), 20);
    const out: Buffer[] = [];
    let err = '';
    child.stdout!.on('data', (c: Buffer) => out.push(c));
    child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      clearInterval(timer);
      const ms = performance.now() - t0;
      if (code !== 0) return reject(new Error(`${path.basename(command)} ${args.join(' ')} exited ${code}: ${err.slice(-2000)}`));
      resolve({ stdout: Buffer.concat(out).toString('utf8'), ms, peakKib: peak });
    });
  });
}

async function berthRun(layout: string): Promise<Run> {
  const r = await runSampled(process.execPath, [path.join(REPO_ROOT, 'bench', 'lib', 'scan-analyze.ts'), layout], { ...process.env });
  const j = JSON.parse(r.stdout) as { durationMs: number; purls: string[]; maxRssKib: number };
  return { ms: j.durationMs, processMs: r.ms, rssKib: Math.max(j.maxRssKib, r.peakKib), purls: j.purls };
}

async function syftRun(syft: string, layout: string, home: string): Promise<Run> {
  const r = await runSampled(syft, ['scan', `oci-dir:${layout}`, '-o', 'syft-json', '-q'], syftEnv(home));
  const doc = JSON.parse(r.stdout) as { artifacts: { purl?: string }[] };
  return { ms: r.ms, processMs: r.ms, rssKib: r.peakKib, purls: doc.artifacts.map((a) => a.purl ?? '') };
}

function dirBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) n += statSync(path.join(e.parentPath, e.name)).size;
  return n;
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const loadAtStart = os.loadavg();
  const out: string[] = [];
  const say = (line: string) => {
    out.push(line);
    process.stdout.write(`${line}\n`);
  };
  say(`bench:scan — load average at start ${loadAtStart.map((l) => l.toFixed(2)).join(' ')} (2 cores: above ~0.5 other work shares them)`);
  const syft = await sh('syft.sh');
  const images = new Map((await sh('scan-images.sh')).split('\n').map((l) => l.split('=') as [string, string]));
  const home = path.join(os.tmpdir(), `berth-bench-scan-${process.pid}`);
  mkdirSync(home, { recursive: true });

  const results: ImageResult[] = [];
  for (const [image, layout] of images) {
    const berth: Run[] = [];
    const ref: Run[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      if (round % 2 === 0) {
        berth.push(await berthRun(layout));
        ref.push(await syftRun(syft, layout, home));
      } else {
        ref.push(await syftRun(syft, layout, home));
        berth.push(await berthRun(layout));
      }
    }
    const b = { analysisMs: Math.round(median(berth.map((r) => r.ms))), processMs: Math.round(median(berth.map((r) => r.processMs))), peakRssMiB: Math.round(Math.max(...berth.map((r) => r.rssKib)) / 1024), packages: berth[0]!.purls.length };
    const s = { ms: Math.round(median(ref.map((r) => r.ms))), peakRssMiB: Math.round(Math.max(...ref.map((r) => r.rssKib)) / 1024), packages: ref[0]!.purls.length };
    const accuracy = compareInventories(image, berth[0]!.purls, ref[0]!.purls);
    results.push({ image, bytes: dirBytes(path.join(layout, 'blobs')), berth: b, syft: s, ratio: Math.round((b.analysisMs / s.ms) * 100) / 100, accuracy });
  }

  say('');
  say(`${'image'.padEnd(8)} ${'size'.padStart(8)} ${'Berth ms'.padStart(9)} ${'(process)'.padStart(10)} ${'syft ms'.padStart(8)} ${'ratio'.padStart(6)} ${'Berth RSS'.padStart(10)} ${'syft RSS'.padStart(9)} ${'pkgs B/s'.padStart(9)}`);
  for (const r of results) {
    say(
      `${r.image.padEnd(8)} ${`${(r.bytes / 1e6).toFixed(1)} MB`.padStart(8)} ${String(r.berth.analysisMs).padStart(9)} ${String(r.berth.processMs).padStart(10)} ${String(r.syft.ms).padStart(8)} ${r.ratio.toFixed(2).padStart(6)} ${`${r.berth.peakRssMiB} MiB`.padStart(10)} ${`${r.syft.peakRssMiB} MiB`.padStart(9)} ${`${r.berth.packages}/${r.syft.packages}`.padStart(9)}`,
    );
  }
  say(`bar: ratio ≤ 1.0 on every image — ${results.every((r) => r.ratio <= 1) ? 'met' : 'NOT met'}`);
  say('');
  for (const line of formatAccuracy([compareInventories.combine(results.map((r) => r.accuracy))]).trimEnd().split('\n')) say(line);

  let rematch: RematchResult | undefined;
  if (SBOMS > 0) {
    say('');
    rematch = await rematchBench({ sboms: SBOMS, images, say, repoRoot: REPO_ROOT, vulndataDir: process.env.BENCH_VULNDATA_DIR });
    say(`re-match of ${rematch.sboms} stored SBOMs (${rematch.packages} packages) after importing ${rematch.imported.join(' + ')}: ${(rematch.rematchMs / 1000).toFixed(2)} s (bar < 10 s — ${rematch.rematchMs < 10_000 ? 'met' : 'NOT met'})`);
  }

  const loadAtEnd = os.loadavg();
  say(`load average at end ${loadAtEnd.map((l) => l.toFixed(2)).join(' ')}`);
  const resultsFile = process.env.BENCH_RESULTS || path.join(REPO_ROOT, 'bench', 'results', `scan-${startedAt.toISOString().slice(0, 10)}.json`);
  mkdirSync(path.dirname(resultsFile), { recursive: true });
  const doc = {
    benchmark: 'scan',
    startedAt: startedAt.toISOString(),
    durationSeconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version },
    loadAverageAtStart: loadAtStart,
    loadAverageAtEnd: loadAtEnd,
    rounds: ROUNDS,
    images: results.map(({ accuracy, ...r }) => ({ ...r, accuracy: accuracy.ecosystems })),
    rematch,
  };
  writeFileSync(resultsFile, `${JSON.stringify(doc, null, 2)}\n`);
  say(`Results: ${path.relative(REPO_ROOT, resultsFile)}`);
}

try {
  await main();
} finally {
  await stopAll();
}
