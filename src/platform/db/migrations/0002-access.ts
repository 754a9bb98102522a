import type { Kysely } from 'kysely';

/**
 * Identity and access: users (local and OIDC), groups learned from OIDC,
 * projects and members, robot accounts with granular permissions, personal
 * API tokens, system settings, and the internal event journal.
 * Only column types that SQLite and PostgreSQL both accept.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('users').addColumn('email', 'varchar(255)').execute();
  await db.schema.alterTable('users').addColumn('source', 'varchar(16)', (c) => c.notNull().defaultTo('local')).execute();
  await db.schema.alterTable('users').addColumn('oidc_subject', 'varchar(512)').execute();
  await db.schema.alterTable('users').addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('users').addColumn('updated_at', 'bigint').execute();
  await db.schema.createIndex('users_oidc_subject').on('users').column('oidc_subject').unique().execute();

  await db.schema
    .createTable('user_groups')
    .addColumn('username', 'varchar(255)', (c) => c.notNull().references('users.username').onDelete('cascade'))
    .addColumn('group_name', 'varchar(255)', (c) => c.notNull())
    .addPrimaryKeyConstraint('user_groups_pk', ['username', 'group_name'])
    .execute();

  await db.schema
    .createTable('projects')
    .addColumn('name', 'varchar(255)', (c) => c.primaryKey())
    .addColumn('public', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_by', 'varchar(255)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('project_members')
    .addColumn('project', 'varchar(255)', (c) => c.notNull().references('projects.name').onDelete('cascade'))
    .addColumn('member_kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('member_name', 'varchar(255)', (c) => c.notNull())
    .addColumn('role', 'varchar(32)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('project_members_pk', ['project', 'member_kind', 'member_name'])
    .execute();
  await db.schema.createIndex('project_members_member').on('project_members').columns(['member_kind', 'member_name']).execute();

  await db.schema
    .createTable('robots')
    .addColumn('name', 'varchar(255)', (c) => c.primaryKey())
    .addColumn('level', 'varchar(16)', (c) => c.notNull())
    .addColumn('project', 'varchar(255)')
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('secret_hash', 'varchar(512)', (c) => c.notNull())
    .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('expires_at', 'bigint')
    .addColumn('created_by', 'varchar(255)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('expiry_notice_days', 'integer')
    .execute();
  await db.schema.createIndex('robots_project').on('robots').column('project').execute();

  await db.schema
    .createTable('robot_permissions')
    .addColumn('robot', 'varchar(255)', (c) => c.notNull().references('robots.name').onDelete('cascade'))
    .addColumn('namespace', 'varchar(255)', (c) => c.notNull())
    .addColumn('resource', 'varchar(64)', (c) => c.notNull())
    .addColumn('action', 'varchar(64)', (c) => c.notNull())
    .addPrimaryKeyConstraint('robot_permissions_pk', ['robot', 'namespace', 'resource', 'action'])
    .execute();

  await db.schema
    .createTable('api_tokens')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('username', 'varchar(255)', (c) => c.notNull().references('users.username').onDelete('cascade'))
    .addColumn('name', 'varchar(255)', (c) => c.notNull())
    .addColumn('secret_hash', 'varchar(128)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint')
    .addColumn('last_used_at', 'bigint')
    .execute();
  await db.schema.createIndex('api_tokens_user').on('api_tokens').column('username').execute();

  await db.schema
    .createTable('settings')
    .addColumn('key', 'varchar(128)', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('events')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('type', 'varchar(64)', (c) => c.notNull())
    .addColumn('subject', 'varchar(512)', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('events_type_time').on('events').columns(['type', 'created_at']).execute();
}
