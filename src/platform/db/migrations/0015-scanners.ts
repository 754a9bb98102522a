import type { Kysely } from 'kysely';
import { keyType } from '../column-types.ts';

/**
 * External scanners (src/supply-chain/scanners/): adapters speaking Harbor's
 * Pluggable Scanner API registered by administrators, and which one a
 * project uses. A registration's credential is sealed at rest; its metadata
 * (scanner name, vendor, version, capabilities) is what the adapter answered
 * when registered. A project without a row uses the default registration,
 * or Berth's own scanner when there is none; a deleted registration takes its
 * project rows with it, so those projects fall back the same way.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('scanner_registrations')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('name', keyType(db, 255), (c) => c.notNull().unique())
    .addColumn('url', 'varchar(2048)', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('auth', 'varchar(32)', (c) => c.notNull())
    .addColumn('credential_sealed', 'text')
    .addColumn('is_default', 'integer', (c) => c.notNull())
    .addColumn('disabled', 'integer', (c) => c.notNull())
    .addColumn('metadata', 'text')
    .addColumn('created_by', 'varchar(255)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('project_scanners')
    .addColumn('project', 'varchar(255)', (c) => c.primaryKey().references('projects.name').onDelete('cascade'))
    .addColumn('scanner_id', 'varchar(36)', (c) => c.notNull().references('scanner_registrations.id').onDelete('cascade'))
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('project_scanners_scanner').on('project_scanners').column('scanner_id').execute();
}
