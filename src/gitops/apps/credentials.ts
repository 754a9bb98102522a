/**
 * Which delivery columns hold credentials, the context each is sealed with,
 * and the start-up step that seals rows written before migration 0012.
 *
 * Sealed: a cluster's bearer token and client key, a Git repository's
 * password and SSH private key. Not sealed: CA and client certificates,
 * usernames and known_hosts, which are public and are shown as "set".
 * The context names the row and the field, so a sealed value copied to
 * another row or column does not open.
 */
import type { Db } from '../../platform/db/schema.ts';
import type { Sealer } from '../../platform/secrets/sealer.ts';

export const CLUSTER_SECRET_FIELDS = ['bearer_token', 'client_key_data'] as const;
export const REPOSITORY_SECRET_FIELDS = ['password', 'ssh_private_key'] as const;

export type ClusterSecretField = (typeof CLUSTER_SECRET_FIELDS)[number];
export type RepositorySecretField = (typeof REPOSITORY_SECRET_FIELDS)[number];

export const clusterContext = (name: string, field: ClusterSecretField) => `cluster:${name}:${field}`;
export const repositoryContext = (normalizedUrl: string, field: RepositorySecretField) => `git-repository:${normalizedUrl}:${field}`;

/** `value` sealed for `context`, null staying null. */
export function sealOrNull(sealer: Sealer, value: string | null, context: string): string | null {
  return value === null ? null : sealer.seal(value, context);
}

/** A stored value in plaintext: opened when its row is sealed, as stored otherwise (rows not yet sealed at start). */
export function openStored(sealer: Sealer, value: string | null, sealed: number, context: string): string | null {
  if (value === null) return null;
  return Number(sealed) === 1 ? sealer.open(value, context) : value;
}

/**
 * Seals every cluster and Git repository row still holding plaintext
 * credentials (`credentials_sealed = 0`), each row by one UPDATE (its own
 * transaction).
 * Idempotent and safe with several processes starting at once: the update
 * applies only while the row is still unsealed and unchanged, so a row
 * another process sealed (or replaced) first is left alone. Returns how
 * many rows it sealed.
 */
export async function sealStoredCredentials(db: Db, sealer: Sealer): Promise<{ clusters: number; repositories: number }> {
  let clusters = 0;
  const clusterRows = await db.selectFrom('clusters').select(['name', 'created_at', ...CLUSTER_SECRET_FIELDS]).where('credentials_sealed', '=', 0).execute();
  for (const row of clusterRows) {
    const updated = await db
      .updateTable('clusters')
      .set({
        bearer_token: sealOrNull(sealer, row.bearer_token, clusterContext(row.name, 'bearer_token')),
        client_key_data: sealOrNull(sealer, row.client_key_data, clusterContext(row.name, 'client_key_data')),
        credentials_sealed: 1,
      })
      .where('name', '=', row.name)
      .where('credentials_sealed', '=', 0)
      .where('created_at', '=', row.created_at)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) > 0) clusters++;
  }
  let repositories = 0;
  const repoRows = await db.selectFrom('git_repositories').select(['normalized_url', 'created_at', ...REPOSITORY_SECRET_FIELDS]).where('credentials_sealed', '=', 0).execute();
  for (const row of repoRows) {
    const updated = await db
      .updateTable('git_repositories')
      .set({
        password: sealOrNull(sealer, row.password, repositoryContext(row.normalized_url, 'password')),
        ssh_private_key: sealOrNull(sealer, row.ssh_private_key, repositoryContext(row.normalized_url, 'ssh_private_key')),
        credentials_sealed: 1,
      })
      .where('normalized_url', '=', row.normalized_url)
      .where('credentials_sealed', '=', 0)
      .where('created_at', '=', row.created_at)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) > 0) repositories++;
  }
  return { clusters, repositories };
}
