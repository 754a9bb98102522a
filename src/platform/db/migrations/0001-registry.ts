import type { Kysely } from 'kysely';
import { bytesType, keyType } from '../column-types.ts';

/**
 * Registry metadata, users and token signing keys. Repository names, tags and
 * digests are `keyType` columns so they sort by byte order on PostgreSQL too
 * (listings and `name > last` pagination rely on it).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const name = keyType(db, 255);
  const digest = keyType(db, 150);
  await db.schema
    .createTable('repositories')
    .addColumn('name', name, (c) => c.primaryKey())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('blobs')
    .addColumn('digest', digest, (c) => c.primaryKey())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('repository_blobs')
    .addColumn('repository', name, (c) => c.notNull().references('repositories.name').onDelete('cascade'))
    .addColumn('digest', digest, (c) => c.notNull().references('blobs.digest'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('repository_blobs_pk', ['repository', 'digest'])
    .execute();
  await db.schema.createIndex('repository_blobs_digest').on('repository_blobs').column('digest').execute();

  await db.schema
    .createTable('manifests')
    .addColumn('repository', name, (c) => c.notNull().references('repositories.name').onDelete('cascade'))
    .addColumn('digest', digest, (c) => c.notNull())
    .addColumn('media_type', 'varchar(255)', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('content', bytesType(db), (c) => c.notNull())
    .addColumn('artifact_type', 'varchar(255)')
    .addColumn('subject_digest', digest)
    .addColumn('annotations', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('manifests_pk', ['repository', 'digest'])
    .execute();
  await db.schema.createIndex('manifests_subject').on('manifests').columns(['repository', 'subject_digest']).execute();

  await db.schema
    .createTable('manifest_references')
    .addColumn('repository', name, (c) => c.notNull())
    .addColumn('manifest_digest', digest, (c) => c.notNull())
    .addColumn('child_digest', digest, (c) => c.notNull())
    .addColumn('kind', 'varchar(16)', (c) => c.notNull())
    .addPrimaryKeyConstraint('manifest_references_pk', ['repository', 'manifest_digest', 'child_digest'])
    .addForeignKeyConstraint('manifest_references_manifest', ['repository', 'manifest_digest'], 'manifests', ['repository', 'digest'], (fk) => fk.onDelete('cascade'))
    .execute();
  await db.schema.createIndex('manifest_references_child').on('manifest_references').column('child_digest').execute();

  await db.schema
    .createTable('tags')
    .addColumn('repository', name, (c) => c.notNull())
    .addColumn('name', keyType(db, 128), (c) => c.notNull())
    .addColumn('digest', digest, (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('tags_pk', ['repository', 'name'])
    .addForeignKeyConstraint('tags_manifest', ['repository', 'digest'], 'manifests', ['repository', 'digest'], (fk) => fk.onDelete('cascade'))
    .execute();
  await db.schema.createIndex('tags_digest').on('tags').columns(['repository', 'digest']).execute();

  await db.schema
    .createTable('uploads')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('repository', name, (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('users')
    .addColumn('username', 'varchar(255)', (c) => c.primaryKey())
    .addColumn('password_hash', 'varchar(512)', (c) => c.notNull())
    .addColumn('is_admin', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('signing_keys')
    .addColumn('kid', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('private_jwk', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('retired_at', 'bigint')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['signing_keys', 'users', 'uploads', 'tags', 'manifest_references', 'manifests', 'repository_blobs', 'blobs', 'repositories']) {
    await db.schema.dropTable(t).execute();
  }
}
