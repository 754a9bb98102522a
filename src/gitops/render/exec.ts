/**
 * Runs kustomize and helm as children that cannot exhaust Berth: a minimal
 * environment (nothing of Berth's — no secrets, tokens or database URLs), a
 * wall-clock timeout that kills the whole process group, and a cap on stdout
 * (the child is killed the moment it is exceeded; Berth never buffers more).
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import path from 'node:path';
import { RenderError } from './errors.ts';

export type ToolName = 'kustomize' | 'helm';

export interface RunOptions {
  tool: ToolName;
  /** Absolute path (see resolveBinary). */
  binary: string;
  args: readonly string[];
  cwd: string;
  /** The child's whole environment. */
  env: Record<string, string>;
  timeoutMs: number;
  maxOutputBytes: number;
  /** Replaced in error messages (temporary directories, the tree root). */
  redact?: readonly (readonly [string, string])[];
  /** Called once the child exists (spawn counting). */
  onSpawn?: () => void;
}

/** Kept of stderr for error messages (the tail). */
const STDERR_KEEP = 16 * 1024;

export function formatBytes(n: number): string {
  if (n >= 1 << 20 && n % (1 << 20) === 0) return `${n / (1 << 20)} MiB`;
  if (n >= 1 << 10 && n % (1 << 10) === 0) return `${n / (1 << 10)} KiB`;
  return `${n} bytes`;
}

function notInstalled(tool: ToolName, binary: string): RenderError {
  const env = tool === 'kustomize' ? 'BERTH_KUSTOMIZE_PATH' : 'BERTH_HELM_PATH';
  const where = binary === tool ? '' : ` (looked for ${binary})`;
  return new RenderError(`${tool} is not installed${where}: install it or set ${env}`, { code: 'not-installed' });
}

/**
 * The absolute path of an executable: `binary` itself when it contains a
 * slash, else the first match on PATH. A RenderError('not-installed') when
 * there is none.
 */
export async function resolveBinary(tool: ToolName, binary: string, searchPath = process.env.PATH ?? ''): Promise<string> {
  const candidates = binary.includes('/') ? [path.resolve(binary)] : searchPath.split(path.delimiter).filter(Boolean).map((d) => path.join(d, binary));
  for (const c of candidates) {
    try {
      await access(c, constants.X_OK);
      return c;
    } catch {
      // next
    }
  }
  throw notInstalled(tool, binary);
}

/** Runs the tool; resolves with its stdout (UTF-8) when it exits 0. */
export function runTool(o: RunOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const redact = (s: string): string => {
      for (const [from, to] of o.redact ?? []) if (from) s = s.split(from).join(to);
      return s;
    };
    let settled = false;
    const settle = (err: Error | undefined, out?: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(out ?? '');
    };

    let child;
    try {
      child = spawn(o.binary, o.args, {
        cwd: o.cwd,
        env: o.env,
        // Own process group, so a timeout kills everything the tool started.
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (err) {
      reject(new RenderError(`could not start ${o.tool}: ${(err as Error).message}`, { code: 'tool-failed', cause: err }));
      return;
    }
    const pid = child.pid;
    if (pid !== undefined) o.onSpawn?.();

    let failure: RenderError | undefined;
    const killGroup = (): void => {
      if (pid === undefined) return;
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      failure ??= new RenderError(`${o.tool} did not finish within ${o.timeoutMs / 1000}s and was stopped`, { code: 'timeout' });
      killGroup();
    }, o.timeoutMs);

    const chunks: Buffer[] = [];
    let size = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      if (failure) return;
      size += chunk.length;
      if (size > o.maxOutputBytes) {
        failure = new RenderError(`${o.tool} output exceeds the ${formatBytes(o.maxOutputBytes)} limit; it was stopped`, { code: 'output-limit' });
        chunks.length = 0;
        killGroup();
        return;
      }
      chunks.push(chunk);
    });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s: string) => {
      stderr += s;
      if (stderr.length > 2 * STDERR_KEEP) stderr = stderr.slice(-STDERR_KEEP);
    });

    child.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' || err.code === 'EACCES') failure ??= notInstalled(o.tool, o.binary);
      else failure ??= new RenderError(`could not run ${o.tool}: ${err.message}`, { code: 'tool-failed', cause: err });
      if (pid === undefined) settle(failure);
    });
    child.on('close', (code, signal) => {
      if (failure) return settle(failure);
      if (code !== 0) {
        const msg = redact(stderr.slice(-STDERR_KEEP).trim()) || `exit ${code ?? signal}`;
        return settle(new RenderError(`${o.tool} failed: ${msg}`, { code: 'tool-failed' }));
      }
      settle(undefined, Buffer.concat(chunks).toString('utf8'));
    });
  });
}

/** A counting semaphore: at most `limit` tools run at once. */
export class Semaphore {
  #available: number;
  readonly #waiters: (() => void)[] = [];

  constructor(limit: number) {
    this.#available = Math.max(1, limit);
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#available > 0) this.#available--;
    else await new Promise<void>((r) => this.#waiters.push(r));
    try {
      return await fn();
    } finally {
      const next = this.#waiters.shift();
      if (next) next();
      else this.#available++;
    }
  }
}
