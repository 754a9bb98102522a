/**
 * The delivery engine: keeps every application compared with its cluster
 * (on changes seen by the watch caches, on Git webhooks, and by polling),
 * runs sync operations (manual, automated, self-heal, rollback) with retries,
 * and records history. Prune safety: an operation whose comparison failed —
 * repository unreachable, rendering failed — applies and deletes nothing,
 * and an empty rendering never prunes unless allowEmpty says so.
 */
import { createHash } from 'node:crypto';
import { AccessError, notFound } from '../../access/errors.ts';
import { diffObjects, keyString, resourceKeyOf } from '../kube/diff.ts';
import { preciseNow } from '../git/repo-cache.ts';
import { normalizeRepoUrl } from '../git/urls.ts';
import { parseDurationMs, type ApplicationSource } from '../model.ts';
import { isHook } from '../sync/plan.ts';
import {
  APP_LABEL,
  type ApplicationRecord, type ApplicationStatus, type DeliveryEngine, type HistoryEntry, type LiveChange, type OperationState, type PropagationPolicy,
  type ResourceDiff, type SyncRequest, type SyncTrigger,
} from '../types.ts';
import { DEFAULT_ENGINE_OPTIONS, errorMessage as message, type Compared, type EngineDeps, type EngineOptions, type Runtime } from './app-state.ts';
import { ClusterHandles } from './clusters.ts';
import { compareApp } from './compare-app.ts';
import { syncOnce, type SyncContext } from './sync-app.ts';
import { Semaphore, WorkQueue } from './work-queue.ts';

export { DEFAULT_ENGINE_OPTIONS, type EngineDeps, type EngineObserver, type EngineOptions, type EngineStore } from './app-state.ts';

/** How long live changes of one app are gathered before it is compared. */
const LIVE_CHANGE_COALESCE_MS = 150;

const sourceHash = (s: ApplicationSource) => createHash('sha256').update(JSON.stringify(s)).digest('hex').slice(0, 16);

export class GitOpsEngine implements DeliveryEngine {
  readonly #deps: EngineDeps;
  readonly #options: EngineOptions;
  readonly #apps = new Map<string, Runtime>();
  readonly #tombstones = new Map<string, ApplicationRecord>();
  readonly #queue: WorkQueue;
  readonly #operations: Semaphore;
  readonly #clusters: ClusterHandles;
  readonly #syncContext: SyncContext;
  #ticker?: NodeJS.Timeout;
  #unsubscribe?: () => void;

  constructor(deps: EngineDeps, options: Partial<EngineOptions> = {}) {
    this.#deps = deps;
    this.#options = { ...DEFAULT_ENGINE_OPTIONS, ...options };
    this.#queue = new WorkQueue((name) => this.#reconcile(name), this.#options.statusProcessors, (name, err) => deps.logger.error({ app: name, err }, 'reconcile failed'));
    this.#operations = new Semaphore(this.#options.operationProcessors);
    this.#clusters = new ClusterHandles(deps.clusters, deps.connect, (change) => this.#liveChanged(change), deps.inCluster);
    this.#syncContext = { deps, options: this.#options, compare: (rt, source, revision, maxAgeMs) => this.#compare(rt, source, revision, maxAgeMs, false) };
  }

  async start(): Promise<void> {
    this.#unsubscribe = this.#deps.store.onChange((name, record) => this.#recordChanged(name, record));
    for (const record of await this.#deps.store.listAll()) {
      const status = await this.#deps.store.loadStatus(record.name);
      this.#apps.set(record.name, this.#runtime(record, status));
      this.#queue.add(record.name);
    }
    this.#ticker = setInterval(() => this.#tick(), 1000);
    this.#ticker.unref();
  }

  async close(): Promise<void> {
    clearInterval(this.#ticker);
    this.#unsubscribe?.();
    for (const rt of this.#apps.values()) {
      clearTimeout(rt.selfHealTimer);
      clearTimeout(rt.liveTimer);
      rt.operation?.abort.abort();
    }
    await this.#queue.close();
    await Promise.allSettled([...this.#apps.values()].flatMap((rt) => (rt.operation ? [rt.operation.promise] : [])));
    await this.#clusters.close();
  }

  /**
   * The registration of cluster `name` changed (added, updated, removed): its
   * client and cache are dropped (made again on use), other clusters' stay.
   * Every app is compared again, since destinations may name it by server.
   */
  async clustersChanged(name: string): Promise<void> {
    await this.#clusters.forgetCluster(name);
    for (const rt of this.#apps.values()) rt.memo.clear();
    for (const app of this.#apps.keys()) this.#queue.add(app);
  }

  /** Apps waiting or being compared, for tests and metrics. */
  get pending(): number {
    return this.#queue.size;
  }

  #runtime(record: ApplicationRecord, status?: ApplicationStatus): Runtime {
    return {
      record,
      status: status ?? { sync: { status: 'Unknown' }, health: { status: 'Unknown' }, resources: [], conditions: [], reconciledAt: 0 },
      memo: new Map(),
      managedTypes: new Map(),
      nextReconcileAt: this.#nextPoll(),
      fetchNext: false,
      hardNext: false,
    };
  }

  #nextPoll(): number {
    return Date.now() + this.#options.reconcileIntervalMs + Math.floor(Math.random() * this.#options.jitterMs);
  }

  #tick(): void {
    const now = Date.now();
    for (const [name, rt] of this.#apps) {
      if (now >= rt.nextReconcileAt) {
        rt.nextReconcileAt = this.#nextPoll();
        rt.pollSince = preciseNow();
        this.#queue.add(name);
      }
    }
  }

  #recordChanged(name: string, record: ApplicationRecord | undefined): void {
    const rt = this.#apps.get(name);
    if (!record) {
      if (rt) {
        this.#tombstones.set(name, rt.record);
        setTimeout(() => this.#tombstones.delete(name), 60_000).unref();
        clearTimeout(rt.selfHealTimer);
        clearTimeout(rt.liveTimer);
        rt.operation?.abort.abort();
        this.#apps.delete(name);
      }
      return;
    }
    if (rt) {
      rt.record = record;
      rt.memo.clear();
    } else {
      this.#apps.set(name, this.#runtime(record));
    }
    this.#queue.add(name);
  }

  /**
   * A managed object changed in the cluster. A sync produces a burst of events
   * per object (created, then status updates as Pods come up): they are
   * coalesced into one comparison per app after a short pause, and none runs
   * while the app's own operation is still writing (it compares when done).
   */
  #liveChanged(change: LiveChange): void {
    const app = change.object.metadata.labels?.[APP_LABEL];
    const rt = app === undefined ? undefined : this.#apps.get(app);
    if (!rt || rt.liveTimer || rt.operation) return;
    rt.liveTimer = setTimeout(() => {
      rt.liveTimer = undefined;
      if (this.#apps.get(rt.record.name) === rt && !rt.operation) this.#queue.add(rt.record.name);
    }, LIVE_CHANGE_COALESCE_MS);
    rt.liveTimer.unref();
  }

  #app(name: string): Runtime {
    const rt = this.#apps.get(name);
    if (!rt) throw notFound(`application ${name}`);
    return rt;
  }

  #compare(rt: Runtime, source: ApplicationSource, revision: string, maxAgeMs: number, hard: boolean, fetchedSince?: number): Promise<Compared> {
    return compareApp(this.#deps, this.#clusters, rt, source, revision, maxAgeMs, hard, fetchedSince);
  }

  async #reconcile(name: string): Promise<void> {
    const rt = this.#apps.get(name);
    if (!rt) return;
    const began = performance.now();
    const { source } = rt.record.spec;
    const fetch = rt.fetchNext;
    const hard = rt.hardNext;
    const pollSince = rt.pollSince;
    rt.fetchNext = false;
    rt.hardNext = false;
    rt.pollSince = undefined;
    const c = await this.#compare(rt, source, source.targetRevision, fetch ? 0 : this.#options.reconcileIntervalMs, hard, pollSince);
    if (this.#apps.get(name) !== rt) return;
    const now = Date.now();
    if (!c.ok) {
      rt.status = { ...rt.status, sync: { status: 'Unknown' }, conditions: [{ type: 'ComparisonError', message: c.message, at: now }], reconciledAt: now };
    } else {
      rt.status = {
        ...rt.status,
        sync: { status: c.comparison.status, revision: c.commit },
        health: c.comparison.health,
        resources: c.comparison.resources,
        conditions: this.#automationConditions(rt, c, now),
        reconciledAt: now,
      };
      this.#automate(rt, c);
    }
    this.#deps.observer?.reconciled(name, performance.now() - began, c.ok);
    await this.#persist(rt);
  }

  /** Every application's name, project and current status (metrics, lists). */
  snapshot(): { name: string; project: string; destination: string; sync: string; health: string }[] {
    return [...this.#apps.values()].map((rt) => ({
      name: rt.record.name,
      project: rt.record.project,
      destination: rt.record.spec.destination.name ?? rt.record.spec.destination.server ?? '',
      sync: rt.status.sync.status,
      health: rt.status.health.status,
    }));
  }

  /** Reasons an automated sync will not happen, shown as conditions. */
  #automationConditions(rt: Runtime, c: Extract<Compared, { ok: true }>, now: number): ApplicationStatus['conditions'] {
    const auto = rt.record.spec.syncPolicy.automated;
    if (!auto || c.comparison.status !== 'OutOfSync') return [];
    if (!auto.allowEmpty && c.prepared.objects.every(isHook)) {
      return [{ type: 'SyncError', message: 'automated sync refused: rendering produced zero resources (set syncPolicy.automated.allowEmpty to allow an empty application)', at: now }];
    }
    return [];
  }

  #automate(rt: Runtime, c: Extract<Compared, { ok: true }>): void {
    const auto = rt.record.spec.syncPolicy.automated;
    if (!auto || rt.operation) return;
    if (c.comparison.status !== 'OutOfSync') {
      clearTimeout(rt.selfHealTimer);
      rt.selfHealTimer = undefined;
      return;
    }
    if (!auto.allowEmpty && c.prepared.objects.every(isHook)) return;
    const outOfSync = [...c.comparison.diffs.values()].filter((d) => d.state === 'OutOfSync');
    if (!auto.prune && outOfSync.every((d) => d.reason === 'extra')) return; // only pruning would help, and prune is off
    const key = `${c.commit}:${sourceHash(c.source)}`;
    const name = rt.record.name;
    if (rt.auto?.key !== key) {
      void this.#startOperation(rt, {}, 'berth', 'automated').catch((err: unknown) => this.#deps.logger.warn({ app: name, err: message(err) }, 'automated sync not started'));
    } else if (rt.auto.phase === 'Succeeded' && auto.selfHeal && !rt.selfHealTimer) {
      rt.selfHealTimer = setTimeout(() => {
        rt.selfHealTimer = undefined;
        if (this.#apps.get(name) !== rt || rt.operation || rt.status.sync.status !== 'OutOfSync') return;
        void this.#startOperation(rt, {}, 'berth', 'self-heal').catch((err: unknown) => this.#deps.logger.warn({ app: name, err: message(err) }, 'self-heal not started'));
      }, this.#options.selfHealDelayMs);
      rt.selfHealTimer.unref();
    }
  }

  async #persist(rt: Runtime): Promise<void> {
    const { reconciledAt: _at, ...rest } = rt.status;
    const snapshot = JSON.stringify({ ...rest, conditions: rest.conditions.map((c) => [c.type, c.message]) });
    if (snapshot === rt.saved) return;
    rt.saved = snapshot;
    await this.#deps.store.saveStatus(rt.record.name, rt.status).catch((err: unknown) => this.#deps.logger.error({ app: rt.record.name, err }, 'saving application status failed'));
  }

  #startOperation(rt: Runtime, request: SyncRequest, actor: string, trigger: SyncTrigger, source = rt.record.spec.source): Promise<OperationState> {
    if (rt.operation) return Promise.reject(new AccessError('CONFLICT', `another operation is already in progress for ${rt.record.name}`));
    const abort = new AbortController();
    const promise = (async () => {
      const release = await this.#operations.acquire();
      try {
        return await this.#runWithRetry(rt, request, actor, trigger, source, abort.signal);
      } finally {
        release();
      }
    })();
    rt.operation = { promise, abort };
    rt.status = { ...rt.status, operationState: { phase: 'Running', message: 'waiting to start', trigger, actor, revision: request.revision ?? source.targetRevision, startedAt: Date.now(), retryCount: 0, dryRun: request.dryRun ?? false, resources: [] } };
    void promise.then(
      (state) => {
        if (trigger === 'automated' || trigger === 'self-heal') rt.auto = { key: `${state.revision}:${sourceHash(source)}`, phase: state.phase };
      },
      () => undefined,
    ).finally(() => {
      rt.operation = undefined;
      if (this.#apps.get(rt.record.name) === rt) this.#queue.add(rt.record.name);
    });
    return promise;
  }

  async #runWithRetry(rt: Runtime, request: SyncRequest, actor: string, trigger: SyncTrigger, source: ApplicationSource, signal: AbortSignal): Promise<OperationState> {
    const retry = rt.record.spec.syncPolicy.retry;
    const limit = retry ? (retry.limit < 0 ? Number.POSITIVE_INFINITY : retry.limit) : 0;
    for (let attempt = 0; ; attempt++) {
      const state = await syncOnce(this.#syncContext, rt, request, actor, trigger, source, signal);
      state.retryCount = attempt;
      if (!request.dryRun) this.#deps.observer?.operationFinished(rt.record.name, rt.record.project, state);
      if (state.phase === 'Succeeded' || request.dryRun || attempt >= limit || signal.aborted) {
        rt.status = { ...rt.status, operationState: state };
        await this.#persist(rt);
        return state;
      }
      const backoff = retry!.backoff;
      const delay = Math.min(parseDurationMs(backoff.duration) * backoff.factor ** attempt, parseDurationMs(backoff.maxDuration));
      rt.status = { ...rt.status, operationState: { ...state, phase: 'Running', message: `${state.message}; retrying in ${Math.round(delay / 1000)} s (attempt ${attempt + 1} of ${limit})` } };
      await this.#persist(rt);
      await new Promise((resolve) => {
        const t = setTimeout(resolve, delay);
        signal.addEventListener('abort', () => { clearTimeout(t); resolve(undefined); }, { once: true });
      });
    }
  }

  // ------------------------------------------------------------ DeliveryEngine

  status(app: string): ApplicationStatus | undefined {
    return this.#apps.get(app)?.status;
  }

  async refresh(app: string, options: { hard?: boolean } = {}): Promise<ApplicationStatus> {
    const rt = this.#app(app);
    rt.fetchNext = true;
    rt.hardNext = options.hard ?? false;
    await this.#reconcile(app);
    return rt.status;
  }

  async diff(app: string): Promise<ResourceDiff[]> {
    const rt = this.#app(app);
    const { source } = rt.record.spec;
    const c = await this.#compare(rt, source, source.targetRevision, 0, false);
    if (!c.ok) throw new AccessError('CONFLICT', c.message);
    const desired = new Map(c.prepared.objects.map((o) => [keyString(resourceKeyOf(o)), o] as const));
    const live = new Map(c.comparison.live.map((o) => [keyString(resourceKeyOf(o)), o] as const));
    return [...c.comparison.diffs].map(([id, d]) => {
      if (d.reason === 'missing') return diffObjects(d.key, undefined, desired.get(id), rt.record.spec.ignoreDifferences);
      if (d.reason === 'extra') return { ...diffObjects(d.key, live.get(id), undefined, []), reason: 'extra' as const };
      return d;
    });
  }

  sync(app: string, request: SyncRequest, actor: string, trigger: SyncTrigger = 'manual'): Promise<OperationState> {
    return this.#startOperation(this.#app(app), request, actor, trigger);
  }

  async rollback(app: string, id: number, actor: string): Promise<OperationState> {
    const rt = this.#app(app);
    if (rt.record.spec.syncPolicy.automated) throw new AccessError('PRECONDITION_FAILED', `rollback is refused while automated sync is on: it would undo the rollback at once; remove spec.syncPolicy.automated from ${app} first`);
    const entry = await this.#deps.store.getHistory(app, id);
    if (!entry) throw notFound(`history entry ${id} of ${app}`);
    return this.#startOperation(rt, { revision: entry.revision }, actor, 'rollback', entry.source);
  }

  history(app: string): Promise<HistoryEntry[]> {
    this.#app(app);
    return this.#deps.store.listHistory(app);
  }

  async deleted(app: string, options: { cascade: boolean; propagationPolicy?: PropagationPolicy }): Promise<void> {
    const rt = this.#apps.get(app);
    const rec = rt?.record ?? this.#tombstones.get(app);
    if (rt) this.#recordChanged(app, undefined);
    this.#tombstones.delete(app);
    if (!options.cascade || !rec) return;
    const handle = await this.#clusters.forDestination(rec.spec.destination);
    const live = handle.cache.byApp(app).filter((o) => !o.metadata.ownerReferences?.some((r) => r.controller));
    await Promise.all(live.map((o) => handle.client.delete(o.apiVersion, o.kind, o.metadata.namespace ?? '', o.metadata.name, { propagationPolicy: options.propagationPolicy ?? 'Foreground' })));
  }

  repositoryChanged(url: string, _branches: readonly string[], changedPaths?: readonly string[]): number {
    // Every app of the repository is compared again (one shared fetch; unchanged
    // paths cost a cached render), except apps pinned to a commit. Apps whose
    // path holds a changed file go first: with 1,000 apps on one repository the
    // one that changed must not wait behind the 999 that did not. The others
    // are still compared (a kustomize base or values file elsewhere may be theirs).
    const wanted = normalizeRepoUrl(url);
    const apps = [...this.#apps].filter(([, rt]) => normalizeRepoUrl(rt.record.spec.source.repoURL) === wanted && !/^[0-9a-f]{40}$/i.test(rt.record.spec.source.targetRevision));
    if (apps.length > 0) this.#deps.git.invalidate(url);
    const touched = (rt: Runtime) => {
      if (!changedPaths) return false;
      const dir = rt.record.spec.source.path.replace(/^\.\/?/, '').replace(/\/+$/, '');
      return dir === '' || changedPaths.some((p) => p === dir || p.startsWith(`${dir}/`));
    };
    const first = new Set(apps.filter(([, rt]) => touched(rt)).map(([name]) => name));
    for (const name of [...first].reverse()) this.#queue.addFirst(name);
    for (const [name] of apps) if (!first.has(name)) this.#queue.add(name);
    return apps.length;
  }
}

