/**
 * Column types chosen per dialect, for migrations that must run on SQLite and
 * PostgreSQL alike. Everything else in a migration should use types both
 * accept (`varchar(n)`, `text`, `integer`, `bigint`).
 */
import { PostgresAdapter, sql, type ColumnDataType, type Expression, type Kysely } from 'kysely';

/** What `addColumn` accepts as a type (Kysely does not export its name for it). */
export type DataTypeExpression = ColumnDataType | Expression<unknown>;

/** True when `db` (or a transaction of it) talks to PostgreSQL. */
export function isPostgres(db: Kysely<unknown>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/** Raw bytes: `blob` on SQLite, `bytea` on PostgreSQL. Read back as a Uint8Array (a Buffer on PostgreSQL). */
export function bytesType(db: Kysely<unknown>): DataTypeExpression {
  return isPostgres(db) ? 'bytea' : 'blob';
}

/**
 * A `varchar(length)` that sorts and compares by byte order on both
 * databases: SQLite's default BINARY collation already does; on PostgreSQL
 * the column gets `COLLATE "C"` instead of the database's (usually
 * linguistic) default. Use it for names that are listed in order or
 * paginated with `name > last` (repository names, tags, digests).
 */
export function keyType(db: Kysely<unknown>, length: number): DataTypeExpression {
  if (!Number.isInteger(length) || length <= 0) throw new Error(`bad varchar length ${length}`);
  return isPostgres(db) ? sql`varchar(${sql.raw(String(length))}) collate "C"` : `varchar(${length})`;
}
