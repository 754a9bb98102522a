/**
 * Login throttling: after `maxFailures` failed sign-ins within `windowMs`
 * for one user name or one source address, further attempts are refused for
 * a lock period that doubles with each further failure (up to `maxLockMs`).
 * In memory and per process: an attacker gains at most one window per
 * restart, and memory is bounded by `maxEntries`.
 */
export interface ThrottleOptions {
  maxFailures: number;
  windowMs: number;
  baseLockMs: number;
  maxLockMs: number;
  maxEntries: number;
}

interface Entry {
  failures: number;
  first: number;
  lockedUntil: number;
}

export class LoginThrottle {
  readonly #options: ThrottleOptions;
  readonly #entries = new Map<string, Entry>();

  constructor(options: Partial<ThrottleOptions> = {}) {
    this.#options = { maxFailures: 5, windowMs: 15 * 60_000, baseLockMs: 30_000, maxLockMs: 15 * 60_000, maxEntries: 50_000, ...options };
  }

  /** Milliseconds until `user` from `ip` may try again; 0 when allowed. */
  retryAfter(user: string, ip: string, now = Date.now()): number {
    return Math.max(this.#lockedFor(`u:${user}`, now), this.#lockedFor(`ip:${ip}`, now));
  }

  failure(user: string, ip: string, now = Date.now()): void {
    this.#fail(`u:${user}`, now);
    this.#fail(`ip:${ip}`, now);
  }

  /** A success clears the user's record (not the address's). */
  success(user: string): void {
    this.#entries.delete(`u:${user}`);
  }

  #lockedFor(key: string, now: number): number {
    const e = this.#entries.get(key);
    return e && e.lockedUntil > now ? e.lockedUntil - now : 0;
  }

  #fail(key: string, now: number): void {
    let e = this.#entries.get(key);
    if (!e || now - e.first > this.#options.windowMs) {
      if (this.#entries.size >= this.#options.maxEntries) this.#evict(now);
      e = { failures: 0, first: now, lockedUntil: 0 };
      this.#entries.set(key, e);
    }
    e.failures++;
    const over = e.failures - this.#options.maxFailures;
    if (over >= 0) e.lockedUntil = now + Math.min(this.#options.baseLockMs * 2 ** over, this.#options.maxLockMs);
  }

  #evict(now: number): void {
    for (const [k, e] of this.#entries) if (e.lockedUntil < now && now - e.first > this.#options.windowMs) this.#entries.delete(k);
    if (this.#entries.size >= this.#options.maxEntries) this.#entries.clear();
  }
}
