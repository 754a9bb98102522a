/**
 * OpenID Connect sign-in: authorization code flow with PKCE (S256), state and
 * nonce, against any provider that publishes discovery metadata (Keycloak,
 * Dex, Okta, Entra ID, …).
 *
 * - `OidcClient` speaks to the provider: discovery (cached, refreshed),
 *   authorization URLs, the code exchange, ID token validation (jose, the
 *   provider's JWKS), userinfo, and the mapping of claims to a Berth account.
 * - `OidcSignIn` keeps the server side of each sign-in in the database
 *   (`oidc_logins`: state, nonce and verifier, single use, 10 minutes) and the
 *   CLI sign-ins (`oidc_cli_sessions`), and creates or updates the account.
 *
 * Tokens, codes and secrets never appear in errors or logs: messages carry
 * the provider's OAuth error code and description, or the failed check.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { z } from 'zod';
import { ConfigError, type Config } from '../config/config.ts';
import type { Db } from '../platform/db/schema.ts';
import { AccessError } from './errors.ts';
import { hashSecret, newSecret, secretMatches } from './secrets.ts';
import type { User, UserService } from './users.ts';

/** Pending sign-ins and CLI sessions live this long. */
export const LOGIN_TTL_MS = 10 * 60_000;
/** Allowed difference between Berth's and the provider's clocks. */
export const CLOCK_TOLERANCE_SECONDS = 5;
/** Discovery metadata is fetched again after this long. */
const DISCOVERY_TTL_MS = 60 * 60_000;
/** A stale document is still used this long while the provider cannot be reached. */
const DISCOVERY_STALE_MS = 24 * 60 * 60_000;
const HTTP_TIMEOUT_MS = 15_000;
/** Caps rows an unauthenticated caller can create. */
const MAX_PENDING = 10_000;
const ASYMMETRIC_ALGS = new Set(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519']);

export const CALLBACK_PATH = '/api/v1/auth/oidc/callback';
export const LOGIN_PATH = '/api/v1/auth/oidc/login';

/** A sign-in that failed; `reason` is short and safe to show, log and audit. */
export class OidcError extends Error {
  /** HTTP status for the browser: 400 (bad request), 401 (refused), 403 (account), 502 (provider). */
  readonly status: number;
  /** The account, when the failure came after the provider named it. */
  readonly username: string | undefined;
  constructor(status: number, reason: string, username?: string) {
    super(reason);
    this.name = 'OidcError';
    this.status = status;
    this.username = username;
  }
}

export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string | undefined;
  scopes: string[];
  usernameClaim: string;
  groupsClaim: string;
  adminGroup: string | undefined;
  redirectUri: string;
}

/**
 * OIDC settings from the configuration: undefined when OIDC is off. A
 * half-configured OIDC stops the start with a ConfigError naming what is
 * missing.
 */
export function oidcSettingsFromConfig(config: Config): OidcSettings | undefined {
  const set = { oidcIssuer: config.oidcIssuer, oidcClientId: config.oidcClientId, oidcClientSecret: config.oidcClientSecret, oidcAdminGroup: config.oidcAdminGroup };
  const given = Object.entries(set).filter(([, v]) => v !== undefined).map(([k]) => k);
  if (given.length === 0) return undefined;
  const missing = (['oidcIssuer', 'oidcClientId'] as const).filter((k) => set[k] === undefined);
  if (missing.length > 0) {
    const env = { oidcIssuer: 'BERTH_OIDC_ISSUER', oidcClientId: 'BERTH_OIDC_CLIENT_ID' };
    throw new ConfigError(
      `OIDC is half-configured: ${given.join(', ')} ${given.length === 1 ? 'is' : 'are'} set but ${missing.map((k) => `${k} (${env[k]})`).join(' and ')} ${missing.length === 1 ? 'is' : 'are'} not; set both oidcIssuer and oidcClientId to enable OIDC sign-in, or none of the oidc* options`,
    );
  }
  const scopes = config.oidcScopes.split(/\s+/).filter(Boolean);
  if (!scopes.includes('openid')) throw new ConfigError(`oidcScopes (BERTH_OIDC_SCOPES) must include "openid", got ${JSON.stringify(config.oidcScopes)}`);
  const issuer = config.oidcIssuer!;
  if (!/^https?:\/\//.test(issuer)) throw new ConfigError(`oidcIssuer (BERTH_OIDC_ISSUER) must be an http(s) URL, got ${JSON.stringify(issuer)}`);
  return {
    issuer,
    clientId: config.oidcClientId!,
    clientSecret: config.oidcClientSecret,
    scopes,
    usernameClaim: config.oidcUsernameClaim,
    groupsClaim: config.oidcGroupsClaim,
    adminGroup: config.oidcAdminGroup,
    redirectUri: `${config.baseUrl}${CALLBACK_PATH}`,
  };
}

const metadataSchema = z.looseObject({
  issuer: z.string().min(1),
  authorization_endpoint: z.url(),
  token_endpoint: z.url(),
  jwks_uri: z.url(),
  userinfo_endpoint: z.url().optional(),
  response_types_supported: z.array(z.string()).optional(),
  id_token_signing_alg_values_supported: z.array(z.string()).optional(),
  token_endpoint_auth_methods_supported: z.array(z.string()).optional(),
  code_challenge_methods_supported: z.array(z.string()).optional(),
});
export type ProviderMetadata = z.infer<typeof metadataSchema>;

const tokenResponseSchema = z.looseObject({
  id_token: z.string().min(1),
  access_token: z.string().optional(),
  token_type: z.string().optional(),
});

/** The Berth account an ID token (and userinfo) describes. */
export interface OidcIdentity {
  subject: string;
  username: string;
  email: string | null;
  groups: string[];
  /** true/false when an admin group is configured; undefined leaves the flag alone. */
  admin: boolean | undefined;
}

export interface OidcClientOptions {
  /** Seconds of clock difference tolerated on exp, iat and nbf. */
  clockToleranceSeconds?: number;
  /** Warnings (provider unreachable, stale metadata); never given tokens. */
  warn?: (message: string) => void;
}

export class OidcClient {
  readonly settings: OidcSettings;
  readonly #clockTolerance: number;
  readonly #warn: (message: string) => void;
  #metadata: { doc: ProviderMetadata; fetched: number } | undefined;
  #inflight: Promise<ProviderMetadata> | undefined;
  #jwks: { uri: string; get: ReturnType<typeof createRemoteJWKSet> } | undefined;

  constructor(settings: OidcSettings, options: OidcClientOptions = {}) {
    this.settings = settings;
    this.#clockTolerance = options.clockToleranceSeconds ?? CLOCK_TOLERANCE_SECONDS;
    this.#warn = options.warn ?? (() => {});
  }

  /** The provider's metadata, cached for an hour; a stale copy is used while the provider is unreachable. */
  async discover(): Promise<ProviderMetadata> {
    const now = Date.now();
    const cached = this.#metadata;
    if (cached && now - cached.fetched < DISCOVERY_TTL_MS) return cached.doc;
    this.#inflight ??= this.#fetchMetadata().finally(() => (this.#inflight = undefined));
    try {
      return await this.#inflight;
    } catch (err) {
      if (cached && now - cached.fetched < DISCOVERY_STALE_MS) {
        this.#warn(`OIDC discovery refresh failed, using the cached metadata: ${(err as Error).message}`);
        return cached.doc;
      }
      throw err;
    }
  }

  /** Forget the cached metadata (the next sign-in fetches it again). */
  invalidate(): void {
    this.#metadata = undefined;
  }

  async #fetchMetadata(): Promise<ProviderMetadata> {
    const url = `${this.settings.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
    const res = await request(url, { headers: { accept: 'application/json' } }, 'discovery');
    if (!res.ok) throw new OidcError(502, `OIDC discovery at ${url} answered ${res.status}`);
    const parsed = metadataSchema.safeParse(await readJson(res, 'discovery'));
    if (!parsed.success) throw new OidcError(502, `OIDC discovery at ${url} is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    const doc = parsed.data;
    // The issuer must be the configured one (a trailing slash aside): ID tokens are checked against it.
    if (doc.issuer.replace(/\/+$/, '') !== this.settings.issuer.replace(/\/+$/, '')) {
      throw new OidcError(502, `OIDC discovery names issuer ${JSON.stringify(doc.issuer)}, but oidcIssuer is ${JSON.stringify(this.settings.issuer)}`);
    }
    if (doc.response_types_supported && !doc.response_types_supported.includes('code')) {
      throw new OidcError(502, 'the OIDC provider does not support the authorization code flow (response_types_supported lacks "code")');
    }
    if (doc.code_challenge_methods_supported && !doc.code_challenge_methods_supported.includes('S256')) {
      throw new OidcError(502, 'the OIDC provider does not support PKCE with S256 (code_challenge_methods_supported)');
    }
    this.#signingAlgorithms(doc);
    this.#metadata = { doc, fetched: Date.now() };
    if (this.#jwks?.uri !== doc.jwks_uri) {
      this.#jwks = { uri: doc.jwks_uri, get: createRemoteJWKSet(new URL(doc.jwks_uri), { timeoutDuration: HTTP_TIMEOUT_MS, cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000 }) };
    }
    return doc;
  }

  /** The provider's ID token algorithms Berth accepts: asymmetric ones only (RS256 when none are listed). */
  #signingAlgorithms(doc: ProviderMetadata): string[] {
    const listed = doc.id_token_signing_alg_values_supported ?? ['RS256'];
    const algs = listed.filter((a) => ASYMMETRIC_ALGS.has(a));
    if (algs.length === 0) throw new OidcError(502, `the OIDC provider signs ID tokens only with ${listed.join(', ')}; Berth needs an asymmetric algorithm (RS256, ES256, …)`);
    return algs;
  }

  /** The URL that sends the browser to the provider. */
  async authorizationUrl(input: { state: string; nonce: string; codeChallenge: string }): Promise<string> {
    const doc = await this.discover();
    const url = new URL(doc.authorization_endpoint);
    const params = {
      response_type: 'code',
      client_id: this.settings.clientId,
      redirect_uri: this.settings.redirectUri,
      scope: this.settings.scopes.join(' '),
      state: input.state,
      nonce: input.nonce,
      code_challenge: input.codeChallenge,
      code_challenge_method: 'S256',
    };
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    return url.toString();
  }

  /** Exchanges an authorization code at the token endpoint, authenticating as the provider advertises. */
  async exchangeCode(code: string, codeVerifier: string): Promise<{ idToken: string; accessToken: string | undefined }> {
    const doc = await this.discover();
    const body = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: this.settings.redirectUri, code_verifier: codeVerifier });
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
    const { clientId, clientSecret } = this.settings;
    if (clientSecret === undefined) {
      body.set('client_id', clientId);
    } else {
      const methods = doc.token_endpoint_auth_methods_supported ?? ['client_secret_basic'];
      if (methods.includes('client_secret_basic')) {
        // RFC 6749 §2.3.1: both parts are form-encoded before Base64.
        headers.authorization = `Basic ${Buffer.from(`${formEncode(clientId)}:${formEncode(clientSecret)}`).toString('base64')}`;
      } else if (methods.includes('client_secret_post')) {
        body.set('client_id', clientId);
        body.set('client_secret', clientSecret);
      } else {
        throw new OidcError(502, `the OIDC token endpoint supports neither client_secret_basic nor client_secret_post (it lists ${methods.join(', ')})`);
      }
    }
    const res = await request(doc.token_endpoint, { method: 'POST', headers, body }, 'token endpoint');
    const json = await readJson(res, 'token endpoint').catch((err: unknown) => {
      if (!res.ok) throw new OidcError(401, `the OIDC token endpoint refused the code (HTTP ${res.status})`);
      throw err;
    });
    if (!res.ok) throw new OidcError(401, `the OIDC token endpoint refused the code: ${oauthError(json) ?? `HTTP ${res.status}`}`);
    const parsed = tokenResponseSchema.safeParse(json);
    if (!parsed.success) throw new OidcError(502, 'the OIDC token endpoint answered without an id_token');
    if (parsed.data.token_type !== undefined && parsed.data.token_type.toLowerCase() !== 'bearer' && parsed.data.token_type.toLowerCase() !== 'dpop') {
      throw new OidcError(502, `the OIDC token endpoint answered with token_type ${JSON.stringify(parsed.data.token_type.slice(0, 32))}`);
    }
    return { idToken: parsed.data.id_token, accessToken: parsed.data.access_token };
  }

  /**
   * Validates an ID token: signature by a key of the provider's JWKS with an
   * algorithm it advertises, iss, aud containing the client id (and azp equal
   * to it when present or when there are several audiences), exp/iat/nbf
   * within the clock tolerance, and the nonce of this sign-in.
   */
  async validateIdToken(idToken: string, nonce: string, options: { clockToleranceSeconds?: number } = {}): Promise<JWTPayload> {
    const doc = await this.discover();
    const jwks = this.#jwks!.get;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(idToken, jwks, {
        issuer: doc.issuer,
        audience: this.settings.clientId,
        algorithms: this.#signingAlgorithms(doc),
        clockTolerance: options.clockToleranceSeconds ?? this.#clockTolerance,
        maxTokenAge: '1h',
        requiredClaims: ['iss', 'sub', 'aud', 'exp', 'iat'],
      }));
    } catch (err) {
      throw new OidcError(401, `ID token rejected: ${describeJoseError(err)}`);
    }
    const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    if ((audiences.length > 1 || payload.azp !== undefined) && payload.azp !== this.settings.clientId) {
      throw new OidcError(401, typeof payload.azp === 'string' ? `ID token rejected: its authorized party (azp) ${JSON.stringify(clean(payload.azp, 100))} is not this client` : 'ID token rejected: several audiences and no authorized party (azp)');
    }
    if (typeof payload.nonce !== 'string' || payload.nonce !== nonce) throw new OidcError(401, 'ID token rejected: the nonce does not match this sign-in');
    if (typeof payload.sub !== 'string' || payload.sub.length === 0) throw new OidcError(401, 'ID token rejected: no subject');
    return payload;
  }

  /** Claims of the userinfo endpoint, for claims the ID token does not carry. Its `sub` must be the ID token's. */
  async userinfo(accessToken: string, subject: string): Promise<Record<string, unknown>> {
    const doc = await this.discover();
    if (!doc.userinfo_endpoint) return {};
    const res = await request(doc.userinfo_endpoint, { headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json, application/jwt' } }, 'userinfo endpoint');
    if (!res.ok) throw new OidcError(502, `the OIDC userinfo endpoint answered ${res.status}`);
    let claims: Record<string, unknown>;
    if ((res.headers.get('content-type') ?? '').startsWith('application/jwt')) {
      try {
        ({ payload: claims } = await jwtVerify(await res.text(), this.#jwks!.get, { issuer: doc.issuer, audience: this.settings.clientId, clockTolerance: this.#clockTolerance }));
      } catch (err) {
        throw new OidcError(502, `the signed userinfo response is invalid: ${describeJoseError(err)}`);
      }
    } else {
      const json = await readJson(res, 'userinfo endpoint');
      if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new OidcError(502, 'the OIDC userinfo endpoint answered with no JSON object');
      claims = json as Record<string, unknown>;
    }
    if (claims.sub !== subject) throw new OidcError(401, 'the userinfo response is about another subject than the ID token');
    return claims;
  }

  /** The Berth account the claims describe: name from the username claim (else `sub`), groups, admin. */
  identityOf(claims: Record<string, unknown>): OidcIdentity {
    const subject = claims.sub;
    if (typeof subject !== 'string' || subject.length === 0) throw new OidcError(401, 'the ID token has no subject');
    const named = claimAt(claims, this.settings.usernameClaim);
    const username = typeof named === 'string' && named.length > 0 ? named : subject;
    const groups = toGroups(claimAt(claims, this.settings.groupsClaim));
    const email = typeof claims.email === 'string' && claims.email.length <= 255 ? claims.email : null;
    const admin = this.settings.adminGroup === undefined ? undefined : groups.includes(this.settings.adminGroup);
    return { subject, username, email, groups, admin };
  }

  /** Whether the claims lack something the userinfo endpoint may add. */
  needsUserinfo(claims: Record<string, unknown>): boolean {
    return claimAt(claims, this.settings.usernameClaim) === undefined || claimAt(claims, this.settings.groupsClaim) === undefined;
  }
}

/** A claim by name, or by a dotted path into nested objects (`realm_access.roles`). */
function claimAt(claims: Record<string, unknown>, name: string): unknown {
  if (name in claims) return claims[name];
  let value: unknown = claims;
  for (const part of name.split('.')) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function toGroups(value: unknown): string[] {
  const list = Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
  const groups = list.filter((g): g is string => typeof g === 'string').map((g) => g.trim()).filter((g) => g.length > 0 && g.length <= 255);
  return [...new Set(groups)].slice(0, 500);
}

function formEncode(s: string): string {
  return encodeURIComponent(s).replace(/%20/g, '+');
}

function oauthError(json: unknown): string | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  const { error, error_description: description } = json as { error?: unknown; error_description?: unknown };
  if (typeof error !== 'string') return undefined;
  return typeof description === 'string' ? `${clean(error, 64)} (${clean(description, 300)})` : clean(error, 64);
}

/** Provider-supplied text, made safe to show and log. */
function clean(s: string, max: number): string {
  return s.replace(/[^\x20-\x7e]/g, '?').slice(0, max);
}

function describeJoseError(err: unknown): string {
  if (err instanceof joseErrors.JWTExpired) return 'it has expired';
  if (err instanceof joseErrors.JWTClaimValidationFailed) return `claim ${err.claim} failed: ${err.reason === 'check_failed' ? err.message : `${err.reason}`}`;
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return 'the signature is invalid';
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return 'its signing algorithm is not one the provider advertises';
  if (err instanceof joseErrors.JWKSNoMatchingKey) return 'no key of the provider matches its signature';
  if (err instanceof joseErrors.JWKSTimeout) return "the provider's keys could not be fetched in time";
  if (err instanceof joseErrors.JOSEError) return err.message;
  if (err instanceof Error) return err.message;
  return 'invalid';
}

async function request(url: string, init: RequestInit, what: string): Promise<Response> {
  try {
    return await fetch(url, { ...init, redirect: 'error', signal: AbortSignal.timeout(HTTP_TIMEOUT_MS) });
  } catch (err) {
    const cause = (err as Error & { cause?: { code?: string; message?: string } }).cause;
    const detail = (err as Error).name === 'TimeoutError' ? 'timed out' : (cause?.code ?? cause?.message ?? (err as Error).message);
    throw new OidcError(502, `the OIDC ${what} (${new URL(url).origin}) cannot be reached: ${detail}`);
  }
}

async function readJson(res: Response, what: string): Promise<unknown> {
  try {
    return await res.json();
  } catch {
    throw new OidcError(502, `the OIDC ${what} answered ${res.status} with no valid JSON`);
  }
}

const b64url = (bytes: Buffer) => bytes.toString('base64url');
const sha256 = (s: string) => createHash('sha256').update(s).digest();

/**
 * A same-origin path to return to after sign-in, or undefined. Only relative
 * paths (`/…`, never `//host` or `/\host`) are accepted.
 */
export function safeRedirect(value: string | undefined, baseUrl: string): string | undefined {
  if (value === undefined || value.length === 0 || value.length > 2048) return undefined;
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\') || /[\x00-\x1f\x7f\\]/.test(value)) return undefined;
  try {
    const base = new URL(baseUrl);
    const url = new URL(value, base);
    if (url.origin !== base.origin) return undefined;
    return `${url.pathname}${url.search}${url.hash}`;
  } catch {
    return undefined;
  }
}

export interface CompletedSignIn {
  user: User;
  /** Same-origin path to send the browser to. */
  redirect: string;
  /** Set when the sign-in completed a CLI session. */
  cliSession: string | null;
}

/** The sign-in flow, with its server-side state in the database. */
export class OidcSignIn {
  readonly client: OidcClient;
  readonly #db: Db;
  readonly #users: UserService;
  readonly #baseUrl: string;
  #lastPurge = 0;

  constructor(db: Db, client: OidcClient, users: UserService, options: { baseUrl: string }) {
    this.#db = db;
    this.client = client;
    this.#users = users;
    this.#baseUrl = options.baseUrl;
  }

  /** Starts a sign-in: stores state, nonce and PKCE verifier; returns the provider URL and the state (for the browser-binding cookie). */
  async begin(input: { redirect?: string | undefined; cli?: string | undefined }): Promise<{ url: string; state: string }> {
    const now = Date.now();
    await this.#purge(now);
    if (input.cli !== undefined) {
      const cli = await this.#db.selectFrom('oidc_cli_sessions').select(['status', 'expires_at']).where('id', '=', input.cli).executeTakeFirst();
      if (!cli || cli.status !== 'pending' || Number(cli.expires_at) <= now) throw new OidcError(400, 'this CLI sign-in is unknown, expired or already complete; run the login command again');
    }
    const pending = await this.#db.selectFrom('oidc_logins').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    if (Number(pending.n) >= MAX_PENDING) throw new AccessError('TOO_MANY_REQUESTS', 'too many sign-ins in progress; try again in a few minutes');
    const state = b64url(randomBytes(32));
    const nonce = b64url(randomBytes(32));
    const codeVerifier = b64url(randomBytes(32));
    const url = await this.client.authorizationUrl({ state, nonce, codeChallenge: b64url(sha256(codeVerifier)) });
    await this.#db
      .insertInto('oidc_logins')
      .values({
        state_hash: hashSecret(state),
        nonce,
        code_verifier: codeVerifier,
        redirect: safeRedirect(input.redirect, this.#baseUrl) ?? '/',
        cli_session: input.cli ?? null,
        created_at: now,
        expires_at: now + LOGIN_TTL_MS,
      })
      .execute();
    return { url, state };
  }

  /**
   * Completes a sign-in at the callback. The state is consumed first (single
   * use, whatever happens next) and must be the one this browser started
   * (`browserState`, from its cookie). Throws OidcError on any failure.
   */
  async complete(input: { state?: string | undefined; code?: string | undefined; error?: string | undefined; errorDescription?: string | undefined; iss?: string | undefined; browserState: string | undefined }): Promise<CompletedSignIn> {
    if (!input.state) throw new OidcError(400, 'the callback has no state parameter');
    const login = await this.#consume(input.state);
    if (!login) throw new OidcError(400, 'unknown, expired or already used sign-in state; start the sign-in again');
    if (input.browserState === undefined || input.browserState !== input.state) throw new OidcError(400, 'this sign-in was not started in this browser; start the sign-in again');
    const doc = await this.client.discover();
    // RFC 9207: when the provider names itself in the response, it must be the expected issuer.
    if (input.iss !== undefined && input.iss !== doc.issuer) throw new OidcError(401, `the authorization response comes from issuer ${JSON.stringify(clean(input.iss, 200))}, not ${doc.issuer}`);
    if (input.error !== undefined) {
      throw new OidcError(401, `the OIDC provider refused the sign-in: ${clean(input.error, 64)}${input.errorDescription ? ` (${clean(input.errorDescription, 300)})` : ''}`);
    }
    if (!input.code) throw new OidcError(400, 'the callback has no code parameter');

    const tokens = await this.client.exchangeCode(input.code, login.code_verifier);
    const idClaims = await this.client.validateIdToken(tokens.idToken, login.nonce);
    let claims: Record<string, unknown> = idClaims;
    if (tokens.accessToken && this.client.needsUserinfo(idClaims)) {
      claims = { ...(await this.client.userinfo(tokens.accessToken, idClaims.sub!)), ...idClaims };
    }
    const identity = this.client.identityOf(claims);
    let user: User;
    try {
      user = await this.#users.upsertOidcUser(identity);
    } catch (err) {
      if (err instanceof AccessError) throw new OidcError(err.code === 'CONFLICT' ? 403 : 400, err.message, identity.username);
      throw err;
    }
    if (user.disabled) throw new OidcError(403, `the account ${user.username} is disabled`, user.username);
    if (login.cli_session !== null) {
      const now = Date.now();
      const r = await this.#db
        .updateTable('oidc_cli_sessions')
        .set({ status: 'complete', username: user.username, completed_at: now, expires_at: now + LOGIN_TTL_MS })
        .where('id', '=', login.cli_session)
        .where('status', '=', 'pending')
        .where('expires_at', '>', now)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) throw new OidcError(400, 'the CLI sign-in expired or was already completed; run the login command again', user.username);
    }
    return { user, redirect: login.redirect, cliSession: login.cli_session };
  }

  /** Takes a pending sign-in out of the table; only one caller can get it. */
  async #consume(state: string): Promise<{ nonce: string; code_verifier: string; redirect: string; cli_session: string | null } | undefined> {
    const hash = hashSecret(state);
    const row = await this.#db.selectFrom('oidc_logins').select(['nonce', 'code_verifier', 'redirect', 'cli_session', 'expires_at']).where('state_hash', '=', hash).executeTakeFirst();
    if (!row) return undefined;
    const r = await this.#db.deleteFrom('oidc_logins').where('state_hash', '=', hash).executeTakeFirst();
    if (Number(r.numDeletedRows) !== 1 || Number(row.expires_at) <= Date.now()) return undefined;
    return row;
  }

  /** A CLI sign-in: the URL to open in a browser and the secret to poll with. */
  async createCliSession(): Promise<{ id: string; url: string; secret: string; expiresAt: number }> {
    const now = Date.now();
    await this.#purge(now);
    const pending = await this.#db.selectFrom('oidc_cli_sessions').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    if (Number(pending.n) >= MAX_PENDING) throw new AccessError('TOO_MANY_REQUESTS', 'too many CLI sign-ins in progress; try again in a few minutes');
    const id = randomBytes(16).toString('hex');
    const secret = newSecret();
    const expiresAt = now + LOGIN_TTL_MS;
    await this.#db.insertInto('oidc_cli_sessions').values({ id, secret_hash: hashSecret(secret), status: 'pending', username: null, created_at: now, expires_at: expiresAt, completed_at: null }).execute();
    return { id, url: `${this.#baseUrl}${LOGIN_PATH}?cli=${id}`, secret, expiresAt };
  }

  /**
   * The state of a CLI sign-in: undefined when unknown, expired, consumed or
   * the secret is wrong. A completed one is consumed by this call (the caller
   * then issues the token, once).
   */
  async pollCliSession(id: string, secret: string): Promise<{ status: 'pending' } | { status: 'complete'; username: string } | undefined> {
    const now = Date.now();
    const row = await this.#db.selectFrom('oidc_cli_sessions').select(['secret_hash', 'status', 'username', 'expires_at']).where('id', '=', id).executeTakeFirst();
    if (!row || Number(row.expires_at) <= now || !secretMatches(secret, row.secret_hash)) return undefined;
    if (row.status === 'pending' || row.username === null) return { status: 'pending' };
    const r = await this.#db.deleteFrom('oidc_cli_sessions').where('id', '=', id).where('status', '=', 'complete').executeTakeFirst();
    if (Number(r.numDeletedRows) !== 1) return undefined;
    return { status: 'complete', username: row.username };
  }

  /** Drops expired sign-ins and CLI sessions, at most once a minute. */
  async #purge(now: number): Promise<void> {
    if (now - this.#lastPurge < 60_000) return;
    this.#lastPurge = now;
    await this.#db.deleteFrom('oidc_logins').where('expires_at', '<=', now).execute();
    await this.#db.deleteFrom('oidc_cli_sessions').where('expires_at', '<=', now).execute();
  }
}
