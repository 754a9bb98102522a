/**
 * Browser sessions, started by OIDC sign-in: a random id in the
 * `berth_session` cookie (HttpOnly, SameSite=Lax, Secure on https), stored
 * as SHA-256 in `sessions` so they survive restarts. Every request re-checks
 * the account (a disabled, deleted or re-created account ends its sessions).
 *
 * CSRF: a cookie-authenticated request other than GET/HEAD must carry
 * `X-Berth-CSRF: 1` or an `Origin` equal to the external URL's; else 403.
 * Requests with an Authorization header never look at the cookie.
 */
import type { Db } from '../platform/db/schema.ts';
import { AccessError } from './errors.ts';
import type { Principal } from './principal.ts';
import { hashSecret, newSecret } from './secrets.ts';
import type { SessionResolver } from './services.ts';
import type { UserService } from './users.ts';

export const SESSION_COOKIE = 'berth_session';
export const CSRF_HEADER = 'x-berth-csrf';

type Headers = Record<string, string | string[] | undefined>;

/** Cookies of a request (the first value of each name). */
export function parseCookies(header: string | string[] | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of Array.isArray(header) ? header : header ? [header] : []) {
    for (const part of line.split(';')) {
      const eq = part.indexOf('=');
      if (eq <= 0) continue;
      const name = part.slice(0, eq).trim();
      let value = part.slice(eq + 1).trim();
      if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
      if (!out.has(name)) out.set(name, value);
    }
  }
  return out;
}

/** A Set-Cookie value. `maxAgeSeconds` 0 deletes the cookie. */
export function setCookie(name: string, value: string, options: { path: string; maxAgeSeconds: number; secure: boolean }): string {
  const parts = [`${name}=${value}`, `Path=${options.path}`, `Max-Age=${options.maxAgeSeconds}`, 'HttpOnly', 'SameSite=Lax'];
  if (options.maxAgeSeconds === 0) parts.push('Expires=Thu, 01 Jan 1970 00:00:00 GMT');
  if (options.secure) parts.push('Secure');
  return parts.join('; ');
}

export class SessionStore implements SessionResolver {
  readonly #db: Db;
  readonly #users: UserService;
  readonly #ttlMs: number;
  readonly #origin: string;
  readonly secure: boolean;
  #lastPurge = 0;

  constructor(db: Db, users: UserService, options: { ttlSeconds: number; baseUrl: string }) {
    this.#db = db;
    this.#users = users;
    this.#ttlMs = options.ttlSeconds * 1000;
    const base = new URL(options.baseUrl);
    this.#origin = base.origin;
    this.secure = base.protocol === 'https:';
  }

  /** Starts a session for an account; returns the Set-Cookie value. */
  async create(username: string): Promise<{ cookie: string; expiresAt: number }> {
    const now = Date.now();
    await this.#purge(now);
    const user = await this.#db.selectFrom('users').select('created_at').where('username', '=', username).executeTakeFirst();
    if (!user) throw new AccessError('NOT_FOUND', `user ${username} not found`);
    const id = newSecret();
    const expiresAt = now + this.#ttlMs;
    await this.#db.insertInto('sessions').values({ id_hash: hashSecret(id), username, user_created_at: Number(user.created_at), created_at: now, expires_at: expiresAt }).execute();
    return { cookie: setCookie(SESSION_COOKIE, id, { path: '/', maxAgeSeconds: Math.floor(this.#ttlMs / 1000), secure: this.secure }), expiresAt };
  }

  /** Ends the session of a request's cookie; returns its account, if there was one. */
  async end(headers: Headers): Promise<string | undefined> {
    const id = parseCookies(headers.cookie).get(SESSION_COOKIE);
    if (!id) return undefined;
    const hash = hashSecret(id);
    const row = await this.#db.selectFrom('sessions').select(['username', 'expires_at']).where('id_hash', '=', hash).executeTakeFirst();
    await this.#db.deleteFrom('sessions').where('id_hash', '=', hash).execute();
    return row && Number(row.expires_at) > Date.now() ? row.username : undefined;
  }

  /** Ends every session of an account. */
  async endAll(username: string): Promise<number> {
    const r = await this.#db.deleteFrom('sessions').where('username', '=', username).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  /** The Set-Cookie value that removes the session cookie. */
  clearCookie(): string {
    return setCookie(SESSION_COOKIE, '', { path: '/', maxAgeSeconds: 0, secure: this.secure });
  }

  /**
   * The principal of a request's session cookie, or undefined (no cookie,
   * unknown or expired session, account disabled, deleted or re-created).
   * Throws FORBIDDEN for a cookie-authenticated unsafe request without the
   * CSRF header or a same-origin Origin.
   */
  async principalOf(req: { headers: Headers; method?: string }): Promise<Principal | undefined> {
    const id = parseCookies(req.headers.cookie).get(SESSION_COOKIE);
    if (!id) return undefined;
    const method = (req.method ?? '').toUpperCase();
    if (method !== 'GET' && method !== 'HEAD' && !this.#sameOriginOrMarked(req.headers)) {
      throw new AccessError('FORBIDDEN', `cookie-authenticated ${method || 'unsafe'} requests need the header X-Berth-CSRF: 1 (or an Origin of ${this.#origin})`);
    }
    const row = await this.#db
      .selectFrom('sessions')
      .innerJoin('users', 'users.username', 'sessions.username')
      .select(['sessions.username', 'sessions.user_created_at', 'sessions.expires_at', 'users.created_at'])
      .where('sessions.id_hash', '=', hashSecret(id))
      .executeTakeFirst();
    if (!row || Number(row.expires_at) <= Date.now() || Number(row.user_created_at) !== Number(row.created_at)) return undefined;
    return this.#users.principalOf(row.username);
  }

  #sameOriginOrMarked(headers: Headers): boolean {
    if (headers[CSRF_HEADER] === '1') return true;
    const origin = headers.origin;
    return typeof origin === 'string' && origin === this.#origin;
  }

  /** Drops expired sessions, at most once a minute. */
  async #purge(now: number): Promise<void> {
    if (now - this.#lastPurge < 60_000) return;
    this.#lastPurge = now;
    await this.#db.deleteFrom('sessions').where('expires_at', '<=', now).execute();
  }
}
