/**
 * Metadata writes shared by uploads, mounts and manifests. Every function
 * takes a Kysely executor so callers compose them in one transaction.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../platform/db/schema.ts';

type Executor = Kysely<Database> | Transaction<Database>;

export async function ensureRepository(db: Executor, name: string): Promise<void> {
  await db
    .insertInto('repositories')
    .values({ name, created_at: Date.now() })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
}

/** Records a stored blob and makes it visible in `repository`. */
export async function linkBlob(db: Executor, repository: string, digest: string, size: number): Promise<void> {
  const now = Date.now();
  await ensureRepository(db, repository);
  await db
    .insertInto('blobs')
    .values({ digest, size, created_at: now })
    .onConflict((oc) => oc.column('digest').doNothing())
    .execute();
  await db
    .insertInto('repository_blobs')
    .values({ repository, digest, created_at: now })
    .onConflict((oc) => oc.columns(['repository', 'digest']).doNothing())
    .execute();
}

/** Size of a blob visible in `repository`, or undefined. */
export async function linkedBlobSize(db: Executor, repository: string, digest: string): Promise<number | undefined> {
  const row = await db
    .selectFrom('repository_blobs as l')
    .innerJoin('blobs as b', 'b.digest', 'l.digest')
    .select('b.size')
    .where('l.repository', '=', repository)
    .where('l.digest', '=', digest)
    .executeTakeFirst();
  return row === undefined ? undefined : Number(row.size);
}

export async function repositoryExists(db: Executor, name: string): Promise<boolean> {
  const row = await db.selectFrom('repositories').select('name').where('name', '=', name).executeTakeFirst();
  return row !== undefined;
}

/** Marks a repository changed (its `update_time` in the browsing API). */
export async function touchRepository(db: Executor, name: string, at: number): Promise<void> {
  await db.updateTable('repositories').set({ updated_at: at }).where('name', '=', name).execute();
}

/**
 * Bytes a manifest references in `repository`: its blobs plus the total
 * size of its child manifests (an index). Children pushed before migration
 * 0010 count with their own size at least.
 */
export async function referencedSize(db: Executor, repository: string, blobs: readonly string[], manifests: readonly string[]): Promise<number> {
  let total = 0;
  const unique = [...new Set(blobs)];
  for (let i = 0; i < unique.length; i += 500) {
    const row = await db
      .selectFrom('blobs')
      .select((eb) => eb.fn.sum<number>('size').as('n'))
      .where('digest', 'in', unique.slice(i, i + 500))
      .executeTakeFirst();
    total += Number(row?.n ?? 0);
  }
  const children = [...new Set(manifests)];
  for (let i = 0; i < children.length; i += 500) {
    const rows = await db
      .selectFrom('manifests')
      .select(['size', 'total_size'])
      .where('repository', '=', repository)
      .where('digest', 'in', children.slice(i, i + 500))
      .execute();
    for (const r of rows) total += Number(r.total_size ?? r.size);
  }
  return total;
}
