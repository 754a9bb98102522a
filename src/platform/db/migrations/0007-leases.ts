import type { Kysely } from 'kysely';
import { keyType } from '../column-types.ts';

/**
 * Coordination between several Berth processes on one database.
 *
 * `leases` (src/platform/leases/): named leases with an owner (one process
 * instance), an expiry, and a fencing token that grows each time the lease
 * changes hands.
 *
 * `application_operations` (src/gitops/engine/operations.ts): every sync,
 * rollback and deletion, recorded when accepted and kept after it ends (the
 * operation history). `active` is 1 while the operation is pending or
 * running and NULL after: the unique index on (app, active) lets at most one
 * operation per application be active, in every process, and NULLs never
 * collide on either database. `dedupe_key` (commit and source of an
 * automated sync) is unique per application: one automated sync per commit
 * and parameters.
 *
 * `uploads.version`: bumped by each request on an upload session, so a
 * process's running hash is trusted only while no other process wrote.
 *
 * `delivery_refresh_requests`: a Git webhook or refresh seen by one process
 * for a repository whose applications another process operates.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('leases')
    .addColumn('name', keyType(db, 255), (c) => c.primaryKey())
    .addColumn('owner', keyType(db, 128), (c) => c.notNull())
    .addColumn('token', 'bigint', (c) => c.notNull())
    .addColumn('acquired_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('leases_owner').on('leases').columns(['owner', 'name']).execute();

  await db.schema
    .createTable('application_operations')
    .addColumn('id', keyType(db, 36), (c) => c.primaryKey())
    .addColumn('app', keyType(db, 63), (c) => c.notNull())
    .addColumn('project', keyType(db, 255), (c) => c.notNull())
    .addColumn('kind', keyType(db, 16), (c) => c.notNull())
    .addColumn('trigger', keyType(db, 32), (c) => c.notNull())
    .addColumn('request', 'text', (c) => c.notNull())
    .addColumn('revision', 'varchar(255)', (c) => c.notNull())
    .addColumn('resolved_revision', 'varchar(255)')
    .addColumn('actor_kind', keyType(db, 16), (c) => c.notNull())
    .addColumn('actor', keyType(db, 255), (c) => c.notNull())
    .addColumn('source_ip', 'varchar(64)', (c) => c.notNull())
    .addColumn('state', keyType(db, 16), (c) => c.notNull())
    .addColumn('active', 'integer')
    .addColumn('dedupe_key', 'varchar(255)')
    .addColumn('owner', 'varchar(128)')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('result', 'text')
    .addColumn('resources_done', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('started_at', 'bigint')
    .addColumn('finished_at', 'bigint')
    .execute();
  await db.schema.createIndex('application_operations_app').on('application_operations').columns(['app', 'created_at']).execute();
  await db.schema.createIndex('application_operations_one_active').on('application_operations').columns(['app', 'active']).unique().execute();
  await db.schema.createIndex('application_operations_dedupe').on('application_operations').columns(['app', 'dedupe_key']).unique().execute();
  await db.schema.createIndex('application_operations_active').on('application_operations').columns(['active', 'state']).execute();

  // Upload sessions served by several processes (src/registry/uploads.ts).
  await db.schema.alterTable('uploads').addColumn('version', 'integer', (c) => c.notNull().defaultTo(0)).execute();

  await db.schema
    .createTable('delivery_refresh_requests')
    .addColumn('repo_url', keyType(db, 1024), (c) => c.primaryKey())
    .addColumn('requested_at', 'bigint', (c) => c.notNull())
    .addColumn('changed_paths', 'text')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('uploads').dropColumn('version').execute();
  await db.schema.dropTable('delivery_refresh_requests').execute();
  await db.schema.dropTable('application_operations').execute();
  await db.schema.dropTable('leases').execute();
}
