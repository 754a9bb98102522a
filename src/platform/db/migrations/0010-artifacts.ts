import { sql, type Kysely } from 'kysely';

/**
 * The registry browsing API (src/registry/artifacts.ts): a repository's
 * description, update time and pull count; each manifest's pull count, last
 * pull time (both written in batches by src/registry/pull-stats.ts) and
 * total size (manifest + referenced blobs + children of an index, fixed at
 * push), and the indexes that keep a 10,000-artifact repository's pages fast.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('repositories').addColumn('description', 'text', (c) => c.notNull().defaultTo('')).execute();
  await db.schema.alterTable('repositories').addColumn('updated_at', 'bigint').execute();
  await db.schema.alterTable('repositories').addColumn('pull_count', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('manifests').addColumn('pull_count', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('manifests').addColumn('pull_time', 'bigint').execute();
  await db.schema.alterTable('manifests').addColumn('total_size', 'bigint').execute();

  // Existing data: the update time is the latest push, the size as a push computes it.
  await sql`update repositories set updated_at = coalesce((select max(m.created_at) from manifests m where m.repository = repositories.name), created_at)`.execute(db);
  await sql`update manifests set total_size = size + coalesce((select sum(b.size) from manifest_references r join blobs b on b.digest = r.child_digest
    where r.repository = manifests.repository and r.manifest_digest = manifests.digest and r.kind = 'blob'), 0)`.execute(db);
  await sql`update manifests set total_size = total_size + coalesce((select sum(c.total_size) from manifest_references r join manifests c on c.repository = r.repository and c.digest = r.child_digest
    where r.repository = manifests.repository and r.manifest_digest = manifests.digest and r.kind = 'manifest'), 0)
    where exists (select 1 from manifest_references r where r.repository = manifests.repository and r.manifest_digest = manifests.digest and r.kind = 'manifest')`.execute(db);

  // Pages of a repository's artifacts by push time; "is this a child of an index" lookups.
  await db.schema.createIndex('manifests_repository_created').on('manifests').columns(['repository', 'created_at']).execute();
  await db.schema.createIndex('manifest_references_repository_child').on('manifest_references').columns(['repository', 'child_digest']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('manifest_references_repository_child').execute();
  await db.schema.dropIndex('manifests_repository_created').execute();
  for (const c of ['total_size', 'pull_time', 'pull_count']) await db.schema.alterTable('manifests').dropColumn(c).execute();
  for (const c of ['pull_count', 'updated_at', 'description']) await db.schema.alterTable('repositories').dropColumn(c).execute();
}
