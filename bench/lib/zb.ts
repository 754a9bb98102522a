/**
 * The load generator: zot's `zb` when test/peers/zb.sh can build it, else
 * bench/zb-compat (the same test suite, standard-library Go; see its header
 * for why and how it differs). Both are run the same way and their reports
 * parsed into ZbTestResult.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCommand } from './children.ts';

export interface ZbTool {
  kind: 'zb' | 'zb-compat';
  path: string;
  version: string;
  /** Why the real zb was not used, when it was not. */
  note?: string;
}

export interface ZbTestResult {
  name: string;
  concurrency: number;
  requests: number;
  totalSeconds: number;
  requestsPerSecond: number;
  complete: number;
  failed: number;
  errors: Record<string, number>;
  latencyMs: { min?: number; max?: number; p50?: number; p75?: number; p90?: number; p99?: number };
}

const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');
const COMPAT_DIR = path.join(REPO_ROOT, 'bench', 'zb-compat');

function cacheRoot(): string {
  return process.env.BERTH_CACHE_DIR ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'berth');
}

/** Runs a test/peers script; returns the binary path it printed, or the reason it failed. */
export async function peerBinary(script: string): Promise<{ path?: string; error?: string }> {
  const r = await runCommand('bash', [path.join(REPO_ROOT, 'test', 'peers', script)], { cwd: REPO_ROOT, timeoutMs: 30 * 60_000 });
  const bin = r.stdout.trim().split('\n').pop()?.trim();
  if (r.code === 0 && bin && existsSync(bin)) return { path: bin };
  const lines = r.stderr.trim().split('\n').filter((l) => l.trim() !== '');
  const reason = lines.find((l) => /403|forbidden|not permitted/i.test(l)) ?? lines.pop() ?? `exit ${r.code}`;
  return { error: reason.slice(0, 400) };
}

function goCommand(): string {
  if (process.env.GO) return process.env.GO;
  for (const dir of (process.env.PATH ?? '').split(':')) if (dir && existsSync(path.join(dir, 'go'))) return path.join(dir, 'go');
  if (existsSync('/usr/local/go/bin/go')) return '/usr/local/go/bin/go';
  throw new Error('zb-compat needs Go (no `go` on PATH, /usr/local/go/bin/go or $GO)');
}

/** Builds bench/zb-compat (standard library only, offline) into the cache, keyed by its source hash. */
export async function buildZbCompat(): Promise<string> {
  const hash = createHash('sha256');
  for (const f of ['go.mod', 'main.go']) hash.update(readFileSync(path.join(COMPAT_DIR, f)));
  const dir = path.join(cacheRoot(), 'bench', `zb-compat-${hash.digest('hex').slice(0, 12)}`);
  const bin = path.join(dir, 'zb-compat');
  if (existsSync(bin)) return bin;
  mkdirSync(dir, { recursive: true });
  const tmp = `${bin}.tmp-${process.pid}`;
  const env = { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-mod=mod', GOWORK: 'off', GOTOOLCHAIN: 'local', GOPROXY: 'off' };
  const r = await runCommand(goCommand(), ['build', '-trimpath', '-ldflags=-s -w', '-o', tmp, '.'], { cwd: COMPAT_DIR, env, timeoutMs: 10 * 60_000 });
  if (r.code !== 0) {
    rmSync(tmp, { force: true });
    throw new Error(`building bench/zb-compat failed:\n${r.stderr}`);
  }
  renameSync(tmp, bin);
  return bin;
}

/** The real zb when BENCH_ZB names one or zb.sh builds it; else zb-compat. */
export async function locateZb(): Promise<ZbTool> {
  let note: string | undefined;
  const forced = process.env.BENCH_ZB;
  let real: string | undefined;
  if (forced === 'compat') {
    note = 'BENCH_ZB=compat';
  } else if (forced) {
    real = forced;
  } else {
    const r = await peerBinary('zb.sh');
    if (r.path) real = r.path;
    else note = `test/peers/zb.sh could not build zot's zb here: ${r.error}`;
  }
  if (real) {
    const v = await runCommand(real, ['--version'], { timeoutMs: 30_000 });
    return { kind: 'zb', path: real, version: (v.stdout + v.stderr).trim().split('\n')[0] ?? 'unknown' };
  }
  const bin = await buildZbCompat();
  const v = await runCommand(bin, ['-v'], { timeoutMs: 30_000 });
  return { kind: 'zb-compat', path: bin, version: v.stdout.trim(), ...(note ? { note } : {}) };
}

export async function listTests(tool: ZbTool): Promise<string[]> {
  const r = await runCommand(tool.path, ['-l', 'http://127.0.0.1:1'], { timeoutMs: 30_000 });
  if (r.code !== 0) throw new Error(`${tool.path} -l failed: ${r.stderr}`);
  // On-demand Sync tests need a zot upstream (-u) and are skipped by zb.
  return r.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('On-demand Sync'));
}

export function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export interface ZbRunOptions {
  url: string;
  test: string;
  concurrency: number;
  requests: number;
  auth?: string;
  /** zb -r: repository name prefix */
  repo?: string;
  workDir: string;
}

/** Runs one test at one concurrency; returns the parsed result and the raw output. */
export async function runZb(tool: ZbTool, o: ZbRunOptions): Promise<{ result: ZbTestResult | undefined; exitCode: number | null; stdout: string; stderr: string; seconds: number }> {
  const args = ['-c', String(o.concurrency), '-n', String(o.requests), '-o', 'json', '--skip-cleanup', '-t', `^${escapeRegex(o.test)}$`, '-d', o.workDir];
  if (o.auth) args.push('-A', o.auth);
  if (o.repo) args.push('-r', o.repo);
  args.push(o.url);
  const r = await runCommand(tool.path, args, { cwd: o.workDir, timeoutMs: 30 * 60_000 });
  const results = parseZbOutput(r.stdout);
  const result = results.find((t) => t.name === o.test);
  if (result) {
    result.concurrency = o.concurrency;
    result.requests ||= Math.floor(o.requests / o.concurrency) * o.concurrency;
  }
  return { result, exitCode: r.code, stdout: r.stdout, stderr: r.stderr, seconds: r.seconds };
}

/** zb-compat -o json prints JSON; zot's zb prints its text report for every -o. */
export function parseZbOutput(stdout: string): ZbTestResult[] {
  const trimmed = stdout.trim();
  if (trimmed.startsWith('{')) {
    const doc = JSON.parse(trimmed) as { concurrency: number; tests: (ZbTestResult & { requestsPerSecond: number })[] };
    return doc.tests.map((t) => ({ ...t, errors: t.errors ?? {}, concurrency: t.concurrency ?? doc.concurrency }));
  }
  return parseZbText(stdout);
}

/** Parses zb's text report ("============" blocks, Go duration strings). */
export function parseZbText(text: string): ZbTestResult[] {
  const header = /Total requests:\s+(\d+)/.exec(text);
  const concurrency = /Concurrency Level:\s+(\d+)/.exec(text);
  const requests = header ? Number(header[1]) : 0;
  const out: ZbTestResult[] = [];
  for (const block of text.split(/^=+\s*$/m).slice(1)) {
    const field = (label: string) => new RegExp(`^${escapeRegex(label)}:?\\s+(.+)$`, 'm').exec(block)?.[1]?.trim();
    const name = field('Test name:');
    if (!name) continue;
    const errors: Record<string, number> = {};
    for (const m of block.matchAll(/^Error (.+) count:\s+(\d+)$/gm)) errors[m[1]!] = Number(m[2]);
    const lat: ZbTestResult['latencyMs'] = {};
    for (const k of ['min', 'max', 'p50', 'p75', 'p90', 'p99'] as const) {
      const v = new RegExp(`^${k}:\\s+(\\S+)$`, 'm').exec(block)?.[1];
      if (v) lat[k] = parseGoDuration(v) * 1000;
    }
    const failed = Number(field('Failed requests:') ?? 0);
    out.push({
      name,
      concurrency: concurrency ? Number(concurrency[1]) : 0,
      requests,
      totalSeconds: parseGoDuration(field('Time taken for tests:') ?? '0s'),
      requestsPerSecond: Number(field('Requests per second:') ?? 0),
      complete: Number(field('Complete requests:') ?? 0),
      failed,
      errors,
      latencyMs: lat,
    });
  }
  return out;
}

/** Go's time.Duration.String() format, e.g. "1m2.5s", "855.045µs"; returns seconds. */
export function parseGoDuration(s: string): number {
  const units: Record<string, number> = { ns: 1e-9, us: 1e-6, 'µs': 1e-6, 'μs': 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
  let total = 0;
  let matched = false;
  for (const m of s.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|μs|ms|s|m|h)/g)) {
    total += Number(m[1]) * units[m[2]!]!;
    matched = true;
  }
  if (!matched && s.trim() !== '0') throw new Error(`not a Go duration: ${s}`);
  return total;
}
