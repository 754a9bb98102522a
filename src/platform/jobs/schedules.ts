/**
 * Schedules: every process computes the same slots (cron expressions with
 * croner, or fixed intervals aligned to the epoch) and, when a slot is due,
 * advances `job_schedules.last_slot` with a compare-and-set and enqueues the
 * slot's job in the same transaction. Only the process whose compare-and-set
 * succeeds enqueues, so each slot runs once across processes. At start the
 * latest past slot is caught up when no process enqueued it (a restart after
 * downtime runs maintenance once, not once per missed slot).
 */
import { Cron } from 'croner';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../db/schema.ts';
import type { ScheduleDefinition } from './types.ts';

/** What the scheduler needs of the platform: the dedupe-aware enqueue. */
export type ScheduleEnqueue = (db: Kysely<Database>, kind: string, payload: unknown, options: { dedupeKey: string }) => Promise<string>;

const NAME = /^[a-z0-9][a-z0-9._-]{0,99}$/;
/** setTimeout's limit; a later slot is re-armed on the way. */
const MAX_TIMER_MS = 2 ** 31 - 1;

interface Slots {
  /** The latest slot at or before `now`, if any. */
  previous(now: number): number | undefined;
  /** The first slot after `now`, if any. */
  next(now: number): number | undefined;
}

function slotsOf(def: ScheduleDefinition): Slots {
  if (def.everyMs !== undefined) {
    const every = def.everyMs;
    if (!Number.isInteger(every) || every < 1000) throw new Error(`schedule ${def.name}: everyMs must be an integer of at least 1000`);
    return { previous: (now) => Math.floor(now / every) * every, next: (now) => (Math.floor(now / every) + 1) * every };
  }
  if (!def.cron) throw new Error(`schedule ${def.name}: give cron or everyMs`);
  const cron = new Cron(def.cron, { paused: true });
  return {
    previous: (now) => cron.previousRuns(1, new Date(now + 1))[0]?.getTime(),
    next: (now) => cron.nextRun(new Date(now))?.getTime(),
  };
}

export class Scheduler {
  readonly #db: Kysely<Database>;
  readonly #enqueue: ScheduleEnqueue;
  readonly #log: Logger;
  readonly #schedules = new Map<string, { def: ScheduleDefinition; slots: Slots; timer?: NodeJS.Timeout }>();
  #started = false;

  constructor(db: Kysely<Database>, enqueue: ScheduleEnqueue, log: Logger) {
    this.#db = db;
    this.#enqueue = enqueue;
    this.#log = log;
  }

  add(def: ScheduleDefinition): void {
    if (!NAME.test(def.name)) throw new Error(`invalid schedule name ${JSON.stringify(def.name)}`);
    if (this.#schedules.has(def.name)) throw new Error(`schedule ${def.name} already exists`);
    if ((def.cron === undefined) === (def.everyMs === undefined)) throw new Error(`schedule ${def.name}: give exactly one of cron and everyMs`);
    const entry = { def, slots: slotsOf(def) };
    this.#schedules.set(def.name, entry);
    if (this.#started) void this.#begin(def.name);
  }

  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    await Promise.all([...this.#schedules.keys()].map((name) => this.#begin(name)));
  }

  stop(): void {
    this.#started = false;
    for (const entry of this.#schedules.values()) clearTimeout(entry.timer);
  }

  /**
   * Enqueues `slot` of `name` unless some process already did (or a later
   * slot). Returns whether this call enqueued it.
   */
  async fire(name: string, slot: number): Promise<boolean> {
    const entry = this.#schedules.get(name);
    if (!entry) throw new Error(`unknown schedule ${name}`);
    return this.#db.transaction().execute(async (trx) => {
      const won = await trx
        .insertInto('job_schedules')
        .values({ name, last_slot: slot })
        .onConflict((oc) => oc.column('name').doUpdateSet({ last_slot: slot }).where('job_schedules.last_slot', '<', slot))
        .returning('name')
        .executeTakeFirst();
      if (!won) return false;
      const at = new Date(slot).toISOString();
      await this.#enqueue(trx, entry.def.kind, entry.def.payload ?? null, { dedupeKey: `schedule:${name}:${at}` });
      return true;
    });
  }

  async #begin(name: string): Promise<void> {
    const entry = this.#schedules.get(name);
    if (!entry) return;
    const previous = entry.slots.previous(Date.now());
    if (previous !== undefined) await this.#fireLogged(name, previous);
    this.#arm(name);
  }

  #arm(name: string): void {
    const entry = this.#schedules.get(name);
    if (!entry || !this.#started) return;
    clearTimeout(entry.timer);
    const next = entry.slots.next(Date.now());
    if (next === undefined) return;
    const wait = Math.min(MAX_TIMER_MS, Math.max(0, next - Date.now()));
    entry.timer = setTimeout(() => {
      // The latest due slot, so a late timer never enqueues a stale one.
      const due = entry.slots.previous(Date.now());
      const work = due !== undefined && due >= next ? this.#fireLogged(name, due) : Promise.resolve();
      void work.finally(() => this.#arm(name));
    }, wait);
    entry.timer.unref();
  }

  async #fireLogged(name: string, slot: number): Promise<void> {
    try {
      if (await this.fire(name, slot)) this.#log.debug({ schedule: name, slot: new Date(slot).toISOString() }, 'scheduled job enqueued');
    } catch (err) {
      this.#log.error({ err, schedule: name }, 'enqueueing a scheduled job failed');
    }
  }
}
