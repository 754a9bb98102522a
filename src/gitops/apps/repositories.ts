/**
 * Git repositories Berth reads from, with their credentials (HTTPS user and
 * password or token; SSH private key and known_hosts). Administrators only.
 * `list()` never returns secrets; `access(url)` does, for the Git layer.
 * A repository that is not registered is read anonymously.
 */
import { AccessError, notFound } from '../../access/errors.ts';
import { NO_AUDIT, audited, type AuditContext } from '../../audit/audited.ts';
import type { AuditRecorder } from '../../audit/types.ts';
import type { Db } from '../../db/schema.ts';
import type { RepoAccess } from '../types.ts';

/**
 * The form repository URLs are compared in: lowercase scheme and host,
 * default ports and credentials dropped, no trailing `/` or `.git`;
 * scp-like `git@host:path` becomes `ssh://git@host/path`. Never throws.
 *
 * Local until src/gitops/git/urls.ts (normalizeRepoUrl) lands; then this
 * re-exports that one.
 */
export function normalizeRepoUrl(raw: string): string {
  let s = raw.trim();
  const scp = /^([A-Za-z0-9._-]+@)?([A-Za-z0-9.-]+):(?!\/\/)(.*)$/.exec(s);
  if (scp && !/^[a-z][a-z0-9+.-]*:\/\//i.test(s)) s = `ssh://${scp[1] ?? ''}${scp[2]}/${scp[3]!.replace(/^\/+/, '')}`;
  const m = /^([a-z][a-z0-9+.-]*):\/\/(?:([^@/]*)@)?([^/?#]*)(.*)$/i.exec(s);
  if (!m) return stripSuffixes(s);
  const scheme = m[1]!.toLowerCase();
  const user = m[2]?.split(':', 1)[0];
  let host = m[3]!.toLowerCase();
  if ((scheme === 'https' && host.endsWith(':443')) || (scheme === 'http' && host.endsWith(':80')) || (scheme === 'ssh' && host.endsWith(':22'))) host = host.slice(0, host.lastIndexOf(':'));
  // Who signs in is part of an SSH URL (git@); for HTTP(S) it is a credential, not an identity.
  const userPart = scheme === 'ssh' && user ? `${user}@` : '';
  return `${scheme}://${userPart}${host}${stripSuffixes(m[4]!.split(/[?#]/, 1)[0]!)}`;
}

function stripSuffixes(p: string): string {
  let s = p;
  for (;;) {
    const next = s.replace(/\/+$/, '').replace(/\.git$/, '');
    if (next === s) return s;
    s = next;
  }
}

export function isSshUrl(url: string): boolean {
  return normalizeRepoUrl(url).startsWith('ssh://');
}

export interface RepositoryInput {
  url: string;
  username?: string;
  password?: string;
  sshPrivateKey?: string;
  knownHosts?: string;
  insecureIgnoreHostKey?: boolean;
}

/** A repository as listed: which credentials it has, never their values. */
export interface RepositoryInfo {
  url: string;
  normalizedUrl: string;
  type: 'https' | 'ssh' | 'other';
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
  created_by: string;
  created_at: number;
};

export class RepositoryStore {
  readonly #db: Db;
  readonly #audit: AuditRecorder;
  readonly #listeners = new Set<(url: string) => void>();

  constructor(db: Db, audit: AuditRecorder = NO_AUDIT) {
    this.#db = db;
    this.#audit = audit;
  }

  async add(input: RepositoryInput, actor: AuditContext): Promise<RepositoryInfo> {
    const url = input.url.trim();
    if (url.length === 0 || url.length > 2048) throw new AccessError('BAD_REQUEST', 'url: 1 to 2048 characters');
    if (/^[a-z][a-z0-9+.-]*:\/\/[^/@]*:[^/@]*@/i.test(url)) throw new AccessError('BAD_REQUEST', 'url: give the password with password, not inside the URL');
    const normalized = normalizeRepoUrl(url);
    const ssh = normalized.startsWith('ssh://');
    if (!ssh && !/^https?:\/\//.test(normalized) && !normalized.startsWith('file://')) throw new AccessError('BAD_REQUEST', `url: ${JSON.stringify(url.slice(0, 200))} is neither an HTTP(S) nor an SSH repository URL`);
    if (ssh && (input.password !== undefined)) throw new AccessError('BAD_REQUEST', 'password: SSH repositories take sshPrivateKey, not a password');
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
      password: input.password ?? null,
      ssh_private_key: input.sshPrivateKey ?? null,
      known_hosts: input.knownHosts ?? null,
      insecure_ignore_host_key: input.insecureIgnoreHostKey ? 1 : 0,
      created_by: actor.actor.name,
      created_at: now,
    };
    await audited(this.#db, this.#audit, actor, { resourceType: 'repositories', resource: auditResource(normalized), action: 'create' }, async (trx) => {
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
    return {
      url,
      ...(row.username !== null ? { username: row.username } : {}),
      ...(row.password !== null ? { password: row.password } : {}),
      ...(row.ssh_private_key !== null ? { sshPrivateKey: row.ssh_private_key } : {}),
      ...(row.known_hosts !== null ? { knownHosts: row.known_hosts } : {}),
      ...(Number(row.insecure_ignore_host_key) === 1 ? { insecureIgnoreHostKey: true } : {}),
    };
  }

  async remove(url: string, actor: AuditContext): Promise<void> {
    const normalized = normalizeRepoUrl(url);
    await audited(this.#db, this.#audit, actor, { resourceType: 'repositories', resource: auditResource(normalized), action: 'delete' }, async (trx) => {
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
const auditResource = (normalized: string) => `/repositories?url=${normalized}`;

function toInfo(r: Row): RepositoryInfo {
  const n = r.normalized_url;
  return {
    url: r.url,
    normalizedUrl: n,
    type: n.startsWith('ssh://') ? 'ssh' : /^https?:\/\//.test(n) ? 'https' : 'other',
    ...(r.username !== null ? { username: r.username } : {}),
    hasPassword: r.password !== null,
    hasSshPrivateKey: r.ssh_private_key !== null,
    hasKnownHosts: r.known_hosts !== null,
    insecureIgnoreHostKey: Number(r.insecure_ignore_host_key) === 1,
    createdBy: r.created_by,
    createdAt: Number(r.created_at),
  };
}
