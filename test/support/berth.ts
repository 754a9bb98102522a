/** Starts a real Berth server for a test, on a free loopback port. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../../src/config/config.ts';
import { createLogger, startBerth, type Berth } from '../../src/main.ts';
import { freePort } from './net.ts';

export { freePort };

export const ADMIN_PASSWORD = 'test-admin-password';

export interface TestBerth extends Berth {
  url: string;
  /** host:port, as registry clients name it. */
  hostPort: string;
  config: Config;
  stop(): Promise<void>;
}


/**
 * `env` overrides any BERTH_* variable. Metadata goes to SQLite in the data
 * directory unless `env` has BERTH_DATABASE_URL, e.g. from
 * `await database.env()` of test/support/databases.ts (a fresh PostgreSQL
 * database); stop() closes the pool and removes the data directory.
 */
export async function startTestBerth(env: Record<string, string> = {}): Promise<TestBerth> {
  const dataDir = env.BERTH_DATA_DIR ?? (await mkdtemp(path.join(os.tmpdir(), 'berth-test-')));
  const port = await freePort();
  const config = loadConfig({
    env: {
      BERTH_LISTEN: `127.0.0.1:${port}`,
      BERTH_DATA_DIR: dataDir,
      BERTH_ADMIN_PASSWORD: ADMIN_PASSWORD,
      BERTH_LOG_LEVEL: process.env.BERTH_TEST_LOG_LEVEL ?? 'warn',
      BERTH_STORAGE_FSYNC: 'false',
      ...env,
    },
  });
  const berth = await startBerth(config, createLogger(config));
  return {
    ...berth,
    url: `http://127.0.0.1:${port}`,
    hostPort: `127.0.0.1:${port}`,
    config,
    async stop() {
      await berth.close();
      if (!env.BERTH_DATA_DIR) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export function basicAuth(user = 'admin', password = ADMIN_PASSWORD): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}
