/**
 * The Docker registry token service: short-lived ES256 JWTs carrying the
 * granted `access` list. Signing keys live in the database; retired keys stay
 * verifiable until every token they signed has expired.
 */
import { randomUUID } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair, importJWK, jwtVerify, type JWK, type CryptoKey } from 'jose';
import type { Db } from '../platform/db/schema.ts';
import type { Access } from './scopes.ts';
import type { Principal } from './principal.ts';

export interface TokenClaims {
  principal: Principal;
  access: Access[];
  expiresAt: number;
}

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  publicJwk: JWK;
}

const VERIFIED_CACHE_MAX = 10_000;

export class TokenService {
  readonly #db: Db;
  readonly #issuer: string;
  readonly #audience: string;
  readonly #ttlSeconds: number;
  #current!: SigningKey;
  readonly #byKid = new Map<string, SigningKey>();
  #reloadedAt = 0;
  readonly #verified = new Map<string, TokenClaims>();

  private constructor(db: Db, options: { issuer: string; audience: string; ttlSeconds: number }) {
    this.#db = db;
    this.#issuer = options.issuer;
    this.#audience = options.audience;
    this.#ttlSeconds = options.ttlSeconds;
  }

  static async open(db: Db, options: { issuer: string; audience: string; ttlSeconds: number }): Promise<TokenService> {
    const service = new TokenService(db, options);
    await service.#loadKeys();
    return service;
  }

  get ttlSeconds(): number {
    return this.#ttlSeconds;
  }

  async #loadKeys(): Promise<void> {
    let rows = await this.#db.selectFrom('signing_keys').selectAll().where('retired_at', 'is', null).orderBy('created_at', 'desc').execute();
    if (rows.length === 0) {
      const { privateKey } = await generateKeyPair('ES256', { extractable: true });
      const jwk = await exportJWK(privateKey);
      await this.#db
        .insertInto('signing_keys')
        .values({ kid: randomUUID(), private_jwk: JSON.stringify(jwk), created_at: Date.now(), retired_at: null })
        .execute();
      rows = await this.#db.selectFrom('signing_keys').selectAll().where('retired_at', 'is', null).orderBy('created_at', 'desc').execute();
    }
    for (const row of rows) {
      const jwk = JSON.parse(row.private_jwk) as JWK;
      const { d: _private, ...publicJwk } = jwk;
      const key: SigningKey = {
        kid: row.kid,
        privateKey: (await importJWK(jwk, 'ES256')) as CryptoKey,
        publicKey: (await importJWK(publicJwk, 'ES256')) as CryptoKey,
        publicJwk: { ...publicJwk, kid: row.kid, alg: 'ES256', use: 'sig' },
      };
      this.#byKid.set(row.kid, key);
    }
    this.#current = this.#byKid.get(rows[0]!.kid)!;
  }

  /**
   * The key a token names. A kid not known here may be another process's
   * (two processes starting on an empty database each make one): the keys
   * are read again, at most once a second.
   */
  async #publicKey(kid: string | undefined): Promise<CryptoKey> {
    let key = kid ? this.#byKid.get(kid) : undefined;
    if (!key && kid && Date.now() - this.#reloadedAt > 1_000) {
      this.#reloadedAt = Date.now();
      await this.#loadKeys();
      key = this.#byKid.get(kid);
    }
    if (!key) throw new Error('unknown signing key');
    return key.publicKey;
  }

  /** Public keys for verifiers (JWKS document). */
  jwks(): { keys: JWK[] } {
    return { keys: [...this.#byKid.values()].map((k) => k.publicJwk) };
  }

  async issue(principal: Principal, access: Access[]): Promise<{ token: string; expiresIn: number; issuedAt: string }> {
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ access, knd: principal.kind === 'anonymous' ? undefined : principal.kind })
      .setProtectedHeader({ alg: 'ES256', kid: this.#current.kid, typ: 'JWT' })
      .setIssuer(this.#issuer)
      .setAudience(this.#audience)
      .setSubject(principal.name)
      .setIssuedAt(now)
      .setNotBefore(now - 1)
      .setExpirationTime(now + this.#ttlSeconds)
      .setJti(randomUUID())
      .sign(this.#current.privateKey);
    return { token, expiresIn: this.#ttlSeconds, issuedAt: new Date(now * 1000).toISOString() };
  }

  /** Verifies a token; undefined when invalid, expired or of an unknown key. */
  async verify(token: string): Promise<TokenClaims | undefined> {
    const cached = this.#verified.get(token);
    if (cached) {
      if (cached.expiresAt > Date.now()) return cached;
      this.#verified.delete(token);
      return undefined;
    }
    try {
      const { payload } = await jwtVerify(
        token,
        (header) => this.#publicKey(header.kid),
        { issuer: this.#issuer, audience: this.#audience, algorithms: ['ES256'] },
      );
      const sub = typeof payload.sub === 'string' ? payload.sub : '';
      const claims: TokenClaims = {
        // Only identity is taken from the token; admin rights and groups are
        // looked up afresh by the caller (Identity.current).
        principal: sub === '' ? { kind: 'anonymous', name: '', admin: false } : { kind: payload.knd === 'robot' ? 'robot' : 'user', name: sub, admin: false },
        access: Array.isArray(payload.access) ? (payload.access as Access[]) : [],
        expiresAt: (payload.exp ?? 0) * 1000,
      };
      if (this.#verified.size >= VERIFIED_CACHE_MAX) this.#verified.clear();
      this.#verified.set(token, claims);
      return claims;
    } catch {
      return undefined;
    }
  }
}
