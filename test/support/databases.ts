/**
 * The databases a suite runs against: SQLite always, PostgreSQL when the run
 * has a cluster (see global-setup.ts). Loop over `testDatabases()` to run the
 * same tests on each:
 *
 *   for (const db of await testDatabases()) {
 *     describe(`registry API on ${db.name}`, { skip: db.skip }, () => {
 *       before(async () => { berth = await startTestBerth(await db.env()); });
 *       …
 *     });
 *   }
 *
 * Without the global setup (a plain `node --test FILE`), testDatabases()
 * starts a cluster for this process and removes it when the process exits.
 */
import path from 'node:path';
import { inCI } from './peers.ts';
import { POSTGRES_SKIP_ENV, POSTGRES_URL_ENV, createTestDatabase, postgresSkipReason, startPostgresCluster } from './postgres.ts';

export type DatabaseKind = 'sqlite' | 'postgres';

export interface TestDatabase {
  name: DatabaseKind;
  /** For node:test `skip`: false, or why this database is unavailable. */
  skip: false | string;
  /**
   * A fresh, empty database: for SQLite a file in `dir`, for PostgreSQL a
   * new database on the run's cluster.
   */
  createUrl(dir: string): Promise<string>;
  /**
   * BERTH_* variables for startTestBerth()/spawnBerth() selecting a fresh
   * database of this kind: none for SQLite (Berth's default file in its
   * data directory), BERTH_DATABASE_URL for PostgreSQL.
   */
  env(): Promise<Record<string, string>>;
}

export const sqlite: TestDatabase = {
  name: 'sqlite',
  skip: false,
  createUrl: (dir) => Promise.resolve(`sqlite:${path.join(dir, 'berth.db')}`),
  env: () => Promise.resolve({}),
};

export function postgres(): TestDatabase {
  return {
    name: 'postgres',
    skip: postgresSkipReason(),
    createUrl: () => createTestDatabase(),
    env: async () => ({ BERTH_DATABASE_URL: await createTestDatabase() }),
  };
}

/**
 * Starts a cluster for this process when the run has none and none was
 * ruled out (a test file run without scripts/test.ts).
 */
async function ensurePostgres(): Promise<void> {
  if (process.env[POSTGRES_URL_ENV] || process.env[POSTGRES_SKIP_ENV]) return;
  try {
    const cluster = await startPostgresCluster();
    process.env[POSTGRES_URL_ENV] = cluster.url;
    process.once('exit', () => cluster.stopSync());
  } catch (err) {
    if (inCI) throw err;
    process.env[POSTGRES_SKIP_ENV] = (err as Error).message.split('\n')[0] ?? 'PostgreSQL is unavailable';
  }
}

/**
 * SQLite, then PostgreSQL (possibly with a skip reason; in CI never
 * skipped). Use with top-level await, so `describe` calls stay synchronous.
 */
export async function testDatabases(): Promise<TestDatabase[]> {
  await ensurePostgres();
  const pgDb = postgres();
  if (pgDb.skip && inCI) throw new Error(`PostgreSQL is required in CI: ${pgDb.skip}`);
  return [sqlite, pgDb];
}
