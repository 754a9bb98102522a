/** Runs `berth serve` as a separate process, for tests that kill it. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { ADMIN_PASSWORD, freePort } from './berth.ts';

const CLI = path.join(import.meta.dirname, '..', '..', 'src', 'cli', 'main.ts');

export interface BerthProcess {
  url: string;
  child: ChildProcess;
  /** Everything the process wrote to stderr. */
  stderr(): string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export async function spawnBerth(dataDir: string, env: Record<string, string> = {}, port?: number): Promise<BerthProcess> {
  const p = port ?? (await freePort());
  const child = spawn(process.execPath, [CLI, 'serve'], {
    env: { ...process.env, BERTH_LISTEN: `127.0.0.1:${p}`, BERTH_DATA_DIR: dataDir, BERTH_ADMIN_PASSWORD: ADMIN_PASSWORD, BERTH_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const url = `http://127.0.0.1:${p}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`berth exited with ${child.exitCode}: ${err}`);
    try {
      if ((await fetch(`${url}/readyz`)).status === 200) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`berth did not become ready: ${err}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    child,
    stderr: () => err,
    kill: (signal = 'SIGKILL') =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill(signal);
      }),
  };
}
