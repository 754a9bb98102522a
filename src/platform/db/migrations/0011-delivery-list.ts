import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { keyType } from '../column-types.ts';

/**
 * The delivery views' needs. Columns the application list filters on in SQL, so it stays one query with
 * 1,000 applications (the status itself stays JSON): the destination
 * namespace, and the sync status, health and operation phase of the last
 * saved status (existing rows are filled from their JSON); and
 * `delivery_connections`, when each cluster and Git repository was last
 * reached and its last error (src/gitops/apps/connections.ts).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('applications').addColumn('dest_namespace', 'varchar(253)', (c) => c.notNull().defaultTo('')).execute();
  await db.schema.alterTable('application_status').addColumn('sync_status', 'varchar(32)', (c) => c.notNull().defaultTo('Unknown')).execute();
  await db.schema.alterTable('application_status').addColumn('health_status', 'varchar(32)', (c) => c.notNull().defaultTo('Unknown')).execute();
  await db.schema.alterTable('application_status').addColumn('operation_phase', 'varchar(32)').execute();
  const apps = await sql<{ name: string; spec: string }>`select name, spec from applications`.execute(db);
  for (const a of apps.rows) {
    const ns = (JSON.parse(a.spec) as { destination?: { namespace?: string } }).destination?.namespace ?? '';
    await sql`update applications set dest_namespace = ${ns} where name = ${a.name}`.execute(db);
  }
  const statuses = await sql<{ app: string; status: string }>`select app, status from application_status`.execute(db);
  for (const s of statuses.rows) {
    const st = JSON.parse(s.status) as { sync?: { status?: string }; health?: { status?: string }; operationState?: { phase?: string } };
    await sql`update application_status set sync_status = ${st.sync?.status ?? 'Unknown'}, health_status = ${st.health?.status ?? 'Unknown'}, operation_phase = ${st.operationState?.phase ?? null} where app = ${s.app}`.execute(db);
  }
  await db.schema
    .createTable('delivery_connections')
    .addColumn('kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('target', keyType(db, 2048), (c) => c.notNull())
    .addColumn('last_success_at', 'bigint')
    .addColumn('last_error', 'text')
    .addColumn('last_error_at', 'bigint')
    .addPrimaryKeyConstraint('delivery_connections_pk', ['kind', 'target'])
    .execute();
  await db.schema.createIndex('application_status_sync_health').on('application_status').columns(['sync_status', 'health_status']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('delivery_connections').execute();
  await db.schema.dropIndex('application_status_sync_health').execute();
  await db.schema.alterTable('application_status').dropColumn('operation_phase').execute();
  await db.schema.alterTable('application_status').dropColumn('health_status').execute();
  await db.schema.alterTable('application_status').dropColumn('sync_status').execute();
  await db.schema.alterTable('applications').dropColumn('dest_namespace').execute();
}
