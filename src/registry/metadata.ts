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
