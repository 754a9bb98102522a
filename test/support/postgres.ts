/**
 * A throwaway PostgreSQL cluster for tests. `startPostgresCluster()` runs
 * initdb into a temporary directory (as the `postgres` OS user when we are
 * root, since PostgreSQL refuses to run as root), listens on 127.0.0.1 on a
 * free port only (its Unix socket stays in the temporary directory), with
 * fsync off, and returns the URL of its `postgres` database plus a stop
 * function that removes everything.
 *
 * One cluster serves a whole test run: test/support/global-setup.ts starts it
 * and exports its URL as BERTH_TEST_POSTGRES_URL (or, outside CI, why there
 * is none as BERTH_TEST_POSTGRES_SKIP); `createTestDatabase()` then makes a
 * fresh database per caller.
 *
 * The default collation of the cluster is linguistic (ICU en-US), as on most
 * production servers, so tests notice SQL that depends on byte-order sorting
 * without saying so.
 */
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './net.ts';

const run = promisify(execFile);

/** Where a test run's cluster URL is passed to the test files. */
export const POSTGRES_URL_ENV = 'BERTH_TEST_POSTGRES_URL';
/** Why there is no cluster (outside CI only). */
export const POSTGRES_SKIP_ENV = 'BERTH_TEST_POSTGRES_SKIP';
/** Prefix of the databases createTestDatabase() makes, per run. */
const RUN_ID_ENV = 'BERTH_TEST_POSTGRES_RUN';

const TEMP_PREFIX = 'berth-pg-';
/** Clusters of killed test runs older than this are stopped and removed. */
const STALE_MS = 6 * 3600_000;

export interface PostgresCluster {
  /** postgres://postgres@127.0.0.1:PORT/postgres */
  url: string;
  /** Server major version, e.g. 15. */
  version: number;
  /** Milliseconds from initdb to ready. */
  startupMs: number;
  stop(): Promise<void>;
  /** For process 'exit' handlers, which cannot await. */
  stopSync(): void;
}

interface Runner {
  /** Runs a PostgreSQL tool as the cluster's owner. */
  (bin: string, args: string[]): Promise<{ stdout: string; stderr: string }>;
  sync(bin: string, args: string[]): void;
}

function runner(): Runner {
  // PostgreSQL refuses to run as root: hand the work to the postgres user.
  const asRoot = process.getuid?.() === 0;
  const wrap = (bin: string, args: string[]): [string, string[]] => (asRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args]);
  return Object.assign(
    (bin: string, args: string[]) => {
      const [cmd, argv] = wrap(bin, args);
      return run(cmd, argv, { encoding: 'utf8', timeout: 120_000 });
    },
    {
      sync(bin: string, args: string[]) {
        const [cmd, argv] = wrap(bin, args);
        execFileSync(cmd, argv, { stdio: 'ignore', timeout: 60_000 });
      },
    },
  );
}

/** The server's bin directory from test/peers/postgres.sh (installs it if needed). */
async function postgresBin(): Promise<string> {
  const script = path.join(import.meta.dirname, '..', 'peers', 'postgres.sh');
  try {
    const { stdout } = await run('bash', [script], { encoding: 'utf8', timeout: 15 * 60_000 });
    const bin = stdout.trim().split('\n').pop() ?? '';
    if (!bin) throw new Error('test/peers/postgres.sh printed no path');
    return bin;
  } catch (err) {
    const e = err as Error & { stderr?: string };
    const detail = (e.stderr ?? '').trim().split('\n').slice(-3).join(' ');
    throw new Error(`PostgreSQL is unavailable: ${detail || e.message}`, { cause: err });
  }
}


/** Stops and removes clusters left behind by test runs that were killed. */
function sweepStale(bin: string, pgRun: Runner): void {
  const tmp = os.tmpdir();
  let entries: string[];
  try {
    entries = readdirSync(tmp).filter((e) => e.startsWith(TEMP_PREFIX));
  } catch {
    return;
  }
  for (const entry of entries) {
    const dir = path.join(tmp, entry);
    try {
      if (Date.now() - statSync(dir).mtimeMs < STALE_MS) continue;
      const data = path.join(dir, 'data');
      if (existsSync(path.join(data, 'postmaster.pid'))) {
        try {
          pgRun.sync(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', 'stop']);
        } catch {
          /* not running */
        }
      }
      rmSync(dir, { recursive: true, force: true });
    } catch {
      /* another run is sweeping too */
    }
  }
}

export async function startPostgresCluster(): Promise<PostgresCluster> {
  const started = Date.now();
  const bin = await postgresBin();
  const pgRun = runner();
  sweepStale(bin, pgRun);
  const version = Number(/(\d+)/.exec((await run(path.join(bin, 'postgres'), ['--version'], { encoding: 'utf8' })).stdout)?.[1] ?? 0);

  const dir = await mkdtemp(path.join(os.tmpdir(), TEMP_PREFIX));
  const data = path.join(dir, 'data');
  const log = path.join(dir, 'server.log');
  try {
    if (process.getuid?.() === 0) {
      const { uid, gid } = userIds('postgres');
      chownSync(dir, uid, gid);
    }
    const locale = version >= 15 ? ['--locale=C.UTF-8', '--locale-provider=icu', '--icu-locale=en-US'] : ['--locale=C.UTF-8'];
    await pgRun(path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', ...locale, '--no-sync', '--no-instructions']);

    let port = 0;
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      writeFileSync(
        path.join(data, 'postgresql.auto.conf'),
        [
          `listen_addresses = '127.0.0.1'`,
          `port = ${port}`,
          `unix_socket_directories = '${dir}'`,
          'fsync = off',
          'synchronous_commit = off',
          'full_page_writes = off',
          'max_connections = 200',
          'shared_buffers = 32MB',
          '',
        ].join('\n'),
      );
      try {
        await pgRun(path.join(bin, 'pg_ctl'), ['-D', data, '-l', log, '-w', '-t', '60', 'start']);
        break;
      } catch (err) {
        // Another process may have taken the port between probe and bind.
        if (attempt >= 3) throw new Error(`PostgreSQL did not start: ${(err as Error).message}\n${safeRead(log)}`, { cause: err });
      }
    }

    const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
    let stopped = false;
    const stopArgs = ['-D', data, '-m', 'immediate', '-w', 'stop'];
    return {
      url,
      version,
      startupMs: Date.now() - started,
      async stop() {
        if (stopped) return;
        stopped = true;
        await pgRun(path.join(bin, 'pg_ctl'), stopArgs).catch(() => {});
        await rm(dir, { recursive: true, force: true });
      },
      stopSync() {
        if (stopped) return;
        stopped = true;
        try {
          pgRun.sync(path.join(bin, 'pg_ctl'), stopArgs);
        } catch {
          /* already gone */
        }
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    try {
      pgRun.sync(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', 'stop']);
    } catch {
      /* never started */
    }
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

function userIds(name: string): { uid: number; gid: number } {
  for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
    const f = line.split(':');
    if (f[0] === name) return { uid: Number(f[2]), gid: Number(f[3]) };
  }
  throw new Error(`no ${name} user: install PostgreSQL from Debian (test/peers/postgres.sh)`);
}

function safeRead(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-20).join('\n');
  } catch {
    return '';
  }
}

/** The run's cluster URL, or undefined with the reason in `postgresSkipReason()`. */
export function postgresBaseUrl(): string | undefined {
  return process.env[POSTGRES_URL_ENV] || undefined;
}

/** Why PostgreSQL tests skip in this run, or false when they run. */
export function postgresSkipReason(): false | string {
  if (postgresBaseUrl()) return false;
  return process.env[POSTGRES_SKIP_ENV] || `PostgreSQL was not set up: run tests through scripts/test.ts (node --test-global-setup=test/support/global-setup.ts) or set ${POSTGRES_URL_ENV}`;
}

/** Sets this run's database name prefix (global setup). */
export function newRunId(): string {
  const id = randomBytes(4).toString('hex');
  process.env[RUN_ID_ENV] = id;
  return id;
}

function runPrefix(): string {
  return `berth_test_${process.env[RUN_ID_ENV] ?? 'adhoc'}_`;
}

/** Creates an empty database on the run's cluster and returns its URL. */
export async function createTestDatabase(base = postgresBaseUrl()): Promise<string> {
  if (!base) throw new Error(`no PostgreSQL for tests: ${String(postgresSkipReason())}`);
  const name = `${runPrefix()}${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: base });
  await client.connect();
  try {
    await client.query(`create database "${name}"`);
  } finally {
    await client.end();
  }
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * Drops this run's databases; for a server the developer supplied, which
 * outlives the run (a cluster we started is simply deleted).
 */
export async function dropRunDatabases(base: string): Promise<void> {
  const client = new pg.Client({ connectionString: base });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>('select datname from pg_database where starts_with(datname, $1)', [runPrefix()]);
    for (const { datname } of rows) await client.query(`drop database if exists "${datname}" with (force)`);
  } finally {
    await client.end();
  }
}
