/**
 * The durable job platform's contract. Jobs live in the database: enqueued in
 * the transaction of the change that causes them, claimed with an expiring
 * lease (so a dead process's job is taken over, and a job never runs twice at
 * once), retried with backoff, then `failed` with the last error kept.
 * Implementation: ./queue.ts (claims, leases, retries) and ./runner.ts.
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../db/schema.ts';
import type { JobState } from './schema.ts';

export type { JobState };

export interface EnqueueOptions {
  /**
   * At most one job with this key of this kind is queued or running at a
   * time: enqueueing again returns the existing job's id (50 pushes of one
   * digest make one scan job).
   */
  dedupeKey?: string;
  /** Higher runs first; default 0. */
  priority?: number;
  /** Not before this time (epoch ms); default now. */
  runAt?: number;
  /** Overrides the kind's maxAttempts. */
  maxAttempts?: number;
}

export interface JobEnqueuer {
  /**
   * Enqueues a job. Pass the caller's transaction so the job commits (or not)
   * with the change that causes it. Returns the job id (the existing one when
   * deduplicated). `payload` must be JSON-serialisable.
   */
  enqueue(db: Kysely<Database>, kind: string, payload: unknown, options?: EnqueueOptions): Promise<string>;
}

export interface JobContext {
  jobId: string;
  /** 1 on the first run. */
  attempt: number;
  /** Aborted on timeout, cancel, lease loss or shutdown. */
  signal: AbortSignal;
  log: Logger;
}

export interface JobKindOptions {
  /** Jobs of this kind running at once in one process; default 1. */
  concurrency?: number;
  /** Per attempt; default 5 minutes. */
  timeoutMs?: number;
  /** Default 5. */
  maxAttempts?: number;
  /** Exponential backoff with full jitter between attempts; defaults 1 s and 5 min. */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
}

export interface JobKind<P = unknown> extends JobKindOptions {
  kind: string;
  handle(payload: P, ctx: JobContext): Promise<void>;
}

export interface ScheduleDefinition {
  /** Unique name, e.g. `audit.purge`. */
  name: string;
  /** A cron expression (croner syntax; seconds field optional) or an interval in ms. */
  cron?: string;
  everyMs?: number;
  /** The job each due run enqueues; each run happens once across all processes. */
  kind: string;
  payload?: unknown;
}

export interface JobPlatform extends JobEnqueuer {
  /** Registers a kind's handler. Every process registers the same kinds at start. */
  register<P>(kind: JobKind<P>): void;
  schedule(definition: ScheduleDefinition): void;
  /** Starts claiming; idempotent. */
  start(): Promise<void>;
  /** Stops claiming, aborts running jobs' signals after a grace period, releases their leases. */
  stop(): Promise<void>;
}
