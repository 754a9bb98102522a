import type { Kysely } from 'kysely';
import { keyType } from '../column-types.ts';

/**
 * The scanning service (src/supply-chain/scanning): one report per scanned
 * manifest digest with Harbor's summary counts (so `with_scan_overview` on a
 * page of artifacts is one indexed read), the inventories and their packages
 * as rows (a re-match after a vulnerability data import reads packages, never
 * an image), the findings, and the projects' `auto_scan` and
 * `auto_sbom_generation` settings.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('scan_reports')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('digest', keyType(db, 100), (c) => c.notNull().unique())
    .addColumn('repository', keyType(db, 255), (c) => c.notNull())
    .addColumn('project', 'varchar(255)', (c) => c.notNull())
    .addColumn('media_type', 'varchar(255)', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('job_id', 'varchar(36)')
    .addColumn('engine', 'varchar(255)', (c) => c.notNull())
    .addColumn('scanner_name', 'varchar(255)')
    .addColumn('scanner_vendor', 'varchar(255)')
    .addColumn('scanner_version', 'varchar(255)')
    .addColumn('rematchable', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('error', 'text')
    .addColumn('requested_at', 'bigint', (c) => c.notNull())
    .addColumn('started_at', 'bigint')
    .addColumn('ended_at', 'bigint')
    .addColumn('matched_at', 'bigint')
    .addColumn('findings_hash', 'varchar(64)')
    .addColumn('severity', 'varchar(16)', (c) => c.notNull().defaultTo('None'))
    .addColumn('critical', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('high', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('medium', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('low', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('negligible', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('unknown', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('total', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('fixable', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('package_count', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  // The re-match walks the stored inventories in id order.
  await db.schema.createIndex('scan_reports_rematchable').on('scan_reports').columns(['rematchable', 'id']).execute();

  await db.schema
    .createTable('scan_inventories')
    .addColumn('report_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('idx', 'integer', (c) => c.notNull())
    .addColumn('manifest_digest', 'varchar(100)', (c) => c.notNull())
    .addColumn('os', 'varchar(64)')
    .addColumn('architecture', 'varchar(64)')
    .addColumn('variant', 'varchar(64)')
    .addColumn('distro_id', 'varchar(64)')
    .addColumn('distro_version', 'varchar(64)')
    .addColumn('distro_codename', 'varchar(64)')
    .addColumn('distro_name', 'varchar(255)')
    .addColumn('skipped', 'text', (c) => c.notNull())
    .addColumn('stats', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('scan_inventories_pk', ['report_id', 'idx'])
    .execute();

  await db.schema
    .createTable('scan_packages')
    .addColumn('report_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('inventory', 'integer', (c) => c.notNull())
    .addColumn('type', 'varchar(16)', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('source_name', 'text')
    .addColumn('source_version', 'text')
    .addColumn('licenses', 'text')
    .addColumn('location', 'text', (c) => c.notNull())
    .addColumn('layer', 'varchar(100)', (c) => c.notNull())
    .addColumn('found_by', 'varchar(64)', (c) => c.notNull())
    .addColumn('purl', 'text', (c) => c.notNull())
    .addColumn('arch', 'varchar(64)')
    .addPrimaryKeyConstraint('scan_packages_pk', ['report_id', 'seq'])
    .execute();

  await db.schema
    .createTable('scan_findings')
    .addColumn('report_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('vuln_id', 'varchar(255)', (c) => c.notNull())
    .addColumn('aliases', 'text', (c) => c.notNull())
    .addColumn('package_type', 'varchar(16)', (c) => c.notNull())
    .addColumn('package', 'text', (c) => c.notNull())
    .addColumn('installed_version', 'text', (c) => c.notNull())
    .addColumn('fixed_version', 'text')
    .addColumn('status', 'varchar(32)', (c) => c.notNull())
    .addColumn('severity', 'varchar(16)', (c) => c.notNull())
    .addColumn('severity_rank', 'integer', (c) => c.notNull())
    .addColumn('cvss_score', 'double precision')
    .addColumn('cvss_vector', 'text')
    .addColumn('cvss_version', 'varchar(8)')
    .addColumn('summary', 'text')
    .addColumn('links', 'text', (c) => c.notNull())
    .addColumn('purl', 'text', (c) => c.notNull())
    .addColumn('layer', 'varchar(100)', (c) => c.notNull())
    .addColumn('location', 'text', (c) => c.notNull())
    .addColumn('sources', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('scan_findings_pk', ['report_id', 'seq'])
    .execute();

  await db.schema.alterTable('projects').addColumn('auto_scan', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('projects').addColumn('auto_sbom_generation', 'integer', (c) => c.notNull().defaultTo(0)).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('projects').dropColumn('auto_sbom_generation').execute();
  await db.schema.alterTable('projects').dropColumn('auto_scan').execute();
  for (const t of ['scan_findings', 'scan_packages', 'scan_inventories', 'scan_reports']) await db.schema.dropTable(t).execute();
}
