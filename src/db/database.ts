/**
 * Opens the metadata database and brings its schema up to date.
 * SQLite (built in) is the default; PostgreSQL arrives with its dialect.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Kysely } from 'kysely';
import { Migrator, type Migration, type MigrationProvider } from 'kysely/migration';
import { NodeSqliteDialect } from './node-sqlite-dialect.ts';
import type { Database, Db } from './schema.ts';
import { migrations } from './migrations/index.ts';

class StaticMigrationProvider implements MigrationProvider {
  getMigrations(): Promise<Record<string, Migration>> {
    return Promise.resolve(migrations);
  }
}

export async function openDatabase(url: string): Promise<Db> {
  const db = new Kysely<Database>({ dialect: dialectFor(url) });
  const migrator = new Migrator({ db, provider: new StaticMigrationProvider() });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    await db.destroy();
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${String(error)}`);
  }
  return db;
}

function dialectFor(url: string) {
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length);
    if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    return new NodeSqliteDialect({ path: file });
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    throw new Error('PostgreSQL support is not built yet; use a sqlite: database URL');
  }
  throw new Error(`unsupported database URL scheme in ${JSON.stringify(url.split(':')[0])}: use sqlite:<path>`);
}
