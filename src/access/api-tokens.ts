/**
 * Personal API tokens (CLI secrets): `berth_pat_<id>_<secret>`, usable as a
 * Bearer token on /api/v1 and as the password of the user on /v2 and the
 * token endpoint. Only a hash is stored; the token is shown once.
 */
import { randomUUID } from 'node:crypto';
import { NO_AUDIT, audited, type AuditContext } from '../audit/audited.ts';
import type { AuditRecorder } from '../audit/types.ts';
import type { Db } from '../platform/db/schema.ts';
import { AccessError, notFound } from './errors.ts';
import { hashSecret, newSecret, secretMatches } from './secrets.ts';

export const TOKEN_PREFIX = 'berth_pat_';
const TOKEN = /^berth_pat_([0-9a-f]{32})_([A-Za-z0-9_-]{43})$/;
const DAY = 86_400_000;

export interface ApiToken {
  id: string;
  name: string;
  createdAt: number;
  expiresAt: number | null;
  lastUsedAt: number | null;
}

export class ApiTokenService {
  readonly #db: Db;
  readonly #audit: AuditRecorder;
  onChange: () => void = () => {};

  constructor(db: Db, audit: AuditRecorder = NO_AUDIT) {
    this.#db = db;
    this.#audit = audit;
  }

  async create(username: string, name: string, expiresInDays: number | undefined, ctx?: AuditContext): Promise<{ token: ApiToken; secret: string }> {
    if (name.length === 0 || name.length > 255) throw new AccessError('BAD_REQUEST', 'token names are 1 to 255 characters');
    if (expiresInDays !== undefined && !(Number.isInteger(expiresInDays) && expiresInDays > 0 && expiresInDays <= 36_500)) {
      throw new AccessError('BAD_REQUEST', 'expiresInDays is a number of days from 1 to 36500');
    }
    const id = randomUUID().replaceAll('-', '');
    const secret = newSecret();
    const now = Date.now();
    const expiresAt = expiresInDays === undefined ? null : now + expiresInDays * DAY;
    await audited(this.#db, this.#audit, ctx, { resourceType: 'token', resource: `${username}/${id}`, action: 'create', detail: name }, (trx) =>
      trx.insertInto('api_tokens').values({ id, username, name, secret_hash: hashSecret(secret), created_at: now, expires_at: expiresAt, last_used_at: null }).execute(),
    );
    return { token: { id, name, createdAt: now, expiresAt, lastUsedAt: null }, secret: `${TOKEN_PREFIX}${id}_${secret}` };
  }

  async list(username: string): Promise<ApiToken[]> {
    const rows = await this.#db.selectFrom('api_tokens').selectAll().where('username', '=', username).orderBy('created_at').execute();
    return rows.map((r) => ({ id: r.id, name: r.name, createdAt: Number(r.created_at), expiresAt: r.expires_at === null ? null : Number(r.expires_at), lastUsedAt: r.last_used_at === null ? null : Number(r.last_used_at) }));
  }

  async revoke(username: string, id: string, ctx?: AuditContext): Promise<void> {
    await audited(this.#db, this.#audit, ctx, { resourceType: 'token', resource: `${username}/${id}`, action: 'delete' }, async (trx) => {
      const r = await trx.deleteFrom('api_tokens').where('username', '=', username).where('id', '=', id).executeTakeFirst();
      if (Number(r.numDeletedRows) === 0) throw notFound(`token ${id}`);
    });
    this.onChange();
  }

  /** The owner of a valid, unexpired token, or undefined. */
  async verify(token: string, now = Date.now()): Promise<string | undefined> {
    const m = TOKEN.exec(token);
    if (!m) return undefined;
    const row = await this.#db.selectFrom('api_tokens').select(['username', 'secret_hash', 'expires_at', 'last_used_at']).where('id', '=', m[1]!).executeTakeFirst();
    if (!row || !secretMatches(m[2]!, row.secret_hash)) return undefined;
    if (row.expires_at !== null && Number(row.expires_at) <= now) return undefined;
    // Record use at most once a minute: keeps writes off the hot path.
    if (row.last_used_at === null || now - Number(row.last_used_at) > 60_000) {
      await this.#db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', m[1]!).execute();
    }
    return row.username;
  }

  static looksLikeToken(s: string): boolean {
    return s.startsWith(TOKEN_PREFIX);
  }
}
