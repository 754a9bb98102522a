/**
 * Child processes of the benchmark. Every child runs in its own process group
 * (so a peer build script's `go` subprocesses go with it) and is registered
 * here, so that an exit, an error or SIGINT/SIGTERM ends all of them.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { rmSync } from 'node:fs';

const live = new Set<ChildProcess>();
const cleanupPaths = new Set<string>();
let installed = false;

/** Spawns a tracked child in its own process group. */
export function spawnTracked(command: string, args: readonly string[], options: SpawnOptions = {}): ChildProcess {
  installHandlers();
  const child = spawn(command, args, { ...options, detached: true });
  live.add(child);
  child.once('exit', () => live.delete(child));
  child.once('error', () => live.delete(child));
  return child;
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** SIGTERM (to the process only when `groupWide` is false), then SIGKILL to the group after `graceMs`. */
export async function stopChild(child: ChildProcess, graceMs = 5000, groupWide = true): Promise<void> {
  if (exited(child) || child.pid === undefined) return;
  const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  if (groupWide) signalGroup(child, 'SIGTERM');
  else child.kill('SIGTERM');
  const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), graceMs).unref());
  if ((await Promise.race([done, timer])) === 'timeout') {
    signalGroup(child, 'SIGKILL');
    await done;
  }
}

/** Removes `dir` (recursively) when the benchmark ends, however it ends. */
export function removeOnExit(dir: string): void {
  installHandlers();
  cleanupPaths.add(dir);
}

export function forgetOnExit(dir: string): void {
  cleanupPaths.delete(dir);
}

/** Synchronous last resort: SIGKILL every live child group, remove temp dirs. */
function killAllNow(): void {
  for (const child of live) signalGroup(child, 'SIGKILL');
  live.clear();
  for (const dir of cleanupPaths) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // best effort
    }
  }
  cleanupPaths.clear();
}

/** Stops every live child gracefully (then forcibly), removes temp dirs. */
export async function stopAll(graceMs = 5000): Promise<void> {
  await Promise.all([...live].map((c) => stopChild(c, graceMs)));
  killAllNow();
}

function installHandlers(): void {
  if (installed) return;
  installed = true;
  process.once('exit', killAllNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\n[bench] ${signal}: stopping children\n`);
      void stopAll(2000).finally(() => process.exit(130));
    });
  }
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  seconds: number;
}

/**
 * Runs a command to completion, capturing stdout and stderr (and echoing
 * stderr when `echoStderr` is set). Kills it after `timeoutMs`.
 */
export function runCommand(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; echoStderr?: boolean; onSpawn?: (child: ChildProcess) => void } = {},
): Promise<RunResult> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawnTracked(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    options.onSpawn?.(child);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (b: Buffer) => out.push(b));
    child.stderr?.on('data', (b: Buffer) => {
      err.push(b);
      if (options.echoStderr) process.stderr.write(b);
    });
    const timer = options.timeoutMs
      ? setTimeout(() => {
          process.stderr.write(`[bench] ${command} exceeded ${options.timeoutMs} ms: killing it\n`);
          void stopChild(child, 2000);
        }, options.timeoutMs)
      : undefined;
    child.once('error', (e) => {
      if (timer) clearTimeout(timer);
      reject(e);
    });
    child.once('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        seconds: (performance.now() - started) / 1000,
      });
    });
  });
}
