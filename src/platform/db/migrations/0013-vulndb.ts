import type { Kysely } from 'kysely';
import { keyType } from '../column-types.ts';

/**
 * Imported vulnerability data (src/supply-chain/vulndb/): the sources, their
 * advisories normalised to OSV's shape, and the (ecosystem, name) index the
 * matcher looks packages up by. Advisories and index rows go with their
 * source. Ecosystems and names are compared exactly (byte order on both
 * databases), as OSV's own lookup does.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('vuln_sources')
    .addColumn('name', keyType(db, 128), (c) => c.primaryKey())
    .addColumn('kind', 'varchar(32)', (c) => c.notNull())
    .addColumn('version', 'varchar(128)')
    .addColumn('content_sha256', 'varchar(64)', (c) => c.notNull())
    .addColumn('imported_at', 'bigint', (c) => c.notNull())
    .addColumn('imported_by', 'varchar(255)', (c) => c.notNull())
    .addColumn('record_count', 'integer', (c) => c.notNull())
    .addColumn('ecosystems', 'text', (c) => c.notNull())
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('vuln_advisories')
    .addColumn('source', keyType(db, 128), (c) => c.notNull().references('vuln_sources.name').onDelete('cascade'))
    .addColumn('id', keyType(db, 128), (c) => c.notNull())
    .addColumn('content_hash', 'varchar(64)', (c) => c.notNull())
    .addColumn('modified', 'varchar(64)')
    .addColumn('withdrawn', 'varchar(64)')
    .addColumn('aliases', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('vuln_advisories_pk', ['source', 'id'])
    .execute();

  await db.schema
    .createTable('vuln_affected')
    .addColumn('source', keyType(db, 128), (c) => c.notNull())
    .addColumn('advisory_id', keyType(db, 128), (c) => c.notNull())
    .addColumn('ecosystem', keyType(db, 128), (c) => c.notNull())
    .addColumn('name', keyType(db, 512), (c) => c.notNull())
    .addPrimaryKeyConstraint('vuln_affected_pk', ['source', 'advisory_id', 'ecosystem', 'name'])
    .addForeignKeyConstraint('vuln_affected_advisory', ['source', 'advisory_id'], 'vuln_advisories', ['source', 'id'], (c) => c.onDelete('cascade'))
    .execute();
  await db.schema.createIndex('vuln_affected_lookup').on('vuln_affected').columns(['ecosystem', 'name']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('vuln_affected').execute();
  await db.schema.dropTable('vuln_advisories').execute();
  await db.schema.dropTable('vuln_sources').execute();
}
