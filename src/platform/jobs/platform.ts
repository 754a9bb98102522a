/**
 * The job platform of one process: the queue (./queue.ts), the runner
 * (./runner.ts), the scheduler (./schedules.ts) and the wakeups. An enqueue
 * wakes claimers at once: on PostgreSQL through `NOTIFY berth_jobs` issued in
 * the enqueueing transaction (delivered at commit, dropped on rollback) and
 * heard by every process's LISTEN connection (./notifications.ts); on SQLite
 * (one process) directly, the claim waiting for the single connection until
 * the enqueueing transaction ends. Polling every `pollIntervalMs` is the
 * fallback, so a missed notification only delays a job.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { sql, type Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../db/schema.ts';
import { PgNotifications } from './notifications.ts';
import { JobQueue, type JobRecord } from './queue.ts';
import { JobRunner, type RunnerOptions } from './runner.ts';
import { Scheduler } from './schedules.ts';
import type { EnqueueOptions, JobKind, JobPlatform, ScheduleDefinition } from './types.ts';

export const JOBS_CHANNEL = 'berth_jobs';
const DAY_MS = 86_400_000;

export interface JobPlatformOptions {
  log: Logger;
  /** Default 30 s: a dead process's jobs are taken over this long after its last renewal. */
  leaseMs?: number;
  /** Default 1 s: how often an idle process looks for due jobs without a wakeup. */
  pollIntervalMs?: number;
  /** Finished jobs older than this are purged hourly; default 7, 0 keeps them. */
  retentionDays?: number;
  /** PostgreSQL URL for the LISTEN connection; without it only polling wakes other processes. */
  listenUrl?: string;
  onFinished?: RunnerOptions['onFinished'];
  /** Overrides the lease owner name (hostname:pid:random). */
  owner?: string;
  stopGraceMs?: number;
}

export class Jobs implements JobPlatform {
  readonly queue: JobQueue;
  readonly owner: string;
  readonly #db: Kysely<Database>;
  readonly #runner: JobRunner;
  readonly #scheduler: Scheduler;
  readonly #log: Logger;
  readonly #listenUrl: string | undefined;
  readonly #channelHandlers = new Map<string, (payload: string) => void>();
  #notifications: PgNotifications | undefined;
  #started = false;

  constructor(db: Kysely<Database>, options: JobPlatformOptions) {
    this.#db = db;
    this.#log = options.log;
    this.#listenUrl = options.listenUrl;
    this.queue = new JobQueue(db);
    this.owner = (options.owner ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`).slice(0, 128);
    this.#runner = new JobRunner(this.queue, {
      owner: this.owner,
      leaseMs: options.leaseMs ?? 30_000,
      pollIntervalMs: options.pollIntervalMs ?? 1000,
      log: options.log.child({ component: 'jobs' }),
      ...(options.onFinished ? { onFinished: options.onFinished } : {}),
      ...(options.stopGraceMs !== undefined ? { stopGraceMs: options.stopGraceMs } : {}),
    });
    this.#scheduler = new Scheduler(db, (trx, kind, payload, opts) => this.enqueue(trx, kind, payload, opts), options.log.child({ component: 'schedules' }));
    this.#channelHandlers.set(JOBS_CHANNEL, (payload) => {
      if (payload.startsWith('cancel:')) this.#runner.abortLocal(payload.slice('cancel:'.length));
      else this.#runner.wake();
    });
    const retentionDays = options.retentionDays ?? 7;
    this.register<null>({
      kind: 'jobs.purge',
      maxAttempts: 3,
      handle: async (_payload, ctx) => {
        if (retentionDays <= 0) return;
        const removed = await this.queue.purgeFinished(Date.now() - retentionDays * DAY_MS);
        if (removed > 0) ctx.log.info({ removed, retentionDays }, 'old finished jobs purged');
      },
    });
    this.schedule({ name: 'jobs.purge', everyMs: 3_600_000, kind: 'jobs.purge' });
  }

  async enqueue(db: Kysely<Database>, kind: string, payload: unknown, options: EnqueueOptions = {}): Promise<string> {
    const { id, inserted } = await this.queue.enqueue(db, kind, payload, { ...options, maxAttempts: options.maxAttempts ?? this.#runner.maxAttemptsOf(kind) });
    if (inserted) await this.notify(db, JOBS_CHANNEL, kind);
    return id;
  }

  /**
   * Tells every process (this one included) on `channel` once `db`'s
   * transaction commits: NOTIFY on PostgreSQL; in this process on SQLite.
   */
  async notify(db: Kysely<Database>, channel: string, payload: string): Promise<void> {
    if (this.queue.postgres) await sql`select pg_notify(${channel}, ${payload})`.execute(db);
    else {
      const handler = this.#channelHandlers.get(channel);
      if (handler) setImmediate(() => handler(payload));
    }
  }

  /** Handles notifications of another channel (domain events). Before start(). */
  onChannel(channel: string, handler: (payload: string) => void): void {
    this.#channelHandlers.set(channel, handler);
  }

  register<P>(kind: JobKind<P>): void {
    this.#runner.register(kind);
  }

  schedule(definition: ScheduleDefinition): void {
    this.#scheduler.add(definition);
  }

  get kinds(): string[] {
    return this.#runner.kinds;
  }

  /**
   * Cancels a queued or running job (in `db`'s transaction when given); a
   * running job's signal is aborted in whichever process runs it.
   */
  async cancel(id: string, db: Kysely<Database> = this.#db): Promise<JobRecord> {
    const job = await this.queue.cancel(id, db);
    if (!this.#runner.abortLocal(id)) await this.notify(db, JOBS_CHANNEL, `cancel:${id}`);
    return job;
  }

  /** Queues a failed or cancelled job again (in `db`'s transaction when given). */
  async retry(id: string, db: Kysely<Database> = this.#db): Promise<JobRecord> {
    const job = await this.queue.retry(id, db);
    await this.notify(db, JOBS_CHANNEL, job.kind);
    return job;
  }

  /** The database the platform works in (for callers that audit a cancel or retry in one transaction). */
  get db(): Kysely<Database> {
    return this.#db;
  }

  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    if (this.#listenUrl && this.queue.postgres) {
      this.#notifications = new PgNotifications(this.#listenUrl, this.#channelHandlers, this.#log.child({ component: 'jobs-listen' }), () => this.#runner.wake());
      await this.#notifications.start();
    }
    this.#runner.start();
    await this.#scheduler.start();
  }

  async stop(): Promise<void> {
    if (!this.#started) return;
    this.#started = false;
    this.#scheduler.stop();
    await this.#runner.stop();
    await this.#notifications?.stop();
    this.#notifications = undefined;
  }
}

export function createJobPlatform(db: Kysely<Database>, options: JobPlatformOptions): Jobs {
  return new Jobs(db, options);
}
