import type { Kysely } from 'kysely';
import { isPostgres, keyType } from '../column-types.ts';

/**
 * GitOps delivery objects (src/gitops/apps/): each project's delivery policy
 * (Argo CD's AppProject), applications with their last status and their sync
 * history, registered clusters and Git repositories with credentials.
 *
 * `applications.project` references the project without cascading: a
 * project is deleted with its applications only when forced, and the
 * project deletion removes them explicitly (guardProjectDeletion in
 * src/gitops/apps/store.ts). Status and history go with their application.
 * Credentials are stored as given (the database is as sensitive as the
 * registry's signing keys); the API never returns them.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('delivery_policies')
    .addColumn('project', 'varchar(255)', (c) => c.primaryKey().references('projects.name').onDelete('cascade'))
    .addColumn('policy', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'varchar(255)', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('applications')
    .addColumn('name', keyType(db, 63), (c) => c.primaryKey())
    .addColumn('project', 'varchar(255)', (c) => c.notNull().references('projects.name'))
    .addColumn('spec', 'text', (c) => c.notNull())
    .addColumn('repo_url', 'varchar(2048)', (c) => c.notNull())
    .addColumn('dest_server', 'varchar(2048)')
    .addColumn('dest_name', 'varchar(253)')
    .addColumn('created_by', 'varchar(255)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('applications_project').on('applications').column('project').execute();

  await db.schema
    .createTable('application_status')
    .addColumn('app', keyType(db, 63), (c) => c.primaryKey().references('applications.name').onDelete('cascade'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('application_history')
    .addColumn('id', isPostgres(db) ? 'bigserial' : 'integer', (c) => (isPostgres(db) ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('app', keyType(db, 63), (c) => c.notNull().references('applications.name').onDelete('cascade'))
    .addColumn('revision', 'varchar(255)', (c) => c.notNull())
    .addColumn('manifest_digest', 'varchar(128)', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('trigger', 'varchar(32)', (c) => c.notNull())
    .addColumn('actor', 'varchar(255)', (c) => c.notNull())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('finished_at', 'bigint', (c) => c.notNull())
    .addColumn('phase', 'varchar(32)', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('application_history_app').on('application_history').columns(['app', 'id']).execute();

  await db.schema
    .createTable('clusters')
    .addColumn('name', keyType(db, 253), (c) => c.primaryKey())
    .addColumn('server', 'varchar(2048)', (c) => c.notNull().unique())
    .addColumn('bearer_token', 'text')
    .addColumn('ca_data', 'text')
    .addColumn('client_cert_data', 'text')
    .addColumn('client_key_data', 'text')
    .addColumn('insecure_skip_tls_verify', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_by', 'varchar(255)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('git_repositories')
    .addColumn('normalized_url', keyType(db, 1024), (c) => c.primaryKey())
    .addColumn('url', 'varchar(2048)', (c) => c.notNull())
    .addColumn('username', 'varchar(255)')
    .addColumn('password', 'text')
    .addColumn('ssh_private_key', 'text')
    .addColumn('known_hosts', 'text')
    .addColumn('insecure_ignore_host_key', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_by', 'varchar(255)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('git_repositories').execute();
  await db.schema.dropTable('clusters').execute();
  await db.schema.dropTable('application_history').execute();
  await db.schema.dropTable('application_status').execute();
  await db.schema.dropTable('applications').execute();
  await db.schema.dropTable('delivery_policies').execute();
}
