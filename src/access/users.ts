/** Local user accounts. Issue 2 needs only `admin`; the table is general. */
import { createHmac, randomBytes } from 'node:crypto';
import type { Db } from '../db/schema.ts';
import { generatePassword, hashPassword, verifyPassword } from './passwords.ts';
import type { Principal } from './principal.ts';

export const ADMIN_USERNAME = 'admin';

/**
 * Creates the admin account on first start. Returns the generated password
 * when none was configured (the caller prints it once), else undefined.
 */
export async function ensureAdmin(db: Db, configured: string | undefined): Promise<string | undefined> {
  const existing = await db.selectFrom('users').select('username').where('username', '=', ADMIN_USERNAME).executeTakeFirst();
  if (existing) return undefined;
  const password = configured ?? generatePassword();
  await db
    .insertInto('users')
    .values({ username: ADMIN_USERNAME, password_hash: await hashPassword(password), is_admin: 1, created_at: Date.now() })
    .onConflict((oc) => oc.column('username').doNothing())
    .execute();
  return configured ? undefined : password;
}

/**
 * Checks user name and password. Successful checks are remembered briefly
 * under an HMAC of the credentials (never the password itself), because
 * clients such as Basic-auth pushers send them on every request and scrypt
 * is deliberately slow.
 */
export class PasswordAuthenticator {
  readonly #db: Db;
  readonly #key = randomBytes(32);
  readonly #cache = new Map<string, { principal: Principal; expires: number }>();
  static readonly CACHE_TTL_MS = 30_000;
  static readonly CACHE_MAX = 1000;

  constructor(db: Db) {
    this.#db = db;
  }

  async verify(username: string, password: string): Promise<Principal | undefined> {
    const key = createHmac('sha256', this.#key).update(username).update('\0').update(password).digest('base64');
    const now = Date.now();
    const hit = this.#cache.get(key);
    if (hit && hit.expires > now) return hit.principal;
    const row = await this.#db.selectFrom('users').select(['username', 'password_hash', 'is_admin']).where('username', '=', username).executeTakeFirst();
    // Hash anyway for unknown users so timing does not reveal which exist.
    const ok = await verifyPassword(password, row?.password_hash ?? DUMMY_HASH);
    if (!row || !ok) return undefined;
    const principal: Principal = { kind: 'user', name: row.username, admin: Number(row.is_admin) === 1 };
    if (this.#cache.size >= PasswordAuthenticator.CACHE_MAX) this.#cache.clear();
    this.#cache.set(key, { principal, expires: now + PasswordAuthenticator.CACHE_TTL_MS });
    return principal;
  }

  /** Forget cached checks, e.g. after a password change. */
  invalidate(): void {
    this.#cache.clear();
  }
}

const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
