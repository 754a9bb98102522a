/**
 * Opens the metadata database and brings its schema up to date.
 * `sqlite:<path>` uses Node's built-in node:sqlite; `postgres://…` (or
 * `postgresql://…`) a `pg` connection pool. Both run the same migrations and
 * queries.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Kysely, type Dialect } from 'kysely';
import { Migrator, type Migration, type MigrationProvider } from 'kysely/migration';
import { NodeSqliteDialect } from './node-sqlite-dialect.ts';
import type { Database, Db } from './schema.ts';
import { migrations } from './migrations/index.ts';

class StaticMigrationProvider implements MigrationProvider {
  getMigrations(): Promise<Record<string, Migration>> {
    return Promise.resolve(migrations);
  }
}

export interface DatabaseOptions {
  /** PostgreSQL only: maximum pool connections (default 10). */
  poolSize?: number;
}

export async function openDatabase(url: string, options: DatabaseOptions = {}): Promise<Db> {
  const db = new Kysely<Database>({ dialect: await dialectFor(url, options) });
  const migrator = new Migrator({ db, provider: new StaticMigrationProvider() });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    await db.destroy();
    const what = failed ? `database migration ${failed.migrationName}` : 'database migration';
    throw new Error(`${what} failed: ${String(error)}`, { cause: error });
  }
  return db;
}

async function dialectFor(url: string, options: DatabaseOptions): Promise<Dialect> {
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length);
    if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    return new NodeSqliteDialect({ path: file });
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    // Loaded on demand so SQLite deployments never load the pg driver.
    const { createPostgresDialect } = await import('./postgres.ts');
    return createPostgresDialect(url, options);
  }
  throw new Error(`unsupported database URL scheme ${JSON.stringify(url.split(':')[0])}: use sqlite:<path> or postgres://user:password@host:port/database`);
}
