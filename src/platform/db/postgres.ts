/**
 * The PostgreSQL dialect: Kysely's PostgresDialect over a `pg` pool whose
 * type parsers (set on this pool only, not pg's global table) return BIGINT
 * and NUMERIC as JS numbers, so rows look the same as on SQLite. bytea comes
 * back as a Buffer (a Uint8Array). Transactions use Kysely's normal
 * `begin`/`commit` on a connection reserved for the transaction.
 */
import pg from 'pg';
import { PostgresDialect } from 'kysely';

export interface PostgresOptions {
  /** Maximum open connections in the pool (default 10). */
  poolSize?: number;
}

export const DEFAULT_POOL_SIZE = 10;

/**
 * Epoch milliseconds, sizes and counts fit well inside 2^53; a BIGINT beyond
 * that would lose precision, which this schema never stores.
 */
function numberTypes(): pg.CustomTypesConfig {
  const types = new pg.TypeOverrides();
  types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));
  types.setTypeParser(pg.types.builtins.NUMERIC, (value: string) => Number(value));
  return types;
}

export function createPostgresDialect(url: string, options: PostgresOptions = {}): PostgresDialect {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? DEFAULT_POOL_SIZE,
    types: numberTypes(),
    connectionTimeoutMillis: 15_000,
    application_name: 'berth',
  });
  // An idle connection that dies (server restart, network) is dropped by the
  // pool; without a listener the 'error' event would end the process. The
  // next query opens a fresh connection and reports any lasting problem.
  pool.on('error', () => {});
  // JIT off for Berth's sessions: its queries are short OLTP ones, and a cost estimate inflated by
  // fresh tables made PostgreSQL spend 314 ms of a 364 ms artifact count compiling (EXPLAIN ANALYZE,
  // 10,000 artifacts). A SET rather than a startup option, which connection poolers may refuse; queued
  // on the connection before anything else runs on it.
  pool.on('connect', (client) => {
    client.query('SET jit = off').catch(() => {});
  });
  return new PostgresDialect({ pool });
}
