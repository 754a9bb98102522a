/**
 * The domain event bus (contract: ./types.ts). `publish` inserts the event
 * row and one job per durable subscriber of its type (kind
 * `event:<subscriber>`) in the caller's transaction, so subscribers hear of
 * exactly the committed events, through the job platform's retries. It
 * writes no job rows when no subscriber wants the type, and for a frequent
 * type such as `artifact.pulled` nothing at all until some subscriber or
 * listener wants it (every process registers the same ones at start).
 *
 * In-process listeners (`on`) hear events after commit, in every process,
 * best effort: on PostgreSQL through `NOTIFY berth_events` sent in the
 * publishing transaction (delivered at commit, in commit order; the payload
 * carries the event, or its id when too large for a notification); on
 * SQLite (one process, one writer) by tailing `domain_events.seq`.
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../db/schema.ts';
import { newUuidV7 as uuidv7 } from '../../core/ids.ts';
import type { Jobs } from '../jobs/platform.ts';
import type { JobContext, JobKindOptions } from '../jobs/types.ts';
import type { DomainEvent, DomainEventType, EventBus, EventInput } from './types.ts';

export const EVENTS_CHANNEL = 'berth_events';
const SUBSCRIBER = /^[a-z0-9][a-z0-9._-]{0,99}$/;
/** PostgreSQL refuses notification payloads of 8000 bytes or more. */
const MAX_NOTIFY_BYTES = 7000;
const DAY_MS = 86_400_000;
/**
 * Frequent events written only when something subscribes or listens; every
 * other type is always kept in `domain_events` (the event history).
 */
const ONLY_WHEN_WANTED: ReadonlySet<DomainEventType> = new Set(['artifact.pulled']);

export { NO_EVENTS } from './types.ts';

type Listener = (event: DomainEvent) => void;

export interface EventBusOptions {
  log: Logger;
  /** Event rows older than this are purged hourly; default 7, 0 keeps them. */
  retentionDays?: number;
}

export class DomainEvents implements EventBus {
  readonly #db: Kysely<Database>;
  readonly #jobs: Jobs;
  readonly #log: Logger;
  readonly #subscribers = new Map<string, string[]>();
  readonly #listeners = new Map<string, Set<Listener>>();
  #lastSeq: number | undefined;
  #tailing: Promise<void> | undefined;
  #tailAgain = false;

  constructor(db: Kysely<Database>, jobs: Jobs, options: EventBusOptions) {
    this.#db = db;
    this.#jobs = jobs;
    this.#log = options.log.child({ component: 'events' });
    jobs.onChannel(EVENTS_CHANNEL, (payload) => void this.#heard(payload));
    const retentionDays = options.retentionDays ?? 7;
    jobs.register<null>({
      kind: 'events.purge',
      maxAttempts: 3,
      handle: async (_p, ctx) => {
        if (retentionDays <= 0) return;
        const r = await this.#db.deleteFrom('domain_events').where('occurred_at', '<', Date.now() - retentionDays * DAY_MS).executeTakeFirst();
        if (r.numDeletedRows > 0n) ctx.log.info({ removed: Number(r.numDeletedRows), retentionDays }, 'old domain events purged');
      },
    });
    jobs.schedule({ name: 'events.purge', everyMs: 3_600_000, kind: 'events.purge' });
  }

  subscribe<T extends DomainEventType>(name: string, types: readonly T[], handler: (event: DomainEvent<T>, ctx: JobContext) => Promise<void>, options: JobKindOptions = {}): void {
    if (!SUBSCRIBER.test(name)) throw new Error(`invalid subscriber name ${JSON.stringify(name)}`);
    this.#jobs.register<DomainEvent<T>>({ ...options, kind: `event:${name}`, handle: (event, ctx) => handler(event, ctx) });
    for (const type of types) this.#subscribers.set(type, [...(this.#subscribers.get(type) ?? []), name]);
  }

  on<T extends DomainEventType>(types: readonly T[], listener: (event: DomainEvent<T>) => void): () => void {
    const l = listener as Listener;
    for (const type of types) {
      let set = this.#listeners.get(type);
      if (!set) this.#listeners.set(type, (set = new Set()));
      set.add(l);
    }
    return () => {
      for (const type of types) this.#listeners.get(type)?.delete(l);
    };
  }

  /** Before the job platform starts: on SQLite, listeners hear events committed from now on. */
  async start(): Promise<void> {
    if (this.#jobs.queue.postgres || this.#lastSeq !== undefined) return;
    const max = await this.#db.selectFrom('domain_events').select((eb) => eb.fn.max('seq').as('seq')).executeTakeFirst();
    this.#lastSeq = Number(max?.seq ?? 0);
  }

  /** Whether publishing `type` writes anything (some subscriber or listener wants it). */
  wanted(type: DomainEventType): boolean {
    return (this.#subscribers.get(type)?.length ?? 0) > 0 || (this.#listeners.get(type)?.size ?? 0) > 0;
  }

  async publish<T extends DomainEventType>(db: Kysely<Database>, input: EventInput<T>): Promise<void> {
    if (ONLY_WHEN_WANTED.has(input.type) && !this.wanted(input.type)) return;
    const occurredAt = input.occurredAt ?? Date.now();
    const event: DomainEvent<T> = { id: uuidv7(occurredAt), type: input.type, occurredAt, actor: input.actor.slice(0, 255) || 'system', data: input.data };
    const write = async (trx: Kysely<Database>) => {
      await trx.insertInto('domain_events').values({ id: event.id, type: event.type, actor: event.actor, data: JSON.stringify(event.data), occurred_at: occurredAt }).execute();
      for (const subscriber of this.#subscribers.get(event.type) ?? []) await this.#jobs.enqueue(trx, `event:${subscriber}`, event);
      if ((this.#listeners.get(event.type)?.size ?? 0) > 0) {
        const json = JSON.stringify(event);
        await this.#jobs.notify(trx, EVENTS_CHANNEL, Buffer.byteLength(json) < MAX_NOTIFY_BYTES ? json : `id:${event.id}`);
      }
    };
    if (db.isTransaction) await write(db);
    else await db.transaction().execute(write);
  }

  /**
   * The events committed after the event `id`, oldest first (at most
   * `limit`), for a client resuming a stream; undefined when `id` is no
   * longer kept (purged, or never existed), so the client must start over.
   */
  async after(id: string, types: readonly DomainEventType[], limit = 1000): Promise<DomainEvent[] | undefined> {
    const from = await this.#db.selectFrom('domain_events').select('seq').where('id', '=', id).executeTakeFirst();
    if (!from || types.length === 0) return from ? [] : undefined;
    const rows = await this.#db.selectFrom('domain_events').selectAll().where('seq', '>', from.seq).where('type', 'in', [...types]).orderBy('seq').limit(limit).execute();
    return rows.map(toEvent);
  }

  /** Recent events, newest first (diagnostics and tests). */
  async list(filter: { type?: DomainEventType; since?: number }, limit = 100): Promise<DomainEvent[]> {
    let q = this.#db.selectFrom('domain_events').selectAll().orderBy('seq', 'desc').limit(limit);
    if (filter.type) q = q.where('type', '=', filter.type);
    if (filter.since !== undefined) q = q.where('occurred_at', '>=', filter.since);
    return (await q.execute()).map(toEvent);
  }

  async #heard(payload: string): Promise<void> {
    try {
      if (!this.#jobs.queue.postgres) return await this.#tail();
      if (payload.startsWith('id:')) {
        const row = await this.#db.selectFrom('domain_events').selectAll().where('id', '=', payload.slice(3)).executeTakeFirst();
        if (row) this.#dispatch(toEvent(row));
      } else {
        this.#dispatch(JSON.parse(payload) as DomainEvent);
      }
    } catch (err) {
      this.#log.warn({ err }, 'delivering an event to in-process listeners failed');
    }
  }

  /** SQLite: events committed since the last look, in commit order. */
  async #tail(): Promise<void> {
    if (this.#tailing) {
      this.#tailAgain = true;
      return this.#tailing;
    }
    this.#tailing = (async () => {
      do {
        this.#tailAgain = false;
        if (this.#lastSeq === undefined) {
          // The first wakeup comes from a publish whose row is already committed: start just before it.
          const max = await this.#db.selectFrom('domain_events').select((eb) => eb.fn.max('seq').as('seq')).executeTakeFirst();
          this.#lastSeq = Math.max(0, Number(max?.seq ?? 0) - 1);
        }
        const rows = await this.#db.selectFrom('domain_events').selectAll().where('seq', '>', this.#lastSeq).orderBy('seq').limit(500).execute();
        for (const row of rows) {
          this.#lastSeq = Number(row.seq);
          this.#dispatch(toEvent(row));
        }
        if (rows.length === 500) this.#tailAgain = true;
      } while (this.#tailAgain);
    })().finally(() => {
      this.#tailing = undefined;
    });
    return this.#tailing;
  }

  #dispatch(event: DomainEvent): void {
    for (const listener of this.#listeners.get(event.type) ?? []) {
      try {
        listener(event);
      } catch (err) {
        this.#log.warn({ err, type: event.type }, 'an event listener failed');
      }
    }
  }
}

function toEvent(row: { id: string; type: string; actor: string; data: string; occurred_at: number }): DomainEvent {
  return { id: row.id, type: row.type as DomainEventType, actor: row.actor, occurredAt: Number(row.occurred_at), data: JSON.parse(row.data) as DomainEvent['data'] };
}
