/**
 * Login throttling, stored in the database so that every process sees the
 * same failures and locks. Three counters, each over a sliding window of
 * `windowMs` from its first failure, each locking with exponential backoff
 * (`baseLockMs`, doubling with every further failure, at most `maxLockMs`)
 * once it reaches its threshold:
 *
 * - per account and address (low threshold): one client guessing one
 *   account is slowed down at once, and nobody else is;
 * - per account (higher threshold): guesses at one account spread over many
 *   addresses;
 * - per address (much higher threshold): one address spraying many
 *   accounts. An address lock never refuses an account that signed in
 *   successfully from that address within `KNOWN_MS` (a "known" pair), so
 *   an office behind one NAT keeps working while someone there misbehaves.
 *
 * Attempts refused while locked are not counted, so a lock ends on time. The
 * only in-process state is a one-second cache of "known pair, nothing to
 * clear" verdicts, which spares the database a read per Basic-auth request.
 */
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Config } from '../config/config.ts';
import type { Db } from '../platform/db/schema.ts';

export interface ThrottleOptions {
  failuresPerAccountAndAddress: number;
  failuresPerAccount: number;
  failuresPerAddress: number;
  windowMs: number;
  baseLockMs: number;
  maxLockMs: number;
}

export const DEFAULT_THROTTLE: ThrottleOptions = {
  failuresPerAccountAndAddress: 5,
  failuresPerAccount: 20,
  failuresPerAddress: 100,
  windowMs: 5 * 60_000,
  baseLockMs: 2_000,
  maxLockMs: 5 * 60_000,
};

type ThrottleConfig = Pick<
  Config,
  'loginFailuresPerAccountAndAddress' | 'loginFailuresPerAccount' | 'loginFailuresPerAddress' | 'loginFailureWindowSeconds' | 'loginLockBaseSeconds' | 'loginLockMaxSeconds'
>;

export function throttleOptionsFromConfig(c: ThrottleConfig): ThrottleOptions {
  return {
    failuresPerAccountAndAddress: c.loginFailuresPerAccountAndAddress,
    failuresPerAccount: c.loginFailuresPerAccount,
    failuresPerAddress: c.loginFailuresPerAddress,
    windowMs: c.loginFailureWindowSeconds * 1000,
    baseLockMs: c.loginLockBaseSeconds * 1000,
    maxLockMs: Math.max(c.loginLockMaxSeconds, c.loginLockBaseSeconds) * 1000,
  };
}

/** How long a successful sign-in makes an account "known" at an address. */
const KNOWN_MS = 30 * 86_400_000;
/** A known pair is refreshed in the database at most this often. */
const KNOWN_REFRESH_MS = 86_400_000;
const CACHE_MS = 1_000;
const CACHE_MAX = 10_000;
const PURGE_EVERY_MS = 10 * 60_000;

/** What `check` found; `success` needs it to know whether anything must be cleared. */
export interface ThrottleVerdict {
  /** Milliseconds until this account may try again from this address; 0 when allowed. */
  waitMs: number;
  /** Which limit holds it back longest (for the message). */
  limit?: 'account and address' | 'account' | 'address';
  /** True when a success has nothing to write (no failures, known pair fresh). */
  clean: boolean;
}

interface Row {
  key: string;
  failures: number;
  window_start: number;
  locked_until: number;
  known_until: number;
}

export class LoginThrottle {
  readonly #db: Db;
  readonly #options: ThrottleOptions;
  readonly #clean = new Map<string, number>();
  #lastPurge = 0;

  constructor(db: Db, options: Partial<ThrottleOptions> = {}) {
    this.#db = db;
    this.#options = { ...DEFAULT_THROTTLE, ...options };
  }

  async check(account: string, address: string, now = Date.now()): Promise<ThrottleVerdict> {
    const k = keys(account, address);
    const cached = this.#clean.get(k.pair);
    if (cached !== undefined && cached > now) return { waitMs: 0, clean: true };
    const rows = await this.#db.selectFrom('login_throttle').selectAll().where('key', 'in', [k.account, k.pair, k.address]).execute();
    const row = (key: string): Row | undefined => rows.find((r) => r.key === key);
    const accountRow = row(k.account);
    const pairRow = row(k.pair);
    const known = pairRow !== undefined && pairRow.known_until > now;
    const lockOf = (r: Row | undefined) => (r && r.locked_until > now ? r.locked_until - now : 0);
    const waits = { 'account and address': lockOf(pairRow), account: lockOf(accountRow), address: known ? 0 : lockOf(row(k.address)) } as const;
    const [limit, waitMs] = Object.entries(waits).reduce((a, b) => (b[1] > a[1] ? b : a)) as [keyof typeof waits, number];
    const clean =
      waitMs === 0 && known && pairRow.failures === 0 && pairRow.known_until - now > KNOWN_MS - KNOWN_REFRESH_MS && (accountRow === undefined || accountRow.failures === 0);
    if (clean) {
      if (this.#clean.size >= CACHE_MAX) this.#clean.clear();
      this.#clean.set(k.pair, now + CACHE_MS);
    }
    return waitMs > 0 ? { waitMs, clean, limit } : { waitMs, clean };
  }

  /** Counts a failed sign-in against the account, the pair and the address. */
  async failure(account: string, address: string, now = Date.now()): Promise<void> {
    const k = keys(account, address);
    this.#clean.delete(k.pair);
    const o = this.#options;
    await this.#fail(k.pair, o.failuresPerAccountAndAddress, now);
    await this.#fail(k.account, o.failuresPerAccount, now);
    await this.#fail(k.address, o.failuresPerAddress, now);
    if (now - this.#lastPurge > PURGE_EVERY_MS) {
      this.#lastPurge = now;
      await this.purge(now);
    }
  }

  /**
   * A correct password: clears the account's and the pair's failures and
   * marks the pair known. Writes nothing when `verdict` says all is clean.
   */
  async success(account: string, address: string, verdict: ThrottleVerdict, now = Date.now()): Promise<void> {
    if (verdict.clean) return;
    const k = keys(account, address);
    await this.#db.deleteFrom('login_throttle').where('key', '=', k.account).execute();
    const known = now + KNOWN_MS;
    await this.#db
      .insertInto('login_throttle')
      .values({ key: k.pair, failures: 0, window_start: now, locked_until: 0, known_until: known, updated_at: now })
      .onConflict((oc) => oc.column('key').doUpdateSet({ failures: 0, window_start: now, locked_until: 0, known_until: known, updated_at: now }))
      .execute();
  }

  /** Deletes records that neither count, lock nor mark a known pair any more. */
  async purge(now = Date.now()): Promise<number> {
    const r = await this.#db
      .deleteFrom('login_throttle')
      .where('window_start', '<=', now - this.#options.windowMs)
      .where('locked_until', '<=', now)
      .where('known_until', '<=', now)
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  async #fail(key: string, threshold: number, now: number): Promise<void> {
    const { windowMs, baseLockMs, maxLockMs } = this.#options;
    // One atomic statement, so concurrent failures (in any process) all count.
    const expired = sql<boolean>`login_throttle.window_start <= ${now - windowMs} and login_throttle.locked_until <= ${now}`;
    const { failures } = await this.#db
      .insertInto('login_throttle')
      .values({ key, failures: 1, window_start: now, locked_until: 0, known_until: 0, updated_at: now })
      .onConflict((oc) =>
        oc.column('key').doUpdateSet({
          failures: sql<number>`case when ${expired} then 1 else login_throttle.failures + 1 end`,
          window_start: sql<number>`case when ${expired} then ${now} else login_throttle.window_start end`,
          updated_at: now,
        }),
      )
      .returning('failures')
      .executeTakeFirstOrThrow();
    const over = Number(failures) - threshold;
    if (over < 0) return;
    const until = now + Math.min(baseLockMs * 2 ** Math.min(over, 40), maxLockMs);
    await this.#db.updateTable('login_throttle').set({ locked_until: until }).where('key', '=', key).where('locked_until', '<', until).execute();
  }
}

/**
 * Row keys: a hash, so that any user name or address (of any length, from
 * an attacker) makes a fixed-size key.
 */
function keys(account: string, address: string): { account: string; pair: string; address: string } {
  const h = (s: string) => createHash('sha256').update(s).digest('hex');
  return { account: h(`account\0${account}`), pair: h(`pair\0${account}\0${address}`), address: h(`address\0${address}`) };
}
