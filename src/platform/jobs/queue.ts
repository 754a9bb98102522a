/**
 * The jobs table's state machine: enqueue, claim with a lease, renew,
 * finish (fenced: only the current lease holder's outcome counts), expired
 * lease takeover, cancel, retry, list, purge. No timers and no handlers
 * here (./runner.ts runs jobs; ./schedules.ts enqueues scheduled ones).
 *
 * A claim is fenced by (lease_owner, attempts): `attempts` grows with every
 * claim, so a process whose lease expired and was taken over can no longer
 * renew or finish the job, even if it is the same process claiming again.
 */
import { sql, type Kysely } from 'kysely';
import { DomainError } from '../../core/errors.ts';
import { isPostgres } from '../db/column-types.ts';
import type { Database } from '../db/schema.ts';
import { newUuidV7 as uuidv7 } from '../../core/ids.ts';
import type { JobTable } from './schema.ts';
import type { EnqueueOptions, JobState } from './types.ts';

export const JOB_STATES: readonly JobState[] = ['queued', 'running', 'succeeded', 'failed', 'cancelled'];
export const DEFAULT_MAX_ATTEMPTS = 5;
const KIND = /^[a-z0-9][a-z0-9._:-]{0,127}$/;
const MAX_PAYLOAD_BYTES = 1024 * 1024;
const MAX_ERROR_CHARS = 4000;

const KINDS = { BAD_REQUEST: 'invalid', NOT_FOUND: 'not_found', CONFLICT: 'conflict' } as const;

/** Refused input or a state change that does not apply: a DomainError, so the API answers it as such. */
export class JobError extends DomainError {
  readonly code: keyof typeof KINDS;
  constructor(code: JobError['code'], message: string) {
    super(KINDS[code], message);
    this.name = 'JobError';
    this.code = code;
  }
}

/** A job as the API and CLI show it. */
export interface JobRecord {
  id: string;
  kind: string;
  payload: unknown;
  state: JobState;
  priority: number;
  runAt: number;
  attempts: number;
  maxAttempts: number;
  dedupeKey: string | null;
  leaseOwner: string | null;
  leaseExpiresAt: number | null;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
  startedAt: number | null;
  finishedAt: number | null;
}

/** What a claim hands the runner; (owner, attempt) is the fence. */
export interface Claim {
  id: string;
  kind: string;
  payload: string;
  attempt: number;
  maxAttempts: number;
  owner: string;
  leaseExpiresAt: number;
}

export interface JobFilter {
  kind?: string;
  state?: JobState;
}

export function assertKind(kind: string): void {
  if (!KIND.test(kind)) throw new JobError('BAD_REQUEST', `invalid job kind ${JSON.stringify(kind.slice(0, 80))}: [a-z0-9._:-], at most 128 characters`);
}

function activeKey(kind: string, dedupeKey: string | null): string | null {
  return dedupeKey === null ? null : `${kind}\n${dedupeKey}`;
}

function toRecord(row: JobTable): JobRecord {
  return {
    id: row.id,
    kind: row.kind,
    payload: JSON.parse(row.payload) as unknown,
    state: row.state,
    priority: Number(row.priority),
    runAt: Number(row.run_at),
    attempts: Number(row.attempts),
    maxAttempts: Number(row.max_attempts),
    dedupeKey: row.dedupe_key,
    leaseOwner: row.lease_owner,
    leaseExpiresAt: row.lease_expires_at === null ? null : Number(row.lease_expires_at),
    lastError: row.last_error,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    startedAt: row.started_at === null ? null : Number(row.started_at),
    finishedAt: row.finished_at === null ? null : Number(row.finished_at),
  };
}

function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message || error.name : String(error);
  return text.length > MAX_ERROR_CHARS ? `${text.slice(0, MAX_ERROR_CHARS)}…` : text;
}

export class JobQueue {
  readonly #db: Kysely<Database>;
  readonly #postgres: boolean;

  constructor(db: Kysely<Database>) {
    this.#db = db;
    this.#postgres = isPostgres(db as unknown as Kysely<unknown>);
  }

  get postgres(): boolean {
    return this.#postgres;
  }

  /**
   * Inserts a queued job in `db` (the caller's transaction, or the pool).
   * With a dedupe key, an active job of the same kind and key wins: its id
   * is returned and nothing is inserted.
   */
  async enqueue(db: Kysely<Database>, kind: string, payload: unknown, options: EnqueueOptions & { maxAttempts: number }): Promise<{ id: string; inserted: boolean }> {
    assertKind(kind);
    const json = JSON.stringify(payload ?? null);
    if (Buffer.byteLength(json) > MAX_PAYLOAD_BYTES) throw new JobError('BAD_REQUEST', `job payload of ${kind} exceeds ${MAX_PAYLOAD_BYTES} bytes`);
    const dedupeKey = options.dedupeKey ?? null;
    if (dedupeKey !== null && (dedupeKey.length === 0 || dedupeKey.length > 255)) throw new JobError('BAD_REQUEST', 'a dedupe key has 1 to 255 characters');
    const now = Date.now();
    const id = uuidv7(now);
    const key = activeKey(kind, dedupeKey);
    const inserted = await db
      .insertInto('jobs')
      .values({
        id,
        kind,
        payload: json,
        state: 'queued',
        priority: Math.trunc(options.priority ?? 0),
        run_at: options.runAt ?? now,
        attempts: 0,
        max_attempts: Math.max(1, Math.trunc(options.maxAttempts)),
        dedupe_key: dedupeKey,
        active_key: key,
        lease_owner: null,
        lease_expires_at: null,
        last_error: null,
        created_at: now,
        updated_at: now,
        started_at: null,
        finished_at: null,
      })
      .onConflict((oc) => oc.column('active_key').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (inserted) return { id, inserted: true };
    const existing = await db.selectFrom('jobs').select('id').where('active_key', '=', key).executeTakeFirst();
    // The active job finished between the insert and this read: enqueue anew.
    if (!existing) return this.enqueue(db, kind, payload, options);
    return { id: existing.id, inserted: false };
  }

  /**
   * Claims the most urgent due job of one of `kinds` (priority, then due
   * time): running, leased to `owner` until now + leaseMs, attempt counted.
   * PostgreSQL skips rows other claimers hold (FOR UPDATE SKIP LOCKED);
   * SQLite has one writer, so the nested select and update are atomic.
   */
  async claim(owner: string, kinds: readonly string[], leaseMs: number, now = Date.now()): Promise<Claim | undefined> {
    if (kinds.length === 0) return undefined;
    const expires = now + leaseMs;
    const lock = this.#postgres ? sql`for update skip locked` : sql``;
    const result = await sql<{ id: string; kind: string; payload: string; attempts: number; max_attempts: number }>`
      update jobs set state = 'running', lease_owner = ${owner}, lease_expires_at = ${expires},
        attempts = attempts + 1, started_at = ${now}, updated_at = ${now}
      where id = (
        select id from jobs
        where state = 'queued' and run_at <= ${now} and kind in (${sql.join(kinds)})
        order by priority desc, run_at, id
        limit 1 ${lock})
      returning id, kind, payload, attempts, max_attempts`.execute(this.#db);
    const row = result.rows[0];
    if (!row) return undefined;
    return { id: row.id, kind: row.kind, payload: row.payload, attempt: Number(row.attempts), maxAttempts: Number(row.max_attempts), owner, leaseExpiresAt: expires };
  }

  #fenced(claim: Claim) {
    return this.#db.updateTable('jobs').where('id', '=', claim.id).where('state', '=', 'running').where('lease_owner', '=', claim.owner).where('attempts', '=', claim.attempt);
  }

  /** Extends the lease; false when it is no longer this claim's (expired and taken over, or cancelled). */
  async renew(claim: Claim, leaseMs: number, now = Date.now()): Promise<boolean> {
    const r = await this.#fenced(claim).set({ lease_expires_at: now + leaseMs, updated_at: now }).executeTakeFirst();
    return r.numUpdatedRows > 0n;
  }

  async succeed(claim: Claim, now = Date.now()): Promise<boolean> {
    const r = await this.#fenced(claim)
      .set({ state: 'succeeded', active_key: null, lease_owner: null, lease_expires_at: null, finished_at: now, updated_at: now })
      .executeTakeFirst();
    return r.numUpdatedRows > 0n;
  }

  /** A failed attempt: queued again at `retryAt`, or `failed` for good when retryAt is undefined. */
  async fail(claim: Claim, error: unknown, retryAt: number | undefined, now = Date.now()): Promise<boolean> {
    const lastError = errorText(error);
    const update =
      retryAt === undefined
        ? { state: 'failed' as const, active_key: null, lease_owner: null, lease_expires_at: null, last_error: lastError, finished_at: now, updated_at: now }
        : { state: 'queued' as const, run_at: retryAt, lease_owner: null, lease_expires_at: null, last_error: lastError, updated_at: now };
    const r = await this.#fenced(claim).set(update).executeTakeFirst();
    return r.numUpdatedRows > 0n;
  }

  /** Gives a claim back without counting it (graceful shutdown). */
  async release(claim: Claim, now = Date.now()): Promise<boolean> {
    const r = await this.#fenced(claim)
      .set({ state: 'queued', run_at: now, attempts: claim.attempt - 1, lease_owner: null, lease_expires_at: null, updated_at: now })
      .executeTakeFirst();
    return r.numUpdatedRows > 0n;
  }

  /**
   * Running jobs whose lease expired (their process died or stalled) become
   * claimable at once, or `failed` when their attempts are used up.
   */
  async takeOverExpired(now = Date.now()): Promise<number> {
    const message = 'lease expired: the process running it stopped or stalled';
    const exhausted = await this.#db
      .updateTable('jobs')
      .set({ state: 'failed', active_key: null, lease_owner: null, lease_expires_at: null, last_error: message, finished_at: now, updated_at: now })
      .where('state', '=', 'running')
      .where('lease_expires_at', '<', now)
      .whereRef('attempts', '>=', 'max_attempts')
      .executeTakeFirst();
    const requeued = await this.#db
      .updateTable('jobs')
      .set({ state: 'queued', run_at: now, lease_owner: null, lease_expires_at: null, last_error: message, updated_at: now })
      .where('state', '=', 'running')
      .where('lease_expires_at', '<', now)
      .executeTakeFirst();
    return Number(exhausted.numUpdatedRows + requeued.numUpdatedRows);
  }

  /** Cancels a queued or running job (a running one's process notices at its next renewal). */
  async cancel(id: string, db: Kysely<Database> = this.#db, now = Date.now()): Promise<JobRecord> {
    const r = await db
      .updateTable('jobs')
      .set({ state: 'cancelled', active_key: null, lease_owner: null, lease_expires_at: null, finished_at: now, updated_at: now })
      .where('id', '=', id)
      .where('state', 'in', ['queued', 'running'])
      .executeTakeFirst();
    const row = await db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new JobError('NOT_FOUND', `job ${id} not found`);
    if (r.numUpdatedRows === 0n) throw new JobError('CONFLICT', `job ${id} is ${row.state}: only queued or running jobs can be cancelled`);
    return toRecord(row);
  }

  /** Queues a failed or cancelled job again with fresh attempts. */
  async retry(id: string, db: Kysely<Database> = this.#db, now = Date.now()): Promise<JobRecord> {
    const run = async (trx: Kysely<Database>) => {
      const row = await trx.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) throw new JobError('NOT_FOUND', `job ${id} not found`);
      if (row.state !== 'failed' && row.state !== 'cancelled') throw new JobError('CONFLICT', `job ${id} is ${row.state}: only failed or cancelled jobs can be retried`);
      const key = activeKey(row.kind, row.dedupe_key);
      if (key !== null) {
        const active = await trx.selectFrom('jobs').select('id').where('active_key', '=', key).executeTakeFirst();
        if (active) throw new JobError('CONFLICT', `job ${active.id} with the same dedupe key is already queued or running`);
      }
      await trx
        .updateTable('jobs')
        .set({ state: 'queued', run_at: now, attempts: 0, active_key: key, finished_at: null, updated_at: now })
        .where('id', '=', id)
        .where('state', '=', row.state)
        .execute();
      return toRecord({ ...row, state: 'queued', run_at: now, attempts: 0, active_key: key, finished_at: null, updated_at: now });
    };
    return db.isTransaction ? run(db) : this.#db.transaction().execute(run);
  }

  async find(id: string): Promise<JobRecord | undefined> {
    const row = await this.#db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toRecord(row);
  }

  async get(id: string): Promise<JobRecord> {
    const job = await this.find(id);
    if (!job) throw new JobError('NOT_FOUND', `job ${id} not found`);
    return job;
  }

  /** Newest first. */
  async list(filter: JobFilter, page: { page: number; pageSize: number }): Promise<{ items: JobRecord[]; total: number }> {
    let q = this.#db.selectFrom('jobs');
    if (filter.kind) q = q.where('kind', '=', filter.kind);
    if (filter.state) q = q.where('state', '=', filter.state);
    const [rows, count] = await Promise.all([
      q.selectAll().orderBy('id', 'desc').limit(page.pageSize).offset((page.page - 1) * page.pageSize).execute(),
      q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(toRecord), total: Number(count.n) };
  }

  /** Jobs per kind and state (the queue depth metric). */
  async depth(): Promise<Array<{ kind: string; state: JobState; count: number }>> {
    const rows = await this.#db.selectFrom('jobs').select(['kind', 'state', (eb) => eb.fn.countAll<number>().as('n')]).groupBy(['kind', 'state']).execute();
    return rows.map((r) => ({ kind: r.kind, state: r.state, count: Number(r.n) }));
  }

  /** Deletes finished jobs (succeeded, failed, cancelled) older than `before`. */
  async purgeFinished(before: number): Promise<number> {
    const r = await this.#db.deleteFrom('jobs').where('state', 'in', ['succeeded', 'failed', 'cancelled']).where('finished_at', '<', before).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
