/**
 * Named leases in the database: how several Berth processes on one database
 * agree on who does what (operates an application, runs a singleton task).
 * A lease has one owner (a process instance) until it expires; the owner
 * renews it well before that. An expired lease can be taken by anyone, and
 * each change of hands increments its fencing token, so work done under an
 * old token can be recognised and refused.
 *
 * Acquisition is one statement on both databases: an insert that, on a
 * conflict, takes the row over only when it is expired or already ours
 * (`INSERT … ON CONFLICT DO UPDATE … WHERE`). Times are each process's
 * clock: processes must keep their clocks in sync (NTP) to well within a
 * lease's time to live.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { sql } from 'kysely';
import type { Db } from '../db/schema.ts';

/** A held lease: its fencing token and when it expires unless renewed. */
export interface Lease {
  name: string;
  token: number;
  expiresAt: number;
}

export interface LeaseHolder {
  name: string;
  owner: string;
  token: number;
  expiresAt: number;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._:/@-]{0,254}$/;

/** A per-process id: host, process id and a random part (a restarted process is a new owner). */
export function instanceId(): string {
  return `${os.hostname().slice(0, 60)}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

export class LeaseManager {
  readonly #db: Db;
  readonly owner: string;
  readonly #now: () => number;

  constructor(db: Db, owner: string, options: { now?: () => number } = {}) {
    if (!owner || owner.length > 128) throw new Error('a lease owner is 1 to 128 characters');
    this.#db = db;
    this.owner = owner;
    this.#now = options.now ?? Date.now;
  }

  /** Takes or extends lease `name` for `ttlMs` when it is free, expired or ours; undefined when another owner holds it. */
  async acquire(name: string, ttlMs: number): Promise<Lease | undefined> {
    assertLease(name, ttlMs);
    const now = this.#now();
    const expiresAt = now + ttlMs;
    const row = await this.#db
      .insertInto('leases')
      .values({ name, owner: this.owner, token: 1, acquired_at: now, expires_at: expiresAt })
      .onConflict((oc) =>
        oc
          .column('name')
          .doUpdateSet({
            token: sql<number>`case when leases.owner = excluded.owner then leases.token else leases.token + 1 end`,
            acquired_at: sql<number>`case when leases.owner = excluded.owner then leases.acquired_at else excluded.acquired_at end`,
            owner: (eb) => eb.ref('excluded.owner'),
            expires_at: (eb) => eb.ref('excluded.expires_at'),
          })
          .where((eb) => eb.or([eb('leases.expires_at', '<=', now), eb('leases.owner', '=', this.owner)])),
      )
      .returning(['token', 'expires_at'])
      .executeTakeFirst();
    return row ? { name, token: Number(row.token), expiresAt: Number(row.expires_at) } : undefined;
  }

  /** Extends a lease we hold (with the given token, when given); false when it was lost or released. */
  async renew(name: string, ttlMs: number, token?: number): Promise<boolean> {
    assertLease(name, ttlMs);
    const now = this.#now();
    let q = this.#db.updateTable('leases').set({ expires_at: now + ttlMs }).where('name', '=', name).where('owner', '=', this.owner).where('expires_at', '>', now);
    if (token !== undefined) q = q.where('token', '=', token);
    const r = await q.executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /**
   * Extends every lease this owner holds whose name starts with `prefix`, in
   * one statement; returns the names still held (a lease taken over after
   * expiring is not among them).
   */
  async renewAll(prefix: string, ttlMs: number): Promise<string[]> {
    assertLease(`${prefix}x`, ttlMs);
    const now = this.#now();
    // Only unexpired ones: a released or expired lease is no longer ours to extend.
    await this.#db.updateTable('leases').set({ expires_at: now + ttlMs }).where('owner', '=', this.owner).where('name', 'like', likePrefix(prefix)).where('expires_at', '>', now).execute();
    return this.held(prefix);
  }

  /** Names of unexpired leases this owner holds, starting with `prefix`. */
  async held(prefix: string): Promise<string[]> {
    const rows = await this.#db.selectFrom('leases').select('name').where('owner', '=', this.owner).where('name', 'like', likePrefix(prefix)).where('expires_at', '>', this.#now()).execute();
    return rows.map((r) => r.name);
  }

  /** Unexpired leases starting with `prefix`, whoever holds them. */
  async live(prefix: string): Promise<LeaseHolder[]> {
    const rows = await this.#db.selectFrom('leases').selectAll().where('name', 'like', likePrefix(prefix)).where('expires_at', '>', this.#now()).orderBy('name').execute();
    return rows.map((r) => ({ name: r.name, owner: r.owner, token: Number(r.token), expiresAt: Number(r.expires_at) }));
  }

  /** The current holder of `name`, or undefined when it is free or expired. */
  async holder(name: string): Promise<LeaseHolder | undefined> {
    const r = await this.#db.selectFrom('leases').selectAll().where('name', '=', name).executeTakeFirst();
    if (!r || Number(r.expires_at) <= this.#now()) return undefined;
    return { name: r.name, owner: r.owner, token: Number(r.token), expiresAt: Number(r.expires_at) };
  }

  /**
   * Gives a lease up at once (others need not wait for it to expire). The row
   * stays, expired, so its fencing token keeps growing.
   */
  async release(name: string): Promise<boolean> {
    const r = await this.#db.updateTable('leases').set({ expires_at: 0 }).where('name', '=', name).where('owner', '=', this.owner).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Releases every lease of this owner starting with `prefix` (shutdown). */
  async releaseAll(prefix: string): Promise<number> {
    const r = await this.#db.updateTable('leases').set({ expires_at: 0 }).where('owner', '=', this.owner).where('name', 'like', likePrefix(prefix)).executeTakeFirst();
    return Number(r.numUpdatedRows);
  }
}

function assertLease(name: string, ttlMs: number): void {
  if (!NAME.test(name)) throw new Error(`invalid lease name ${JSON.stringify(name.slice(0, 80))}`);
  if (!Number.isInteger(ttlMs) || ttlMs < 1 || ttlMs > 86_400_000) throw new Error(`lease time to live must be 1 ms to 24 h, not ${ttlMs}`);
}

/** A LIKE pattern for names starting with `prefix` (lease names hold no % or _ wildcards we need). */
function likePrefix(prefix: string): string {
  if (/[%_\\]/.test(prefix)) throw new Error(`lease prefix ${JSON.stringify(prefix)} must not contain %, _ or \\`);
  return `${prefix}%`;
}
