/**
 * Local and OIDC user accounts, password policy and verification. Password
 * checks are cached briefly under an HMAC of the credentials (never the
 * password itself) because Basic-auth clients send them on every request
 * and scrypt is deliberately slow.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { NO_AUDIT, audited, type AuditContext } from '../audit/audited.ts';
import type { AuditRecorder } from '../audit/types.ts';
import type { Db } from '../platform/db/schema.ts';
import { containsIgnoringCase } from '../platform/db/sql.ts';
import { AccessError, notFound } from './errors.ts';
import { generatePassword, hashPassword, verifyPassword } from './passwords.ts';
import type { Principal } from './principal.ts';

export const ADMIN_USERNAME = 'admin';
/** Marks accounts without a password (OIDC users). */
export const NO_PASSWORD = '!';

const USERNAME = /^[a-zA-Z0-9][a-zA-Z0-9._@-]{0,254}$/;

export interface User {
  username: string;
  email: string | null;
  admin: boolean;
  source: 'local' | 'oidc';
  disabled: boolean;
  groups: string[];
  createdAt: number;
  updatedAt: number | null;
}

export function assertUsername(name: string): void {
  if (!USERNAME.test(name)) {
    throw new AccessError('BAD_REQUEST', `invalid user name ${JSON.stringify(name.slice(0, 80))}: 1 to 255 of [a-zA-Z0-9._@-], starting with a letter or digit`);
  }
}

/** Harbor's policy: 8 to 128 characters with an uppercase letter, a lowercase letter and a digit. */
export function assertPasswordPolicy(password: string): void {
  if (password.length < 8 || password.length > 128 || !/[A-Z]/.test(password) || !/[a-z]/.test(password) || !/[0-9]/.test(password)) {
    throw new AccessError('BAD_REQUEST', 'password must be 8 to 128 characters and contain an uppercase letter, a lowercase letter and a digit');
  }
}

type UserRow = {
  username: string;
  email: string | null;
  is_admin: number;
  source: 'local' | 'oidc';
  disabled: number;
  created_at: number;
  updated_at: number | null;
};

export class UserService {
  readonly #db: Db;
  readonly #key = randomBytes(32);
  readonly #cache = new Map<string, { principal: Principal; expires: number }>();
  static readonly CACHE_TTL_MS = 30_000;
  static readonly CACHE_MAX = 1000;

  readonly #audit: AuditRecorder;

  constructor(db: Db, audit: AuditRecorder = NO_AUDIT) {
    this.#db = db;
    this.#audit = audit;
  }

  /**
   * Creates the admin account on first start. Returns the generated password
   * when none was configured (the caller prints it once), else undefined.
   */
  async ensureAdmin(configured: string | undefined): Promise<string | undefined> {
    const existing = await this.#db.selectFrom('users').select('username').where('username', '=', ADMIN_USERNAME).executeTakeFirst();
    if (existing) return undefined;
    const password = configured ?? generatePassword();
    await this.#db
      .insertInto('users')
      .values({ username: ADMIN_USERNAME, password_hash: await hashPassword(password), is_admin: 1, created_at: Date.now(), email: null, oidc_subject: null, updated_at: null })
      .onConflict((oc) => oc.column('username').doNothing())
      .execute();
    return configured ? undefined : password;
  }

  async create(input: { username: string; password: string; email?: string | null; admin?: boolean }, ctx?: AuditContext): Promise<User> {
    assertUsername(input.username);
    assertPasswordPolicy(input.password);
    if (await this.#find(input.username)) throw new AccessError('CONFLICT', `user ${input.username} already exists`);
    const now = Date.now();
    const password_hash = await hashPassword(input.password);
    await audited(this.#db, this.#audit, ctx, { resourceType: 'user', resource: input.username, action: 'create', ...(input.admin ? { detail: 'administrator' } : {}) }, (trx) =>
      trx
        .insertInto('users')
        .values({ username: input.username, password_hash, is_admin: input.admin ? 1 : 0, email: input.email ?? null, created_at: now, updated_at: now, oidc_subject: null })
        .execute(),
    );
    return this.get(input.username);
  }

  /** Finds or creates the account of an OIDC subject and records its groups. */
  async upsertOidcUser(input: { subject: string; username: string; email: string | null; groups: string[]; admin: boolean | undefined }): Promise<User> {
    const now = Date.now();
    let row = await this.#db.selectFrom('users').select('username').where('oidc_subject', '=', input.subject).executeTakeFirst();
    if (!row) {
      assertUsername(input.username);
      const clash = await this.#find(input.username);
      if (clash) throw new AccessError('CONFLICT', `user name ${input.username} is taken by another account; ask an administrator to link or rename it`);
      await this.#db
        .insertInto('users')
        .values({ username: input.username, password_hash: NO_PASSWORD, is_admin: input.admin ? 1 : 0, email: input.email, source: 'oidc', oidc_subject: input.subject, created_at: now, updated_at: now })
        .execute();
      row = { username: input.username };
    } else {
      const set: { email: string | null; updated_at: number; is_admin?: number } = { email: input.email, updated_at: now };
      if (input.admin !== undefined) set.is_admin = input.admin ? 1 : 0;
      await this.#db.updateTable('users').set(set).where('username', '=', row.username).execute();
    }
    const username = row.username;
    await this.#db.transaction().execute(async (trx) => {
      await trx.deleteFrom('user_groups').where('username', '=', username).execute();
      const groups = [...new Set(input.groups)].slice(0, 500);
      if (groups.length > 0) await trx.insertInto('user_groups').values(groups.map((group_name) => ({ username, group_name }))).execute();
    });
    this.invalidate();
    return this.get(username);
  }

  async get(username: string): Promise<User> {
    const row = await this.#find(username);
    if (!row) throw notFound(`user ${username}`);
    return this.#toUser(row, await this.groupsOf(username));
  }

  async exists(username: string): Promise<boolean> {
    return (await this.#find(username)) !== undefined;
  }

  async groupsOf(username: string): Promise<string[]> {
    const rows = await this.#db.selectFrom('user_groups').select('group_name').where('username', '=', username).orderBy('group_name').execute();
    return rows.map((r) => r.group_name);
  }

  async list(filter: { username?: string; usernameContains?: string; email?: string; admin?: boolean }, sort: { field: 'username' | 'created_at' | 'email'; desc: boolean }[], page: { page: number; pageSize: number }): Promise<{ items: User[]; total: number }> {
    let q = this.#db.selectFrom('users');
    if (filter.username !== undefined) q = q.where('username', '=', filter.username);
    if (filter.usernameContains !== undefined) q = q.where(containsIgnoringCase('username', filter.usernameContains));
    if (filter.email !== undefined) q = q.where('email', '=', filter.email);
    if (filter.admin !== undefined) q = q.where('is_admin', '=', filter.admin ? 1 : 0);
    const total = Number((await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    let rows = q.select(['username', 'email', 'is_admin', 'source', 'disabled', 'created_at', 'updated_at']);
    for (const s of sort.length > 0 ? sort : [{ field: 'username' as const, desc: false }]) rows = rows.orderBy(s.field, s.desc ? 'desc' : 'asc');
    const items = await rows.limit(page.pageSize).offset((page.page - 1) * page.pageSize).execute();
    return { items: items.map((r) => this.#toUser(r, [])), total };
  }

  async update(username: string, changes: { email?: string | null; admin?: boolean; disabled?: boolean }, ctx?: AuditContext): Promise<User> {
    await this.get(username);
    if (username === ADMIN_USERNAME && (changes.admin === false || changes.disabled === true)) {
      throw new AccessError('PRECONDITION_FAILED', 'the built-in admin account cannot lose administrator rights or be disabled');
    }
    const set: { email?: string | null; is_admin?: number; disabled?: number; updated_at: number } = { updated_at: Date.now() };
    if (changes.email !== undefined) set.email = changes.email;
    if (changes.admin !== undefined) set.is_admin = changes.admin ? 1 : 0;
    if (changes.disabled !== undefined) set.disabled = changes.disabled ? 1 : 0;
    const detail = Object.keys(changes).filter((k) => changes[k as keyof typeof changes] !== undefined).map((k) => `${k}=${String(changes[k as keyof typeof changes])}`).join(' ');
    await audited(this.#db, this.#audit, ctx, { resourceType: 'user', resource: username, action: 'update', detail }, (trx) => trx.updateTable('users').set(set).where('username', '=', username).execute());
    this.invalidate();
    return this.get(username);
  }

  /** Changes a password: the old one is required unless an admin resets it. */
  async setPassword(username: string, newPassword: string, oldPassword: string | undefined, ctx?: AuditContext): Promise<void> {
    const row = await this.#db.selectFrom('users').select(['password_hash', 'source']).where('username', '=', username).executeTakeFirst();
    if (!row) throw notFound(`user ${username}`);
    if (row.source === 'oidc') throw new AccessError('PRECONDITION_FAILED', `${username} signs in through OIDC and has no password`);
    if (oldPassword !== undefined && !(await verifyPassword(oldPassword, row.password_hash))) {
      throw new AccessError('FORBIDDEN', 'the current password is wrong');
    }
    assertPasswordPolicy(newPassword);
    const password_hash = await hashPassword(newPassword);
    await audited(this.#db, this.#audit, ctx, { resourceType: 'user', resource: username, action: oldPassword === undefined ? 'reset-password' : 'change-password' }, (trx) =>
      trx.updateTable('users').set({ password_hash, updated_at: Date.now() }).where('username', '=', username).execute(),
    );
    this.invalidate();
  }

  async delete(username: string, ctx?: AuditContext): Promise<void> {
    if (username === ADMIN_USERNAME) throw new AccessError('PRECONDITION_FAILED', 'the built-in admin account cannot be deleted');
    await audited(this.#db, this.#audit, ctx, { resourceType: 'user', resource: username, action: 'delete' }, async (trx) => {
      await trx.deleteFrom('project_members').where('member_kind', '=', 'user').where('member_name', '=', username).execute();
      await trx.deleteFrom('api_tokens').where('username', '=', username).execute();
      await trx.deleteFrom('user_groups').where('username', '=', username).execute();
      const r = await trx.deleteFrom('users').where('username', '=', username).executeTakeFirst();
      if (Number(r.numDeletedRows) === 0) throw notFound(`user ${username}`);
    });
    this.invalidate();
  }

  /** Verifies a password; undefined when wrong, unknown, disabled or OIDC. */
  async verify(username: string, password: string): Promise<Principal | undefined> {
    const key = createHmac('sha256', this.#key).update(username).update('\0').update(password).digest('base64');
    const now = Date.now();
    const hit = this.#cache.get(key);
    if (hit && hit.expires > now) return hit.principal;
    const row = await this.#db.selectFrom('users').select(['username', 'password_hash', 'is_admin', 'disabled']).where('username', '=', username).executeTakeFirst();
    // Hash anyway for unknown users so timing does not reveal which exist.
    const ok = await verifyPassword(password, row && row.password_hash !== NO_PASSWORD ? row.password_hash : DUMMY_HASH);
    if (!row || !ok || Number(row.disabled) === 1) return undefined;
    const principal: Principal = { kind: 'user', name: row.username, admin: Number(row.is_admin) === 1, groups: await this.groupsOf(row.username) };
    if (this.#cache.size >= UserService.CACHE_MAX) this.#cache.clear();
    this.#cache.set(key, { principal, expires: now + UserService.CACHE_TTL_MS });
    return principal;
  }

  /** The current principal of an active account, or undefined. */
  async principalOf(username: string): Promise<Principal | undefined> {
    const row = await this.#db.selectFrom('users').select(['username', 'is_admin', 'disabled']).where('username', '=', username).executeTakeFirst();
    if (!row || Number(row.disabled) === 1) return undefined;
    return { kind: 'user', name: row.username, admin: Number(row.is_admin) === 1, groups: await this.groupsOf(row.username) };
  }

  /** Forget cached password checks (after any account change). */
  invalidate(): void {
    this.#cache.clear();
  }

  async #find(username: string): Promise<UserRow | undefined> {
    return this.#db
      .selectFrom('users')
      .select(['username', 'email', 'is_admin', 'source', 'disabled', 'created_at', 'updated_at'])
      .where('username', '=', username)
      .executeTakeFirst();
  }

  #toUser(r: UserRow, groups: string[]): User {
    return {
      username: r.username,
      email: r.email,
      admin: Number(r.is_admin) === 1,
      source: r.source,
      disabled: Number(r.disabled) === 1,
      groups,
      createdAt: Number(r.created_at),
      updatedAt: r.updated_at === null ? null : Number(r.updated_at),
    };
  }
}

const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
