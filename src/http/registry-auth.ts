/**
 * Authentication and authorization of /v2 requests: Bearer tokens from the
 * token service, Basic credentials (user password, personal API token, robot
 * secret), or anonymous. Every /v2 handler states the accesses it needs; a
 * missing one yields a token challenge (401) or, for a caller who
 * authenticated with Basic credentials, DENIED (403). Refusals are audited.
 */
import type { FastifyRequest } from 'fastify';
import { AccessError } from '../access/errors.ts';
import { ANONYMOUS, actorOf, type Principal } from '../access/principal.ts';
import { allows, formatScope, type Access } from '../access/scopes.ts';
import type { AccessServices } from '../access/services.ts';

export interface Need {
  type: Access['type'];
  name: string;
  action: string;
}

/** The caller of one request, and what it may do. */
export interface Caller {
  principal: Principal;
  method: 'bearer' | 'basic' | 'anonymous';
  /** Accesses known to be granted (token claims, or decisions so far). */
  granted: Access[];
  ip: string;
}

export class AuthChallenge extends Error {
  readonly status: 401 | 403 | 429;
  readonly challenge: string | undefined;
  /** 429: the Retry-After header. */
  readonly retryAfterSeconds: number | undefined;
  constructor(status: 401 | 403 | 429, message: string, challenge: string | undefined, retryAfterSeconds?: number) {
    super(message);
    this.status = status;
    this.challenge = challenge;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export class RegistryGate {
  readonly #access: AccessServices;
  readonly #realm: string;
  readonly #service: string;

  constructor(access: AccessServices, options: { realm: string; service: string }) {
    this.#access = access;
    this.#realm = options.realm;
    this.#service = options.service;
  }

  /** Identifies the caller; throws a 401 challenge for bad credentials. */
  async identify(req: FastifyRequest): Promise<Caller> {
    const header = req.headers.authorization;
    const ip = req.ip;
    if (!header) return { principal: ANONYMOUS, method: 'anonymous', granted: [], ip };
    const space = header.indexOf(' ');
    const scheme = header.slice(0, space).toLowerCase();
    const value = header.slice(space + 1).trim();
    if (scheme === 'bearer') {
      const claims = await this.#access.tokens.verify(value);
      if (!claims) throw this.#refuse(ip, ANONYMOUS, 'invalid, expired or foreign token');
      const principal = await this.#access.identity.current(claims.principal);
      if (!principal) throw this.#refuse(ip, claims.principal, 'the account is disabled, expired or deleted');
      return { principal, method: 'bearer', granted: claims.access, ip };
    }
    if (scheme === 'basic') {
      const credentials = parseBasic(value);
      let principal: Principal | undefined;
      try {
        principal = credentials && (await this.#access.identity.login(credentials.username, credentials.password, ip));
      } catch (err) {
        if (err instanceof AccessError && err.code === 'TOO_MANY_REQUESTS') throw new AuthChallenge(429, err.message, undefined, err.retryAfterSeconds);
        throw err;
      }
      if (!principal) throw this.challenge(401, 'invalid user name or password', []);
      return { principal, method: 'basic', granted: [], ip };
    }
    throw this.challenge(401, `unsupported authorization scheme ${JSON.stringify(scheme.slice(0, 20))}`, []);
  }

  /** True when the caller has the access (asking the authorizer if needed). */
  async has(caller: Caller, need: Need): Promise<boolean> {
    if (allows(caller.granted, need.type, need.name, need.action)) return true;
    if (caller.method === 'bearer') return false;
    return this.#askAuthorizer(caller, need);
  }

  /**
   * Like `has`, but a bearer caller's principal is also checked against the
   * authorizer. Only for an anonymous mount (no `from`): a token cannot name
   * a source the client does not know, so the account's own pull rights pick
   * one. A named source is always decided by `has` (the token's scope).
   */
  async hasLive(caller: Caller, need: Need): Promise<boolean> {
    if (allows(caller.granted, need.type, need.name, need.action)) return true;
    return this.#askAuthorizer(caller, need);
  }

  async #askAuthorizer(caller: Caller, need: Need): Promise<boolean> {
    const granted = await this.#access.authorizer.grant(caller.principal, [{ type: need.type, name: need.name, actions: [need.action] }]);
    caller.granted.push(...granted);
    return allows(granted, need.type, need.name, need.action);
  }

  /** Throws unless the caller has every need. */
  async require(caller: Caller, needs: Need[]): Promise<void> {
    for (const need of needs) {
      if (await this.has(caller, need)) continue;
      this.#access.audit.record({
        actor: actorOf(caller.principal),
        sourceIp: caller.ip,
        resourceType: need.type,
        resource: need.name,
        action: need.action,
        outcome: 'failure',
        detail: 'permission denied',
      });
      if (caller.method === 'basic') {
        throw new AuthChallenge(403, `${caller.principal.name} may not ${need.action} ${need.type} ${need.name}`, undefined);
      }
      throw this.challenge(401, caller.method === 'anonymous' ? 'authentication required' : `token does not grant ${need.action} on ${need.name}`, needs, caller.method === 'bearer');
    }
  }

  /** The caller must be someone (not anonymous without a token). */
  requireAuthenticated(caller: Caller): void {
    if (caller.method === 'anonymous') throw this.challenge(401, 'authentication required', []);
  }

  challenge(status: 401 | 403, message: string, needs: Need[], insufficientScope = false): AuthChallenge {
    let header = `Bearer realm="${this.#realm}",service="${this.#service}"`;
    const scopes = groupNeeds(needs).map(formatScope);
    if (scopes.length > 0) header += `,scope="${scopes.join(' ')}"`;
    if (insufficientScope) header += ',error="insufficient_scope"';
    return new AuthChallenge(status, message, header);
  }

  #refuse(ip: string, principal: Principal, reason: string): AuthChallenge {
    this.#access.audit.record({ actor: actorOf(principal), sourceIp: ip, resourceType: 'token', resource: principal.name, action: 'use', outcome: 'failure', detail: reason });
    return this.challenge(401, reason, []);
  }
}

function groupNeeds(needs: Need[]): Access[] {
  const map = new Map<string, Access>();
  for (const n of needs) {
    const key = `${n.type}:${n.name}`;
    const a = map.get(key) ?? { type: n.type, name: n.name, actions: [] };
    if (!a.actions.includes(n.action)) a.actions.push(n.action);
    map.set(key, a);
  }
  return [...map.values()];
}

export function parseBasic(value: string): { username: string; password: string } | undefined {
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
