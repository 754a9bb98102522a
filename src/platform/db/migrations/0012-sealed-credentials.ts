import type { Kysely } from 'kysely';

/**
 * Delivery credentials sealed at rest. Cluster tokens and client keys and
 * Git passwords and SSH keys were stored as given; from now on they are
 * sealed (src/platform/secrets/sealer.ts). The migration cannot seal them
 * itself: the key may come from the `secretKey` setting, which migrations do
 * not see, and sealing with the database's key would make those values
 * unreadable once a key is configured. So it only adds `credentials_sealed`,
 * 0 for every existing row: the stores read such a row as plaintext, and a
 * step at each start (src/gitops/apps/credentials.ts) seals it with the key
 * the process uses. A flag, not the `v1.` prefix, tells the two apart, since
 * a plaintext password may begin with `v1.` too.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('clusters').addColumn('credentials_sealed', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('git_repositories').addColumn('credentials_sealed', 'integer', (c) => c.notNull().defaultTo(0)).execute();
}

/** Going back leaves sealed values the older code cannot read: remove and re-add those clusters and repositories. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('git_repositories').dropColumn('credentials_sealed').execute();
  await db.schema.alterTable('clusters').dropColumn('credentials_sealed').execute();
}
