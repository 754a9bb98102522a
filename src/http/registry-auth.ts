/**
 * Authentication and authorization of /v2 requests: Bearer tokens from the
 * token service, Basic credentials, or anonymous. Every /v2 handler states the
 * accesses it needs; a missing one yields a token challenge (401) or, for a
 * caller who authenticated with Basic credentials, DENIED (403).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Authorizer } from '../access/authorizer.ts';
import { ANONYMOUS, type Principal } from '../access/principal.ts';
import { allows, formatScope, type Access } from '../access/scopes.ts';
import type { TokenService } from '../access/tokens.ts';
import type { PasswordAuthenticator } from '../access/users.ts';

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
}

export class AuthChallenge extends Error {
  readonly status: 401 | 403;
  readonly challenge: string | undefined;
  constructor(status: 401 | 403, message: string, challenge: string | undefined) {
    super(message);
    this.status = status;
    this.challenge = challenge;
  }
}

export class RegistryGate {
  readonly #tokens: TokenService;
  readonly #passwords: PasswordAuthenticator;
  readonly #authorizer: Authorizer;
  readonly #realm: string;
  readonly #service: string;

  constructor(options: { tokens: TokenService; passwords: PasswordAuthenticator; authorizer: Authorizer; realm: string; service: string }) {
    this.#tokens = options.tokens;
    this.#passwords = options.passwords;
    this.#authorizer = options.authorizer;
    this.#realm = options.realm;
    this.#service = options.service;
  }

  /** Identifies the caller; throws a 401 challenge for bad credentials. */
  async identify(headers: IncomingHttpHeaders): Promise<Caller> {
    const header = headers.authorization;
    if (!header) return { principal: ANONYMOUS, method: 'anonymous', granted: [] };
    const space = header.indexOf(' ');
    const scheme = header.slice(0, space).toLowerCase();
    const value = header.slice(space + 1).trim();
    if (scheme === 'bearer') {
      const claims = await this.#tokens.verify(value);
      if (!claims) throw this.challenge(401, 'invalid or expired token', []);
      return { principal: claims.principal, method: 'bearer', granted: claims.access };
    }
    if (scheme === 'basic') {
      const credentials = parseBasic(value);
      const principal = credentials && (await this.#passwords.verify(credentials.username, credentials.password));
      if (!principal) throw this.challenge(401, 'invalid user name or password', []);
      return { principal, method: 'basic', granted: [] };
    }
    throw this.challenge(401, `unsupported authorization scheme ${JSON.stringify(scheme.slice(0, 20))}`, []);
  }

  /** True when the caller has the access (asking the authorizer if needed). */
  async has(caller: Caller, need: Need): Promise<boolean> {
    if (allows(caller.granted, need.type, need.name, need.action)) return true;
    if (caller.method === 'bearer') return false;
    const granted = await this.#authorizer.grant(caller.principal, [{ type: need.type, name: need.name, actions: [need.action] }]);
    caller.granted.push(...granted);
    return allows(granted, need.type, need.name, need.action);
  }

  /**
   * Like `has`, but a bearer caller's principal is also checked against the
   * authorizer: for reads that only decide between two correct answers (a
   * blob mount versus a fresh upload), never to widen a token's reach.
   */
  async hasLive(caller: Caller, need: Need): Promise<boolean> {
    if (allows(caller.granted, need.type, need.name, need.action)) return true;
    const granted = await this.#authorizer.grant(caller.principal, [{ type: need.type, name: need.name, actions: [need.action] }]);
    return allows(granted, need.type, need.name, need.action);
  }

  /** Throws unless the caller has every need. */
  async require(caller: Caller, needs: Need[]): Promise<void> {
    for (const need of needs) {
      if (await this.has(caller, need)) continue;
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
