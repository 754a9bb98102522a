/**
 * Berth as a separate process for `npm run bench:gitops` (so that its CPU time
 * and RSS can be read from /proc), plus a small client of /api/v1.
 */
import type { ChildProcess } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { freePort } from '../../test/support/net.ts';
import path from 'node:path';
import { spawnTracked, stopChild } from '../lib/children.ts';

const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');
const CLI = path.join(REPO_ROOT, 'src', 'cli', 'main.ts');
const PRELOAD = path.join(import.meta.dirname, 'count-reconciles.ts');
export const ADMIN_PASSWORD = 'bench-admin-password';
export const WEBHOOK_SECRET = 'bench-github-webhook-secret';
const CLK_TCK = 100; // getconf CLK_TCK on Linux x86-64

export interface CpuTimes {
  /** Seconds of CPU of the process itself (utime + stime). */
  self: number;
  /** Seconds of CPU of its reaped children (git fetches, renderers): cutime + cstime. */
  children: number;
}

/** CPU times of a process from /proc/<pid>/stat. */
export function cpuTimes(pid: number): CpuTimes {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields after "(comm) ": state is [0], so utime (field 14) is [11].
  const [utime, stime, cutime, cstime] = [f[11], f[12], f[13], f[14]].map(Number) as [number, number, number, number];
  return { self: (utime + stime) / CLK_TCK, children: (cutime + cstime) / CLK_TCK };
}

export interface BerthProc {
  url: string;
  pid: number;
  child: ChildProcess;
  logFile: string;
  env: Record<string, string>;
  /** performance.now() when it answered /readyz. */
  readyAt: number;
  api<T = unknown>(method: string, apiPath: string, body?: unknown): Promise<{ status: number; body: T }>;
  must<T = unknown>(method: string, apiPath: string, body?: unknown): Promise<T>;
  /**
   * Posts a signed GitHub push webhook for `repoUrl`, branch main. With
   * `commit`, the payload is GitHub's: before/after and the commit with the
   * files it modified; without, only ref and repository (a provider or a push
   * that lists no files).
   */
  pushWebhook(repoUrl: string, commit?: { before: string; after: string; modified: string[] }): Promise<{ status: number; body: { apps?: number } }>;
  /** The exact number of comparisons so far (needs `countReconciles`). */
  reconciles(): Promise<number>;
  /** Comparisons and child processes by executable so far (needs `countReconciles`). */
  counters(): Promise<Counters>;
  cpu(): CpuTimes;
  /** SIGTERM, then SIGKILL after 20 s. */
  stop(): Promise<void>;
}

export interface Counters {
  comparisons: number;
  spawns: Record<string, number>;
}

export interface StartOptions {
  dataDir: string;
  env: Record<string, string>;
  logFile: string;
  /** Preload bench/gitops/count-reconciles.ts. */
  countReconciles?: boolean;
  /** node --cpu-prof into this directory. */
  cpuProfDir?: string;
}

/** Spawns `node src/cli/main.ts serve` (no inherited BERTH_* variables) and waits for /readyz. */
export async function startBerthProcess(options: StartOptions): Promise<BerthProc> {
  const port = await freePort();
  // One file per process: a restarted Berth on the same data directory starts its sequence at 1 again.
  const countFile = path.join(options.dataDir, `reconcile-count-${randomUUID()}.json`);
  const env: Record<string, string> = {
    BERTH_LISTEN: `127.0.0.1:${port}`,
    BERTH_DATA_DIR: options.dataDir,
    BERTH_ADMIN_PASSWORD: ADMIN_PASSWORD,
    BERTH_LOG_LEVEL: 'warn',
    BERTH_GITOPS_IN_CLUSTER: 'false',
    BERTH_GIT_WEBHOOK_SECRET_GITHUB: WEBHOOK_SECRET,
    ...options.env,
  };
  const inherited: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('BERTH_') && k !== 'NODE_OPTIONS') inherited[k] = v;
  const nodeArgs = [
    ...(options.countReconciles ? ['--import', PRELOAD] : []),
    ...(options.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`] : []),
  ];
  const fd = openSync(options.logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawnTracked(process.execPath, [...nodeArgs, CLI, 'serve'], { cwd: REPO_ROOT, env: { ...inherited, ...env, BENCH_RECONCILE_COUNT_FILE: countFile }, stdio: ['ignore', fd, fd] });
  } finally {
    closeSync(fd);
  }
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`berth exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${tail(options.logFile)}`);
    try {
      const r = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2000) });
      await r.arrayBuffer();
      if (r.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`berth not ready after 60 s:\n${tail(options.logFile)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const readyAt = performance.now();
  const authorization = `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64')}`;
  const api = async <T>(method: string, apiPath: string, body?: unknown) => {
    const res = await fetch(`${url}/api/v1${apiPath}`, {
      method,
      headers: { authorization, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(120_000),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  };
  let lastSeq = 0;
  const pid = child.pid!;
  return {
    url,
    pid,
    child,
    logFile: options.logFile,
    env,
    readyAt,
    api,
    async must<T>(method: string, apiPath: string, body?: unknown) {
      const r = await api<T>(method, apiPath, body);
      if (r.status >= 300) throw new Error(`${method} ${apiPath}: HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 500)}`);
      return r.body;
    },
    async pushWebhook(repoUrl, commit) {
      const repository = { html_url: repoUrl.replace(/\.git$/, ''), clone_url: repoUrl };
      const files = commit && { id: commit.after, message: 'bench', added: [], removed: [], modified: commit.modified };
      const payload = Buffer.from(JSON.stringify({ ref: 'refs/heads/main', repository, ...(commit && files ? { before: commit.before, after: commit.after, commits: [files], head_commit: files } : {}) }));
      const res = await fetch(`${url}/api/v1/webhooks/git`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-hub-signature-256': `sha256=${createHmac('sha256', WEBHOOK_SECRET).update(payload).digest('hex')}` },
        body: payload,
      });
      const text = await res.text();
      return { status: res.status, body: (text ? JSON.parse(text) : {}) as { apps?: number } };
    },
    async reconciles() {
      return (await counters()).comparisons;
    },
    counters,
    cpu: () => cpuTimes(pid),
    // Not group-wide first: Berth ends its own git children; SIGKILL to the group after 20 s.
    stop: () => stopChild(child, 20_000, false),
  };

  async function counters(): Promise<Counters> {
    if (!options.countReconciles) throw new Error('started without the reconcile counter');
    process.kill(pid, 'SIGUSR2');
    const until = Date.now() + 5000;
    for (;;) {
      if (existsSync(countFile)) {
        try {
          const r = JSON.parse(readFileSync(countFile, 'utf8')) as { seq: number; count: number; spawns: Record<string, number> };
          if (r.seq > lastSeq) {
            lastSeq = r.seq;
            return { comparisons: r.count, spawns: r.spawns };
          }
        } catch {
          // being replaced
        }
      }
      if (Date.now() > until) throw new Error('the reconcile counter did not answer SIGUSR2');
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

export function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}
