import type { Kysely } from 'kysely';
import { isPostgres, keyType } from '../column-types.ts';

/**
 * The job platform (src/platform/jobs) and domain events (src/platform/events).
 *
 * `jobs.active_key` is `<kind>\n<dedupe key>` while a deduplicated job is
 * queued or running and NULL otherwise; its unique index (NULLs never
 * collide on either database) makes "one active job per key" hold across
 * processes without a partial index. `job_schedules.last_slot` is the last
 * scheduled slot any process enqueued: advancing it is a compare-and-set, so
 * each slot runs once across processes. `domain_events.seq` is the order
 * events committed in on SQLite (one writer), which in-process listeners
 * tail. The old `events` journal (robot expiry notices) is replaced by
 * `domain_events`.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('jobs')
    .addColumn('id', keyType(db, 36), (c) => c.primaryKey())
    .addColumn('kind', keyType(db, 128), (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('state', keyType(db, 16), (c) => c.notNull())
    .addColumn('priority', 'integer', (c) => c.notNull())
    .addColumn('run_at', 'bigint', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('max_attempts', 'integer', (c) => c.notNull())
    .addColumn('dedupe_key', 'varchar(255)')
    .addColumn('active_key', 'varchar(400)', (c) => c.unique())
    .addColumn('lease_owner', 'varchar(128)')
    .addColumn('lease_expires_at', 'bigint')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('started_at', 'bigint')
    .addColumn('finished_at', 'bigint')
    .execute();
  // The claim reads it in order: queued jobs, highest priority, earliest due, oldest.
  await db.schema.createIndex('jobs_claim').on('jobs').columns(['state', 'priority desc', 'run_at', 'id']).execute();
  // Expired leases, and the purge of finished jobs.
  await db.schema.createIndex('jobs_state_lease').on('jobs').columns(['state', 'lease_expires_at']).execute();
  await db.schema.createIndex('jobs_state_finished').on('jobs').columns(['state', 'finished_at']).execute();
  await db.schema.createIndex('jobs_kind_state').on('jobs').columns(['kind', 'state', 'id']).execute();

  await db.schema
    .createTable('job_schedules')
    .addColumn('name', keyType(db, 128), (c) => c.primaryKey())
    .addColumn('last_slot', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('domain_events')
    .addColumn('seq', isPostgres(db) ? 'bigserial' : 'integer', (c) => (isPostgres(db) ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('id', keyType(db, 36), (c) => c.notNull().unique())
    .addColumn('type', keyType(db, 64), (c) => c.notNull())
    .addColumn('actor', 'varchar(255)', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('occurred_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('domain_events_type_time').on('domain_events').columns(['type', 'occurred_at']).execute();
  await db.schema.createIndex('domain_events_time').on('domain_events').column('occurred_at').execute();

  await db.schema.dropTable('events').execute();

}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('events')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('type', 'varchar(64)', (c) => c.notNull())
    .addColumn('subject', 'varchar(512)', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('events_type_time').on('events').columns(['type', 'created_at']).execute();
  await db.schema.dropTable('domain_events').execute();
  await db.schema.dropTable('job_schedules').execute();
  await db.schema.dropTable('jobs').execute();
}
