import type { Kysely } from 'kysely';
import { isPostgres, keyType } from '../column-types.ts';

/**
 * Outgoing webhooks (src/notify/): per-project policies, their delivery log,
 * and the key that seals secrets at rest (src/platform/secrets/sealer.ts).
 *
 * A policy's targets live in a JSON column with their auth headers sealed;
 * its signing secret is sealed too. The delivery log keeps the last
 * deliveries of each policy (pruned as new ones are written) and goes with
 * its policy; policies go with their project.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('sealing_keys')
    .addColumn('id', 'varchar(32)', (c) => c.primaryKey())
    .addColumn('key', 'varchar(128)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('webhook_policies')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('project', 'varchar(255)', (c) => c.notNull().references('projects.name').onDelete('cascade'))
    .addColumn('name', keyType(db, 255), (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('event_types', 'text', (c) => c.notNull())
    .addColumn('applications', 'text', (c) => c.notNull())
    .addColumn('targets', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('secret_sealed', 'text', (c) => c.notNull())
    .addColumn('created_by', 'varchar(255)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('webhook_policies_project_name', ['project', 'name'])
    .execute();

  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('id', isPostgres(db) ? 'bigserial' : 'integer', (c) => (isPostgres(db) ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('policy_id', 'varchar(36)', (c) => c.notNull().references('webhook_policies.id').onDelete('cascade'))
    .addColumn('event_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('event_type', 'varchar(64)', (c) => c.notNull())
    .addColumn('target', 'varchar(2048)', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('latency_ms', 'integer', (c) => c.notNull())
    .addColumn('response_body', 'text', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('webhook_deliveries_policy').on('webhook_deliveries').columns(['policy_id', 'id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('webhook_deliveries').execute();
  await db.schema.dropTable('webhook_policies').execute();
  await db.schema.dropTable('sealing_keys').execute();
}
