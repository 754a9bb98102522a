/**
 * Git repositories Berth reads from, with their credentials (HTTPS user and
 * password or token; SSH private key and known_hosts). Administrators only.
 * The password and SSH key are sealed at rest (./credentials.ts); `list()`
 * never returns secrets; `access(url)` opens them, for the Git layer.
 * A repository that is not registered is read anonymously.
 */
import { AccessError, notFound } from '../../access/errors.ts';
import { NO_AUDIT, audited, type AuditContext } from '../../audit/audited.ts';
import type { AuditRecorder } from '../../audit/types.ts';
import type { Db } from '../../platform/db/schema.ts';
import type { Sealer } from '../../platform/secrets/sealer.ts';
import { normalizeRepoUrl, validateRepoUrl } from '../git/urls.ts';
import type { RepoAccess } from '../types.ts';
import { openStored, repositoryContext, sealOrNull } from './credentials.ts';

/** Repository URLs are matched in the Git layer's comparable form. */
export { normalizeRepoUrl };

/** What add() takes: the repository and the credentials to reach it. */
export type RepositoryInput = RepoAccess;

/** A repository as listed: which credentials it has, never their values. */
export interface RepositoryInfo {
  url: string;
  normalizedUrl: string;
  type: 'https' | 'http' | 'ssh' | 'other';
  username?: string;
  hasPassword: boolean;
  hasSshPrivateKey: boolean;
  hasKnownHosts: boolean;
  insecureIgnoreHostKey: boolean;
  createdBy: string;
  createdAt: number;
}

type Row = {
  normalized_url: string;
  url: string;
  username: string | null;
  password: string | null;
  ssh_private_key: string | null;
  known_hosts: string | null;
  insecure_ignore_host_key: number;
  credentials_sealed: number;
  created_by: string;
  created_at: number;
};

/**
 * The one check of a repository URL, for registering a repository and for
 * an application's source alike; BAD_REQUEST naming `field` otherwise.
 * Returns the URL's scheme.
 */
export function assertRepositoryUrl(url: string, field: string): string {
  try {
    return validateRepoUrl(url.trim()).scheme;
  } catch (err) {
    throw new AccessError('BAD_REQUEST', `${field}: ${(err as Error).message}`);
  }
}

export class RepositoryStore {
  readonly #db: Db;
  readonly #sealer: Sealer;
  readonly #audit: AuditRecorder;
  readonly #listeners = new Set<(url: string) => void>();

  constructor(db: Db, sealer: Sealer, audit: AuditRecorder = NO_AUDIT) {
    this.#db = db;
    this.#sealer = sealer;
    this.#audit = audit;
  }

  async add(input: RepositoryInput, actor: AuditContext): Promise<RepositoryInfo> {
    const url = input.url.trim();
    const ssh = assertRepositoryUrl(url, 'url') === 'ssh';
    const normalized = normalizeRepoUrl(url);
    if (ssh && input.password !== undefined) throw new AccessError('BAD_REQUEST', 'password: SSH repositories take sshPrivateKey, not a password');
    if (!ssh && (input.sshPrivateKey !== undefined || input.knownHosts !== undefined || input.insecureIgnoreHostKey)) {
      throw new AccessError('BAD_REQUEST', 'sshPrivateKey, knownHosts and insecureIgnoreHostKey apply to SSH repository URLs only');
    }
    if (input.password !== undefined && input.username === undefined) throw new AccessError('BAD_REQUEST', 'username: required with password (any non-empty value for token-only hosts)');
    if (ssh && input.sshPrivateKey !== undefined && !/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(input.sshPrivateKey)) throw new AccessError('BAD_REQUEST', 'sshPrivateKey: not a PEM or OpenSSH private key');
    const now = Date.now();
    const row: Row = {
      normalized_url: normalized,
      url,
      username: input.username ?? null,
      password: sealOrNull(this.#sealer, input.password ?? null, repositoryContext(normalized, 'password')),
      ssh_private_key: sealOrNull(this.#sealer, input.sshPrivateKey ?? null, repositoryContext(normalized, 'ssh_private_key')),
      known_hosts: input.knownHosts ?? null,
      insecure_ignore_host_key: input.insecureIgnoreHostKey ? 1 : 0,
      credentials_sealed: 1,
      created_by: actor.actor.name,
      created_at: now,
    };
    await audited(this.#db, this.#audit, actor, { resourceType: 'git-repositories', resource: auditResource(normalized), action: 'create' }, async (trx) => {
      const r = await trx
        .insertInto('git_repositories')
        .values(row)
        .onConflict((oc) => oc.column('normalized_url').doNothing())
        .executeTakeFirst();
      if (Number(r.numInsertedOrUpdatedRows ?? 0n) === 0) throw new AccessError('CONFLICT', `repository ${url} is already registered: remove it first to change its credentials`);
    });
    this.#emit(normalized);
    return toInfo(row);
  }

  async list(): Promise<RepositoryInfo[]> {
    const rows = await this.#db.selectFrom('git_repositories').selectAll().orderBy('normalized_url').execute();
    return rows.map(toInfo);
  }

  async get(url: string): Promise<RepositoryInfo | undefined> {
    const row = await this.#row(url);
    return row && toInfo(row);
  }

  /** Credentials for `url` (matched on the normalized URL), or just `{ url }` for a repository that is not registered. */
  async access(url: string): Promise<RepoAccess> {
    const row = await this.#row(url);
    if (!row) return { url };
    const password = openStored(this.#sealer, row.password, row.credentials_sealed, repositoryContext(row.normalized_url, 'password'));
    const sshPrivateKey = openStored(this.#sealer, row.ssh_private_key, row.credentials_sealed, repositoryContext(row.normalized_url, 'ssh_private_key'));
    return {
      url,
      ...(row.username !== null ? { username: row.username } : {}),
      ...(password !== null ? { password } : {}),
      ...(sshPrivateKey !== null ? { sshPrivateKey } : {}),
      ...(row.known_hosts !== null ? { knownHosts: row.known_hosts } : {}),
      ...(Number(row.insecure_ignore_host_key) === 1 ? { insecureIgnoreHostKey: true } : {}),
    };
  }

  async remove(url: string, actor: AuditContext): Promise<void> {
    const normalized = normalizeRepoUrl(url);
    await audited(this.#db, this.#audit, actor, { resourceType: 'git-repositories', resource: auditResource(normalized), action: 'delete' }, async (trx) => {
      const r = await trx.deleteFrom('git_repositories').where('normalized_url', '=', normalized).executeTakeFirst();
      if (Number(r.numDeletedRows) === 0) throw notFound(`repository ${url}`);
    });
    this.#emit(normalized);
  }

  /** Called after a repository was added or removed (committed), with its normalized URL. */
  onChange(listener: (normalizedUrl: string) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(url: string): void {
    for (const l of this.#listeners) l(url);
  }

  async #row(url: string): Promise<Row | undefined> {
    return this.#db.selectFrom('git_repositories').selectAll().where('normalized_url', '=', normalizeRepoUrl(url)).executeTakeFirst();
  }
}

/**
 * Audit resource of a repository: its API path, as the router records
 * refusals, so the record belongs to no project.
 */
const auditResource = (normalized: string) => `/git-repositories?url=${normalized}`;

function toInfo(r: Row): RepositoryInfo {
  const n = r.normalized_url;
  return {
    url: r.url,
    normalizedUrl: n,
    type: n.startsWith('ssh://') ? 'ssh' : n.startsWith('https://') ? 'https' : n.startsWith('http://') ? 'http' : 'other',
    ...(r.username !== null ? { username: r.username } : {}),
    hasPassword: r.password !== null,
    hasSshPrivateKey: r.ssh_private_key !== null,
    hasKnownHosts: r.known_hosts !== null,
    insecureIgnoreHostKey: Number(r.insecure_ignore_host_key) === 1,
    createdBy: r.created_by,
    createdAt: Number(r.created_at),
  };
}
