/**
 * The live state of one cluster for the kinds Berth manages, kept by
 * list + watch per resource type (client-go's reflector):
 *
 * - initial list, then a watch from the list's resourceVersion, with
 *   bookmarks so that a reconnect resumes from a recent version;
 * - a stream that ends (server timeout) is reopened at once from the last
 *   version seen; errors reconnect with exponential backoff and jitter;
 * - 410 Gone / Expired (the version is older than the server's watch window)
 *   → relist, and the differences between the cache and the new list are
 *   emitted as ADDED / MODIFIED / DELETED changes, so nothing is missed;
 * - every `resyncIntervalMs` each type is relisted the same way (the watch
 *   is stopped, the list compared, the watch restarted from the list's
 *   version): a safety net that emits any change a watch lost. Differences
 *   found by a periodic resync are logged (they should not happen).
 *
 * Memory: objects are kept whole, including metadata.managedFields, because
 * the diff's `managedFieldsManagers` ignore rule needs them; they are
 * commonly 30–60 % of a small object's JSON. `stripManagedFields: true`
 * drops them for caches that never diff.
 *
 * Types whose verbs lack list or watch are skipped with a warning, as are
 * types the credentials may not list (403); `watch()` rejects only when a
 * type's initial list keeps failing for `initialListTimeoutMs`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ClusterCache, KubeObject, LiveChange, ResourceKey, ResourceType, WatchEventType } from '../types.ts';
import { APP_LABEL } from '../types.ts';
import { KubeApiError, isGone, type BerthKubeClient, type WatchEvent } from './client.ts';
import { keyString, resourceKeyOf } from './diff.ts';

export interface CacheLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface LiveStateCacheOptions {
  /** Relist-and-compare period per type; default 10 min; 0 disables. */
  resyncIntervalMs?: number;
  logger?: CacheLogger;
  /** Watch namespaced types in this namespace only (cluster-scoped types are watched whole). */
  namespace?: string;
  /** Only objects matching this label selector (e.g. the APP_LABEL exists). */
  labelSelector?: string;
  /** Drop metadata.managedFields from stored objects (saves memory; breaks managedFieldsManagers diffs). */
  stripManagedFields?: boolean;
  /** Reconnect backoff: first delay and cap, ms; default 250 and 30,000. */
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  /** How long watch() waits for a type's first successful list before rejecting; default 30,000 ms. */
  initialListTimeoutMs?: number;
  /** Server-side watch timeout; default client-go's random 5–10 min. */
  watchTimeoutSeconds?: number;
}

/** The watch primitive and list of a BerthKubeClient: all the cache needs. */
export type CacheClient = Pick<BerthKubeClient, 'list' | 'watch'>;

export interface TypeStats {
  type: ResourceType;
  objects: number;
  resourceVersion: string;
  /** Relists after the initial one: 410 recoveries plus periodic resyncs. */
  relists: number;
  /** Of those, how many after 410 Gone. */
  goneRelists: number;
  /** Changes found by relists (missed by the watch). */
  relistChanges: number;
  watchErrors: number;
  events: number;
}

interface Informer {
  id: string;
  type: ResourceType;
  objects: Map<string, KubeObject>;
  resourceVersion: string;
  listed: boolean;
  resyncRequested: boolean;
  watchAbort: AbortController | undefined;
  stats: TypeStats;
}

const noopLogger: CacheLogger = { info() {}, warn() {}, error() {} };

function typeId(t: ResourceType): string {
  return `${t.group}/${t.kind}`;
}

export class LiveStateCache implements ClusterCache {
  private readonly client: CacheClient;
  private readonly log: CacheLogger;
  private readonly options: LiveStateCacheOptions;
  private readonly informers = new Map<string, Informer>();
  private readonly starting = new Map<string, Promise<void>>();
  private readonly byKey = new Map<string, KubeObject>();
  private readonly appIndex = new Map<string, Set<string>>();
  private readonly listeners = new Set<(change: LiveChange) => void>();
  private readonly stop = new AbortController();
  private resyncTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(client: CacheClient, options: LiveStateCacheOptions = {}) {
    this.client = client;
    this.options = options;
    this.log = options.logger ?? noopLogger;
    const every = options.resyncIntervalMs ?? 600_000;
    if (every > 0) {
      this.resyncTimer = setInterval(() => this.resync(), every);
      this.resyncTimer.unref();
    }
  }

  async watch(types: readonly ResourceType[]): Promise<void> {
    if (this.closed) throw new Error('the live-state cache is closed');
    const waits: Promise<void>[] = [];
    for (const type of types) {
      const id = typeId(type);
      if (this.informers.has(id)) continue;
      const pending = this.starting.get(id);
      if (pending) {
        waits.push(pending);
        continue;
      }
      if (!type.verbs.includes('list') || !type.verbs.includes('watch')) {
        this.log.warn({ group: type.group, kind: type.kind, verbs: type.verbs }, 'live-state cache: type cannot be listed and watched; skipped');
        continue;
      }
      const start = this.start(type).finally(() => this.starting.delete(id));
      this.starting.set(id, start);
      waits.push(start);
    }
    await Promise.all(waits);
  }

  get(key: ResourceKey): KubeObject | undefined {
    return this.byKey.get(keyString(key));
  }

  byApp(appName: string): KubeObject[] {
    const keys = this.appIndex.get(appName);
    if (!keys) return [];
    const out: KubeObject[] = [];
    for (const k of keys) {
      const obj = this.byKey.get(k);
      if (obj) out.push(obj);
    }
    return out;
  }

  subscribe(listener: (change: LiveChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The watched types (skipped ones excluded). */
  watchedTypes(): ResourceType[] {
    return [...this.informers.values()].map((i) => i.type);
  }

  stats(): TypeStats[] {
    return [...this.informers.values()].map((i) => ({ ...i.stats, objects: i.objects.size, resourceVersion: i.resourceVersion }));
  }

  /** Relists every type now (as the periodic resync does); resolves when each has relisted. */
  async resyncNow(): Promise<void> {
    const before = new Map([...this.informers.values()].map((i) => [i.id, i.stats.relists]));
    this.resync();
    while (!this.closed && [...this.informers.values()].some((i) => i.stats.relists === before.get(i.id))) await sleep(20);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stop.abort();
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    for (const inf of this.informers.values()) inf.watchAbort?.abort();
    this.listeners.clear();
  }

  // ------------------------------------------------------------ internals

  private resync(): void {
    for (const inf of this.informers.values()) {
      inf.resyncRequested = true;
      inf.watchAbort?.abort();
    }
  }

  private listOptions(type: ResourceType): { namespace?: string; labelSelector?: string } {
    const o: { namespace?: string; labelSelector?: string } = {};
    if (type.namespaced && this.options.namespace) o.namespace = this.options.namespace;
    if (this.options.labelSelector) o.labelSelector = this.options.labelSelector;
    return o;
  }

  private async start(type: ResourceType): Promise<void> {
    const inf: Informer = {
      id: typeId(type),
      type,
      objects: new Map(),
      resourceVersion: '',
      listed: false,
      resyncRequested: false,
      watchAbort: undefined,
      stats: { type, objects: 0, resourceVersion: '', relists: 0, goneRelists: 0, relistChanges: 0, watchErrors: 0, events: 0 },
    };
    const deadline = Date.now() + (this.options.initialListTimeoutMs ?? 30_000);
    let delay = this.options.backoffInitialMs ?? 250;
    for (;;) {
      if (this.closed) return;
      try {
        await this.relist(inf, false);
        break;
      } catch (err) {
        if (err instanceof KubeApiError && (err.status === 403 || err.status === 405)) {
          this.log.warn({ group: type.group, kind: type.kind, status: err.status, reason: err.reason }, 'live-state cache: type cannot be listed; skipped');
          return;
        }
        if (Date.now() + delay > deadline) throw err;
        this.log.warn({ group: type.group, kind: type.kind, err: errInfo(err) }, 'live-state cache: initial list failed; retrying');
        await this.pause(delay);
        delay = this.nextDelay(delay);
      }
    }
    this.informers.set(inf.id, inf);
    void this.run(inf);
  }

  /** The watch loop of one type, until close(). */
  private async run(inf: Informer): Promise<void> {
    const initial = this.options.backoffInitialMs ?? 250;
    let delay = initial;
    let needsRelist = false;
    let gone = false;
    while (!this.closed) {
      if (needsRelist || inf.resyncRequested) {
        const periodic = inf.resyncRequested && !gone;
        inf.resyncRequested = false;
        try {
          const changes = await this.relist(inf, true);
          inf.stats.relists++;
          if (gone) inf.stats.goneRelists++;
          inf.stats.relistChanges += changes;
          if (periodic && changes > 0) {
            this.log.warn({ group: inf.type.group, kind: inf.type.kind, changes }, 'live-state cache: resync found changes the watch missed');
          } else if (gone) {
            this.log.info({ group: inf.type.group, kind: inf.type.kind, changes }, 'live-state cache: relisted after 410 Gone');
          }
          needsRelist = false;
          gone = false;
        } catch (err) {
          if (this.closed) return;
          this.log.warn({ group: inf.type.group, kind: inf.type.kind, err: errInfo(err) }, 'live-state cache: relist failed; retrying');
          needsRelist = true;
          await this.pause(delay);
          delay = this.nextDelay(delay);
          continue;
        }
      }
      const abort = new AbortController();
      const onStop = () => abort.abort();
      this.stop.signal.addEventListener('abort', onStop);
      inf.watchAbort = abort;
      const started = Date.now();
      try {
        await this.client.watch(
          inf.type,
          {
            resourceVersion: inf.resourceVersion,
            ...this.listOptions(inf.type),
            signal: abort.signal,
            allowWatchBookmarks: true,
            ...(this.options.watchTimeoutSeconds ? { timeoutSeconds: this.options.watchTimeoutSeconds } : {}),
          },
          (ev) => this.onEvent(inf, ev),
        );
        // The server closed the stream (timeout) or we aborted it (resync, close): reopen at once,
        // unless streams keep ending immediately.
        if (!abort.signal.aborted && Date.now() - started < 1000) {
          await this.pause(delay);
          delay = this.nextDelay(delay);
        } else delay = initial;
      } catch (err) {
        if (this.closed) return;
        if (isGone(err)) {
          needsRelist = true;
          gone = true;
          continue;
        }
        inf.stats.watchErrors++;
        this.log.warn({ group: inf.type.group, kind: inf.type.kind, err: errInfo(err) }, 'live-state cache: watch failed; reconnecting');
        await this.pause(delay);
        delay = this.nextDelay(delay);
        if (err instanceof KubeApiError && err.status === 404) needsRelist = true; // the type went away (CRD deleted): relist to notice
      } finally {
        this.stop.signal.removeEventListener('abort', onStop);
        inf.watchAbort = undefined;
      }
    }
  }

  private nextDelay(delay: number): number {
    const max = this.options.backoffMaxMs ?? 30_000;
    return Math.min(max, delay * 2);
  }

  /** Sleeps `ms` ± 20 % jitter; returns early on close(). */
  private async pause(ms: number): Promise<void> {
    const jittered = ms * (0.8 + Math.random() * 0.4);
    try {
      await sleep(jittered, undefined, { signal: this.stop.signal });
    } catch {
      // closed
    }
  }

  /** Lists the type and replaces its objects; emits the differences when `emit`. Returns their number. */
  private async relist(inf: Informer, emit: boolean): Promise<number> {
    const { items, resourceVersion } = await this.client.list(inf.type, this.listOptions(inf.type));
    if (this.closed) return 0;
    let changes = 0;
    const seen = new Set<string>();
    for (const item of items) {
      const k = keyString(resourceKeyOf(item));
      seen.add(k);
      const old = inf.objects.get(k);
      if (old && old.metadata.resourceVersion === item.metadata.resourceVersion) continue;
      this.store(inf, k, item);
      if (emit) {
        changes++;
        this.emit(old ? 'MODIFIED' : 'ADDED', inf.objects.get(k)!);
      }
    }
    for (const [k, old] of inf.objects) {
      if (seen.has(k)) continue;
      this.remove(inf, k);
      if (emit) {
        changes++;
        this.emit('DELETED', old);
      }
    }
    inf.resourceVersion = resourceVersion;
    inf.listed = true;
    return changes;
  }

  private onEvent(inf: Informer, ev: WatchEvent): void {
    const rv = ev.object.metadata?.resourceVersion;
    if (rv) inf.resourceVersion = rv;
    if (ev.type === 'BOOKMARK') return;
    inf.stats.events++;
    const k = keyString(resourceKeyOf(ev.object));
    if (ev.type === 'DELETED') {
      const old = inf.objects.get(k);
      this.remove(inf, k);
      this.emit('DELETED', old ?? ev.object);
      return;
    }
    this.store(inf, k, ev.object);
    this.emit(ev.type, inf.objects.get(k)!);
  }

  private store(inf: Informer, k: string, obj: KubeObject): void {
    if (this.options.stripManagedFields && obj.metadata.managedFields) delete obj.metadata.managedFields;
    const old = inf.objects.get(k);
    const oldApp = old?.metadata.labels?.[APP_LABEL];
    const newApp = obj.metadata.labels?.[APP_LABEL];
    if (oldApp !== newApp) {
      if (oldApp !== undefined) this.unindex(oldApp, k);
      if (newApp !== undefined) {
        let set = this.appIndex.get(newApp);
        if (!set) this.appIndex.set(newApp, (set = new Set()));
        set.add(k);
      }
    }
    inf.objects.set(k, obj);
    this.byKey.set(k, obj);
  }

  private remove(inf: Informer, k: string): void {
    const old = inf.objects.get(k);
    if (!old) return;
    const app = old.metadata.labels?.[APP_LABEL];
    if (app !== undefined) this.unindex(app, k);
    inf.objects.delete(k);
    this.byKey.delete(k);
  }

  private unindex(app: string, k: string): void {
    const set = this.appIndex.get(app);
    if (!set) return;
    set.delete(k);
    if (set.size === 0) this.appIndex.delete(app);
  }

  private emit(type: WatchEventType, object: KubeObject): void {
    for (const listener of this.listeners) {
      try {
        listener({ type, object });
      } catch (err) {
        this.log.error({ err: errInfo(err) }, 'live-state cache: a change listener threw');
      }
    }
  }
}

function errInfo(err: unknown): object {
  if (err instanceof KubeApiError) return { status: err.status, reason: err.reason, message: err.message };
  return { message: err instanceof Error ? err.message : String(err) };
}
