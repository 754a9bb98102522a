/**
 * The delivery engine: keeps every application compared with its cluster
 * (on changes seen by the watch caches, on Git webhooks, and by polling),
 * runs sync operations (manual, automated, self-heal, rollback) with retries,
 * and records history. With several processes on one database, each
 * application is operated by the holder of its lease (ownership.ts); its
 * operations are rows in the database (operations.ts, operation-runner.ts),
 * and the other processes follow through the catalog (catalog.ts). Prune safety: an operation whose comparison failed —
 * repository unreachable, rendering failed — applies and deletes nothing,
 * and an empty rendering never prunes unless allowEmpty says so.
 */
import { AccessError, notFound } from '../../access/errors.ts';
import type { AuditContext } from '../../audit/audited.ts';
import { diffObjects, keyString, resourceKeyOf } from '../kube/diff.ts';
import { preciseNow } from '../git/repo-cache.ts';
import { normalizeRepoUrl } from '../git/urls.ts';
import type { ApplicationSource } from '../model.ts';
import {
  APP_LABEL,
  type ApplicationRecord, type ApplicationStatus, type DeliveryEngine, type HistoryEntry, type LiveChange, type OperationState, type PropagationPolicy,
  type ResourceDiff, type ResourceTree, type SyncRequest, type SyncTrigger,
} from '../types.ts';
import { OperationRunner } from './operation-runner.ts';
import { SYSTEM } from './operations.ts';
import { Automation, phaseOf } from './automation.ts';
import { AppOwnership } from './ownership.ts';
import { DEFAULT_ENGINE_OPTIONS, errorMessage as message, statusKey, type Compared, type EngineDeps, type EngineOptions, type Runtime } from './app-state.ts';
import { CatalogFollower } from './catalog.ts';
import { ClusterHandles } from './clusters.ts';
import { compareApp } from './compare-app.ts';
import { ChildListCache, buildResourceTree } from './resource-tree.ts';
import type { SyncContext } from './sync-app.ts';
import { Semaphore, WorkQueue } from './work-queue.ts';

export { DEFAULT_ENGINE_OPTIONS, type EngineDeps, type EngineObserver, type EngineOptions, type EngineStore } from './app-state.ts';

/** How long live changes of one app are gathered before it is compared. */
const LIVE_CHANGE_COALESCE_MS = 150;



export class GitOpsEngine implements DeliveryEngine {
  readonly #deps: EngineDeps;
  readonly #options: EngineOptions;
  readonly #apps = new Map<string, Runtime>();
  readonly #tombstones = new Map<string, Runtime>();
  readonly #queue: WorkQueue;
  readonly #operations: Semaphore;
  readonly #clusters: ClusterHandles;
  readonly #syncContext: SyncContext;
  readonly #ownership: AppOwnership;
  readonly #runner: OperationRunner;
  readonly #automation: Automation;
  readonly #childLists = new ChildListCache();
  #ticker?: NodeJS.Timeout;
  #unsubscribe?: () => void;
  readonly #follower: CatalogFollower;
  #polling = false;
  #lastCatalogPoll = 0;

  constructor(deps: EngineDeps, options: Partial<EngineOptions> = {}) {
    this.#deps = deps;
    this.#options = { ...DEFAULT_ENGINE_OPTIONS, ...options };
    this.#queue = new WorkQueue((name) => this.#reconcile(name), this.#options.statusProcessors, (name, err) => deps.logger.error({ app: name, err }, 'reconcile failed'));
    this.#operations = new Semaphore(this.#options.operationProcessors);
    this.#clusters = new ClusterHandles(deps.clusters, deps.connect, (change) => this.#liveChanged(change), deps.inCluster);
    this.#syncContext = { deps, options: this.#options, compare: (rt, source, revision, maxAgeMs) => this.#compare(rt, source, revision, maxAgeMs, false) };
    this.#ownership = new AppOwnership(deps.coordination.leases, this.#options.leaseTtlMs, {
      apps: () => this.#apps.keys(),
      gained: (app) => void this.#gained(app).catch((err: unknown) => deps.logger.error({ app, err }, 'taking an application over failed')),
      lost: (app) => this.#lost(app),
      busy: (app) => this.#apps.get(app)?.operation !== undefined,
    }, deps.logger);
    this.#runner = new OperationRunner({
      deps, options: this.#options, sync: this.#syncContext, operations: deps.coordination.operations, ownership: this.#ownership, slots: this.#operations,
      runtime: (app) => this.#apps.get(app), persist: (rt) => this.#persist(rt), ended: (rt, op, state) => this.#automation.ended(rt, op, state),
    });
    this.#follower = new CatalogFollower(deps.coordination.catalog, {
      instance: this.#ownership.instance,
      updatedAt: (app) => this.#apps.get(app)?.record.updatedAt,
      known: () => [...this.#apps.keys()],
      load: (app) => deps.store.get(app),
      changed: (app, record) => this.#recordChanged(app, record),
      saved: (app, status) => {
        const rt = this.#apps.get(app);
        if (rt && !this.#ownership.owns(app)) rt.status = status;
      },
      repositoryChanged: (url, paths) => this.#queueRepository(url, paths),
    });
    const current = (rt: Runtime) => this.#apps.get(rt.record.name) === rt;
    this.#automation = new Automation({ deps, options: this.#options, runner: this.#runner, current, requeue: (app) => this.#queue.add(app) });
  }

  async start(): Promise<void> {
    this.#unsubscribe = this.#deps.store.onChange((name, record) => this.#recordChanged(name, record));
    for (const record of await this.#deps.store.listAll()) {
      const status = await this.#deps.store.loadStatus(record.name);
      this.#apps.set(record.name, this.#runtime(record, status));
    }
    this.#follower.startAt(Date.now());
    await this.#ownership.start();
    await this.#runner.pickUp();
    this.#ticker = setInterval(() => this.#tick(), 1000);
    this.#ticker.unref();
  }

  async close(): Promise<void> {
    clearInterval(this.#ticker);
    this.#unsubscribe?.();
    this.#runner.close();
    for (const rt of this.#apps.values()) {
      clearTimeout(rt.selfHealTimer);
      clearTimeout(rt.liveTimer);
      rt.operation?.abort.abort();
    }
    await this.#queue.close();
    await Promise.allSettled([...this.#apps.values()].flatMap((rt) => (rt.operation ? [rt.operation.promise] : [])));
    await this.#ownership.stop();
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
    const shown = status ?? { sync: { status: 'Unknown' }, health: { status: 'Unknown' }, resources: [], conditions: [], reconciledAt: 0 };
    return {
      record,
      status: shown,
      announced: statusKey(shown),
      memo: new Map(),
      managedTypes: new Map(),
      nextReconcileAt: this.#nextPoll(),
      fetchNext: false,
      hardNext: false,
      ...(status?.syncedRevision ? { deployedRevision: status.syncedRevision } : {}),
    };
  }

  #nextPoll(): number {
    return Date.now() + this.#options.reconcileIntervalMs + Math.floor(Math.random() * this.#options.jitterMs);
  }

  #tick(): void {
    const now = Date.now();
    if (!this.#polling) {
      this.#polling = true;
      const catalog = now - this.#lastCatalogPoll >= this.#options.catalogPollMs;
      if (catalog) this.#lastCatalogPoll = now;
      void (catalog ? this.#follower.poll() : Promise.resolve())
        .then(() => this.#runner.pickUp())
        .catch((err: unknown) => this.#deps.logger.warn({ err: message(err) }, 'reading the work of other processes failed'))
        .finally(() => (this.#polling = false));
    }
    for (const [name, rt] of this.#apps) {
      if (now >= rt.nextReconcileAt && this.#ownership.owns(name)) {
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
        this.#tombstones.set(name, rt);
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
      void this.#ownership.balance(); // take it now when this process is below its share
    }
    this.#queue.add(name);
  }

  /** This process now operates `app`: it continues from what the previous holder saved. */
  async #gained(app: string): Promise<void> {
    const rt = this.#apps.get(app);
    if (!rt) return;
    const status = await this.#deps.store.loadStatus(app);
    if (status) rt.status = status;
    rt.announced = statusKey(rt.status);
    const last = await this.#deps.coordination.operations.lastAutomated(app);
    if (last) rt.auto = { key: last.key, phase: phaseOf(last.state) };
    rt.saved = undefined;
    rt.memo.clear();
    this.#queue.add(app);
  }

  #lost(app: string): void {
    const rt = this.#apps.get(app);
    if (!rt) return;
    clearTimeout(rt.selfHealTimer);
    rt.selfHealTimer = undefined;
    rt.operation?.abort.abort(); // left active in the database: the new holder resumes it
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

  /** Compares `name`; only the holder of its lease saves the status and automates (`readOnly` compares for a caller here). */
  async #reconcile(name: string, readOnly = false): Promise<void> {
    const rt = this.#apps.get(name);
    if (!rt || (!readOnly && !this.#ownership.owns(name))) return;
    const owned = this.#ownership.owns(name);
    const healthBefore = rt.status.health.status;
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
        conditions: this.#automation.conditions(rt, c, now),
        reconciledAt: now,
      };
      if (owned) {
        this.#automation.automate(rt, c);
        this.#automation.healthEvents(rt, healthBefore);
      }
    }
    this.#deps.observer?.reconciled(name, performance.now() - began, c.ok);
    if (owned) await this.#persist(rt);
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

  async #persist(rt: Runtime): Promise<void> {
    const { reconciledAt: _at, ...rest } = rt.status;
    const snapshot = JSON.stringify({ ...rest, conditions: rest.conditions.map((c) => [c.type, c.message]) });
    if (snapshot === rt.saved) return;
    rt.saved = snapshot;
    const saved = await this.#deps.store.saveStatus(rt.record.name, rt.status).then(
      () => true,
      (err: unknown) => {
        this.#deps.logger.error({ app: rt.record.name, err }, 'saving application status failed');
        return false;
      },
    );
    if (saved) await this.#automation.statusEvent(rt);
  }

  // ------------------------------------------------------------ DeliveryEngine

  status(app: string): ApplicationStatus | undefined {
    return this.#apps.get(app)?.status;
  }

  async refresh(app: string, options: { hard?: boolean } = {}): Promise<ApplicationStatus> {
    const rt = this.#app(app);
    rt.fetchNext = true;
    rt.hardNext = options.hard ?? false;
    await this.#reconcile(app, true);
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

  /** Records the operation in the database (409 while another is active), runs it where the app is operated, and waits for its end. */
  async sync(app: string, request: SyncRequest, actor: string, trigger: SyncTrigger = 'manual', who?: AuditContext): Promise<OperationState> {
    const rt = this.#app(app);
    const state = await this.#runner.submit(rt, { app, project: rt.record.project, kind: 'sync', trigger, request, revision: request.revision ?? rt.record.spec.source.targetRevision, who: who ?? userContext(actor) });
    if (!state) throw new AccessError('CONFLICT', `operation for ${app} not accepted`);
    return state;
  }

  async rollback(app: string, id: number, actor: string, who?: AuditContext): Promise<OperationState> {
    const rt = this.#app(app);
    if (rt.record.spec.syncPolicy.automated) throw new AccessError('PRECONDITION_FAILED', `rollback is refused while automated sync is on: it would undo the rollback at once; remove spec.syncPolicy.automated from ${app} first`);
    const entry = await this.#deps.store.getHistory(app, id);
    if (!entry) throw notFound(`history entry ${id} of ${app}`);
    const state = await this.#runner.submit(rt, { app, project: rt.record.project, kind: 'rollback', trigger: 'rollback', request: { revision: entry.revision }, source: entry.source, revision: entry.revision, who: who ?? userContext(actor) });
    if (!state) throw new AccessError('CONFLICT', `rollback of ${app} not accepted`);
    return state;
  }

  async resourceTree(app: string): Promise<ResourceTree> {
    const rt = this.#app(app);
    const handle = await this.#clusters.forDestination(rt.record.spec.destination);
    return buildResourceTree(handle, rt.status, rt.record.spec.destination.namespace, this.#childLists);
  }

  history(app: string): Promise<HistoryEntry[]> {
    this.#app(app);
    return this.#deps.store.listHistory(app);
  }

  /** Deletes the app's live resources (cascade) and records the deletion in the operation history. */
  async deleted(app: string, options: { cascade: boolean; propagationPolicy?: PropagationPolicy }, who: AuditContext = SYSTEM): Promise<void> {
    const rt = this.#apps.get(app);
    const last = rt ?? this.#tombstones.get(app);
    const rec = last?.record;
    if (rt) this.#recordChanged(app, undefined);
    this.#tombstones.delete(app);
    if (!rec) return;
    const record = (ok: boolean, detail: string) => this.#deps.coordination.operations.recordDeletion({ app, project: rec.project, trigger: 'manual', who, ok, message: detail })
      .catch((err: unknown) => this.#deps.logger.error({ app, err: message(err) }, 'recording a deletion failed'));
    if (!options.cascade) return record(true, 'application deleted; its resources were left in the cluster');
    try {
      const handle = await this.#clusters.forDestination(rec.spec.destination);
      // Another process may have operated the app: watch the kinds its last status names, so none is missed.
      const named = await Promise.all(last.status.resources.map((r) => handle.client.resourceType(r.key.group ? `${r.key.group}/${r.version}` : r.version, r.key.kind).catch(() => undefined)));
      await handle.cache.watch([...last.managedTypes.values(), ...named.filter((t) => t !== undefined)]);
      const live = handle.cache.byApp(app).filter((o) => !o.metadata.ownerReferences?.some((r) => r.controller));
      await Promise.all(live.map((o) => handle.client.delete(o.apiVersion, o.kind, o.metadata.namespace ?? '', o.metadata.name, { propagationPolicy: options.propagationPolicy ?? 'Foreground' })));
      await record(true, `application deleted with its ${live.length} resources (${options.propagationPolicy ?? 'Foreground'})`);
    } catch (err) {
      await record(false, `application deleted; deleting its resources failed: ${message(err)}`);
      throw err;
    }
  }

  repositoryChanged(url: string, _branches: readonly string[], changedPaths?: readonly string[]): number {
    void this.#deps.coordination.catalog.requestRefresh(normalizeRepoUrl(url), this.#ownership.instance, changedPaths)
      .catch((err: unknown) => this.#deps.logger.warn({ err: message(err) }, 'telling other processes of a Git change failed'));
    return this.#queueRepository(url, changedPaths);
  }

  /** Compares the apps of repository `url` this process operates; answers how many apps the repository has. */
  #queueRepository(url: string, changedPaths?: readonly string[]): number {
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
    const owned = apps.filter(([name]) => this.#ownership.owns(name));
    const first = new Set(owned.filter(([, rt]) => touched(rt)).map(([name]) => name));
    for (const name of [...first].reverse()) this.#queue.addFirst(name);
    for (const [name] of owned) if (!first.has(name)) this.#queue.add(name);
    return apps.length;
  }
}

const userContext = (name: string): AuditContext => ({ actor: { kind: 'user', name }, sourceIp: '' });
