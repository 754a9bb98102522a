/**
 * Which process operates which application, when several Berth processes
 * share one database: each application has a lease `app:<name>`, and only
 * its holder compares it on its own schedule, decides automated syncs and
 * runs its operations. Each process also holds `instance:<id>` while it
 * lives; the number of live instances gives a fair share (the applications
 * divided by the processes, rounded up). A process below its share takes
 * free or expired application leases; one above it (a process joined) gives
 * idle ones up. A process that dies stops renewing: after the lease time its
 * applications are taken by the others, which resume its operations.
 */
import type { Logger } from 'pino';
import type { LeaseManager } from '../../platform/leases/leases.ts';

export interface OwnershipHooks {
  /** Every application this process knows (from the database). */
  apps(): Iterable<string>;
  /** This process now operates `app`. */
  gained(app: string): void;
  /** This process no longer operates `app` (released, or lost after not renewing in time). */
  lost(app: string): void;
  /** An operation of `app` runs here: its lease is not given up. */
  busy(app: string): boolean;
}

const APP = 'app:';
const INSTANCE = 'instance:';

export class AppOwnership {
  readonly #leases: LeaseManager;
  readonly #ttlMs: number;
  readonly #hooks: OwnershipHooks;
  readonly #logger: Logger;
  readonly #owned = new Set<string>();
  #timer?: NodeJS.Timeout;
  #running?: Promise<void>;
  #stopped = false;

  constructor(leases: LeaseManager, ttlMs: number, hooks: OwnershipHooks, logger: Logger) {
    this.#leases = leases;
    this.#ttlMs = ttlMs;
    this.#hooks = hooks;
    this.#logger = logger;
  }

  get instance(): string {
    return this.#leases.owner;
  }

  owns(app: string): boolean {
    return this.#owned.has(app);
  }

  get ownedCount(): number {
    return this.#owned.size;
  }

  /** Takes this process's share now, then keeps it every third of the lease time. */
  async start(): Promise<void> {
    await this.balance();
    this.#timer = setInterval(() => void this.balance(), Math.max(100, Math.floor(this.#ttlMs / 3)));
    this.#timer.unref();
  }

  /** Gives every lease up at once, so the other processes take over without waiting. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    await this.#running;
    for (const app of this.#owned) this.#hooks.lost(app);
    this.#owned.clear();
    await this.#leases.releaseAll(APP).catch(() => 0);
    await this.#leases.release(`${INSTANCE}${this.instance}`).catch(() => false);
  }

  /** Whether process `owner` is alive (holds its instance lease). */
  async alive(owner: string): Promise<boolean> {
    return (await this.#leases.holder(`${INSTANCE}${owner}`)) !== undefined;
  }

  /** One round: renew, then take or give up leases towards the fair share. */
  balance(): Promise<void> {
    this.#running ??= this.#balance()
      .catch((err: unknown) => this.#logger.warn({ err }, 'application lease round failed'))
      .finally(() => (this.#running = undefined));
    return this.#running;
  }

  async #balance(): Promise<void> {
    if (this.#stopped) return;
    await this.#leases.acquire(`${INSTANCE}${this.instance}`, this.#ttlMs);
    const held = new Set((await this.#leases.renewAll(APP, this.#ttlMs)).map((n) => n.slice(APP.length)));
    for (const app of this.#owned) {
      if (!held.has(app)) {
        this.#owned.delete(app);
        this.#logger.warn({ app }, 'lost the lease of an application (not renewed in time); another process operates it now');
        this.#hooks.lost(app);
      }
    }
    const known = new Set(this.#hooks.apps());
    for (const app of held) {
      if (!known.has(app)) {
        await this.#leases.release(`${APP}${app}`); // deleted
        held.delete(app);
        this.#owned.delete(app);
      } else if (!this.#owned.has(app)) {
        this.#owned.add(app);
        this.#hooks.gained(app);
      }
    }
    const instances = Math.max(1, (await this.#leases.live(INSTANCE)).length);
    const share = Math.ceil(known.size / instances);
    if (this.#owned.size > share) {
      const spare = [...this.#owned].filter((a) => !this.#hooks.busy(a)).slice(0, this.#owned.size - share);
      for (const app of spare) {
        this.#owned.delete(app);
        this.#hooks.lost(app);
        await this.#leases.release(`${APP}${app}`);
      }
      return;
    }
    if (this.#owned.size >= share) return;
    const taken = new Set((await this.#leases.live(APP)).map((l) => l.name.slice(APP.length)));
    const free = shuffle([...known].filter((a) => !taken.has(a)));
    for (const app of free) {
      if (this.#owned.size >= share || this.#stopped) break;
      if (await this.#leases.acquire(`${APP}${app}`, this.#ttlMs)) {
        this.#owned.add(app);
        this.#hooks.gained(app);
      }
    }
  }
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}
