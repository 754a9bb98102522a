/**
 * Turns credentials into principals: user passwords, personal API tokens
 * (as a password or a Bearer token), robot secrets. Applies login throttling
 * and answers whether an account is still usable (a disabled, expired or
 * deleted account is refused at once, even with a token issued before).
 */
import type { AuditRecorder } from '../audit/types.ts';
import { ApiTokenService } from './api-tokens.ts';
import { AccessError } from './errors.ts';
import type { Principal } from './principal.ts';
import { ROBOT_PREFIX, type RobotService } from './robots.ts';
import type { LoginThrottle } from './throttle.ts';
import type { UserService } from './users.ts';

const ACTIVE_TTL_MS = 1000;

export class Identity {
  readonly #users: UserService;
  readonly #robots: RobotService;
  readonly #tokens: ApiTokenService;
  readonly #throttle: LoginThrottle;
  readonly #active = new Map<string, { value: Principal | undefined; expires: number }>();
  audit: AuditRecorder | undefined;

  constructor(users: UserService, robots: RobotService, tokens: ApiTokenService, throttle: LoginThrottle) {
    this.#users = users;
    this.#robots = robots;
    this.#tokens = tokens;
    this.#throttle = throttle;
  }

  /**
   * Checks a user name and secret from `ip`. Throws TOO_MANY_REQUESTS while
   * throttled. `auditSuccess` records successful sign-ins (not done for
   * per-request Basic auth, which would flood the log).
   */
  async login(username: string, secret: string, ip: string, auditSuccess = false): Promise<Principal | undefined> {
    const verdict = await this.#throttle.check(username, ip);
    if (verdict.waitMs > 0) {
      // Refused whatever the secret: during the backoff even the right
      // password does not get in (else the lock would not slow guessing).
      this.#audit(username, ip, 'failure', 'throttled');
      const seconds = Math.ceil(verdict.waitMs / 1000);
      const which = verdict.limit === 'address' ? 'from this address' : verdict.limit === 'account' ? `for ${username}` : `for ${username} from this address`;
      throw new AccessError('TOO_MANY_REQUESTS', `too many failed sign-ins ${which}; try again in ${seconds} s (until then even the right password is refused)`, { retryAfterSeconds: seconds });
    }
    const principal = await this.#check(username, secret);
    if (!principal) {
      await this.#throttle.failure(username, ip);
      this.#audit(username, ip, 'failure', 'invalid credentials');
      return undefined;
    }
    await this.#throttle.success(username, ip, verdict);
    if (auditSuccess) this.#audit(principal.name, ip, 'success', undefined, principal.kind === 'robot' ? 'robot' : 'user');
    return principal;
  }

  async #check(username: string, secret: string): Promise<Principal | undefined> {
    if (username.startsWith(ROBOT_PREFIX)) return this.#robots.verify(username, secret);
    if (ApiTokenService.looksLikeToken(secret)) {
      const owner = await this.#tokens.verify(secret);
      return owner === username ? this.#users.principalOf(owner) : undefined;
    }
    return this.#users.verify(username, secret);
  }

  /** A personal API token used as a Bearer token. */
  async bearer(token: string): Promise<Principal | undefined> {
    const owner = await this.#tokens.verify(token);
    return owner === undefined ? undefined : this.#users.principalOf(owner);
  }

  /**
   * The principal as it is now (groups and admin flag refreshed), or
   * undefined when the account was disabled, expired or deleted.
   */
  async current(p: Principal): Promise<Principal | undefined> {
    if (p.kind === 'anonymous') return p;
    const key = `${p.kind}\0${p.name}`;
    const now = Date.now();
    const hit = this.#active.get(key);
    if (hit && hit.expires > now) return hit.value;
    const value = p.kind === 'robot' ? ((await this.#robots.isActive(p.name, now)) ? p : undefined) : await this.#users.principalOf(p.name);
    if (this.#active.size > 10_000) this.#active.clear();
    this.#active.set(key, { value, expires: now + ACTIVE_TTL_MS });
    return value;
  }

  /** Drops cached account states (after a robot, token or user change). */
  invalidateAccounts(): void {
    this.#active.clear();
  }

  /** Also drops cached password checks: only after a user account changed. */
  invalidate(): void {
    this.#active.clear();
    this.#users.invalidate();
  }

  #audit(name: string, ip: string, outcome: 'success' | 'failure', detail?: string, kind: 'user' | 'robot' = name.startsWith(ROBOT_PREFIX) ? 'robot' : 'user'): void {
    this.audit?.record({ actor: { kind, name }, sourceIp: ip, resourceType: 'session', resource: name, action: 'login', outcome, ...(detail ? { detail } : {}) });
  }
}
