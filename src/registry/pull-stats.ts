/**
 * Pull counts and pull times of manifests, recorded without slowing pulls:
 * a manifest GET only bumps an in-memory counter (`note`); the counters are
 * written every `flushIntervalMs` (default 1 s), or at once when
 * `maxEntries` distinct manifests are waiting, as aggregated increments in
 * one transaction, and on shutdown (`close`).
 *
 * Best effort by design, like Harbor's: a crash loses at most the last
 * interval's pulls, a failed write is retried with the next flush (beyond
 * 4 × maxEntries waiting, new pulls are dropped and counted), and several
 * processes each add their own increments (additive, so nothing is lost
 * between them). Pulls of a manifest deleted before the flush vanish.
 */
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { Counter, Histogram, type Registry as PromRegistry } from 'prom-client';
import type { Db } from '../platform/db/schema.ts';

export interface PullStatsOptions {
  flushIntervalMs?: number;
  /** Distinct waiting manifests that trigger an immediate flush; default 1,000. */
  maxEntries?: number;
  metrics?: PromRegistry;
  onError?: (err: unknown) => void;
}

interface Pending {
  repository: string;
  digest: string;
  count: number;
  last: number;
}

export class PullStats {
  readonly #db: Db;
  readonly #interval: number;
  readonly #maxEntries: number;
  readonly #onError: (err: unknown) => void;
  #pending = new Map<string, Pending>();
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;
  #closed = false;
  readonly #recorded: Counter | undefined;
  readonly #dropped: Counter | undefined;
  readonly #written: Counter | undefined;
  readonly #flushSeconds: Histogram | undefined;

  constructor(db: Db, options: PullStatsOptions = {}) {
    this.#db = db;
    this.#interval = options.flushIntervalMs ?? 1000;
    this.#maxEntries = options.maxEntries ?? 1000;
    this.#onError = options.onError ?? (() => {});
    const registers = options.metrics ? [options.metrics] : [];
    if (options.metrics) {
      this.#recorded = new Counter({ name: 'berth_artifact_pulls_recorded_total', help: 'Manifest pulls noted for the pull count', registers });
      this.#dropped = new Counter({ name: 'berth_artifact_pulls_dropped_total', help: 'Manifest pulls not counted because the pull count writes kept failing', registers });
      this.#written = new Counter({ name: 'berth_artifact_pull_stats_rows_total', help: 'Aggregated pull count updates written (one per manifest per flush)', registers });
      this.#flushSeconds = new Histogram({ name: 'berth_artifact_pull_stats_flush_seconds', help: 'Duration of one pull count flush', buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5], registers });
    }
  }

  /** Counts one pull of `digest` in `repository`; never throws, never waits. */
  note(repository: string, digest: string, at: number = Date.now()): void {
    if (this.#closed) return;
    const key = `${repository}@${digest}`;
    const hit = this.#pending.get(key);
    this.#recorded?.inc();
    if (hit) {
      hit.count++;
      if (at > hit.last) hit.last = at;
      return;
    }
    if (this.#pending.size >= this.#maxEntries * 4) {
      this.#dropped?.inc();
      return;
    }
    this.#pending.set(key, { repository, digest, count: 1, last: at });
    if (this.#pending.size >= this.#maxEntries) void this.flush().catch(this.#onError);
    else this.#timer ??= setTimeout(() => void this.flush().catch(this.#onError), this.#interval).unref();
  }

  /** Pulls noted and not yet written. */
  get waiting(): number {
    let n = 0;
    for (const p of this.#pending.values()) n += p.count;
    return n;
  }

  /** Writes what is waiting now (after any flush already running). */
  async flush(): Promise<void> {
    while (this.#flushing) await this.#flushing.catch(() => {});
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (this.#pending.size === 0) return;
    const batch = this.#pending;
    this.#pending = new Map();
    this.#flushing = this.#write([...batch.values()]).then(
      () => this.#written?.inc(batch.size),
      (err: unknown) => {
        // Keep the counts for the next flush, merged with what came meanwhile.
        for (const [key, p] of batch) {
          const now = this.#pending.get(key);
          if (now) {
            now.count += p.count;
            now.last = Math.max(now.last, p.last);
          } else this.#pending.set(key, p);
        }
        if (!this.#closed) this.#timer ??= setTimeout(() => void this.flush().catch(this.#onError), this.#interval).unref();
        throw err;
      },
    );
    try {
      await this.#flushing;
    } finally {
      this.#flushing = undefined;
    }
  }

  async #write(batch: Pending[]): Promise<void> {
    const started = performance.now();
    const perRepository = new Map<string, number>();
    for (const p of batch) perRepository.set(p.repository, (perRepository.get(p.repository) ?? 0) + p.count);
    await this.#db.transaction().execute(async (trx) => {
      for (const p of batch) {
        await trx
          .updateTable('manifests')
          .set({
            pull_count: sql<number>`pull_count + cast(${p.count} as bigint)`,
            pull_time: sql<number>`case when pull_time is null or pull_time < cast(${p.last} as bigint) then cast(${p.last} as bigint) else pull_time end`,
          })
          .where('repository', '=', p.repository)
          .where('digest', '=', p.digest)
          .execute();
      }
      for (const [repository, count] of perRepository) {
        await trx.updateTable('repositories').set({ pull_count: sql<number>`pull_count + cast(${count} as bigint)` }).where('name', '=', repository).execute();
      }
    });
    this.#flushSeconds?.observe((performance.now() - started) / 1000);
  }

  /** Stops taking pulls and writes what is waiting (clean shutdown). */
  async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
  }
}
