/**
 * Runs the durable operations of the applications this process operates:
 * accepts them (a row in the database), claims them, runs them with the
 * application's retry policy, and ends them with their audit record and
 * event. An operation accepted by another process, or left running by a
 * process that died, is picked up by the process that holds its
 * application's lease (pickUp, every second): pending ones start, abandoned
 * ones are resumed (Argo CD resumes operations) — a sync of the same request
 * again, which server-side apply makes safe to repeat.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { parseDurationMs, type ApplicationSource } from '../model.ts';
import type { OperationState } from '../types.ts';
import { errorMessage, type EngineDeps, type EngineOptions, type Runtime } from './app-state.ts';
import type { OperationInput, OperationRecord, OperationStore } from './operations.ts';
import type { AppOwnership } from './ownership.ts';
import { syncOnce, type SyncContext } from './sync-app.ts';
import type { Semaphore } from './work-queue.ts';

export interface RunnerContext {
  deps: EngineDeps;
  options: EngineOptions;
  sync: SyncContext;
  operations: OperationStore;
  ownership: AppOwnership;
  slots: Semaphore;
  runtime(app: string): Runtime | undefined;
  persist(rt: Runtime): Promise<void>;
  /** The operation ended: compare the app again. */
  ended(rt: Runtime, op: OperationRecord, state: OperationState): void;
}

const WAIT_POLL_MS = 200;
const PROGRESS_MS = 1_000;

export class OperationRunner {
  readonly #ctx: RunnerContext;
  #closing = false;

  constructor(ctx: RunnerContext) {
    this.#ctx = ctx;
  }

  /** Records the operation; runs it here when this process operates the app. Resolves when it ends. */
  async submit(rt: Runtime, input: OperationInput): Promise<OperationState | undefined> {
    const op = await this.#ctx.operations.accept(input);
    if (!op) return undefined;
    if (this.#ctx.ownership.owns(rt.record.name) && !rt.operation && (await this.#ctx.operations.claim(op.id, this.#ctx.ownership.instance, undefined, 'started'))) {
      return this.#run(rt, op);
    }
    return this.wait(op.id);
  }

  /** Waits for an operation another process (or a later pickUp here) runs. */
  async wait(id: string): Promise<OperationState> {
    for (;;) {
      const op = await this.#ctx.operations.get(id);
      if (!op) throw new Error(`operation ${id} disappeared`);
      if (op.state !== 'Pending' && op.state !== 'Running') {
        return op.result ?? { phase: op.state === 'Succeeded' ? 'Succeeded' : 'Failed', message: op.message, trigger: op.trigger, actor: op.actor.name, revision: op.resolvedRevision ?? op.revision, startedAt: op.startedAt ?? op.createdAt, ...(op.finishedAt ? { finishedAt: op.finishedAt } : {}), retryCount: 0, dryRun: op.request.dryRun ?? false, resources: [] };
      }
      await delay(WAIT_POLL_MS);
    }
  }

  /**
   * Starts the active operations of the apps this process operates that no
   * process runs: pending ones, and those of a process that is gone.
   */
  async pickUp(): Promise<void> {
    if (this.#closing) return;
    const { operations, ownership } = this.#ctx;
    for (const op of await operations.active()) {
      const rt = this.#ctx.runtime(op.app);
      if (!rt) {
        // An application created through another process that this one has not read yet is not deleted.
        if (await this.#ctx.deps.store.get(op.app)) continue;
        // The application was deleted: end its operation, if nobody runs it.
        if ((op.owner === undefined || !(await ownership.alive(op.owner))) && (await operations.claim(op.id, ownership.instance, op.owner, 'application deleted'))) {
          await operations.abandon({ ...op, owner: ownership.instance }, ownership.instance, 'the application was deleted before the operation ran');
        }
        continue;
      }
      if (!ownership.owns(op.app) || rt.operation || op.owner === ownership.instance) continue;
      if (op.owner !== undefined && (await ownership.alive(op.owner))) continue;
      const message = op.owner === undefined ? 'started' : `resumed: process ${op.owner} stopped while running it`;
      if (!(await operations.claim(op.id, ownership.instance, op.owner, message))) continue;
      if (op.owner !== undefined) this.#ctx.deps.logger.warn({ app: op.app, operation: op.id, previous: op.owner }, 'resuming an operation of a process that stopped');
      void this.#run(rt, op).catch((err: unknown) => this.#ctx.deps.logger.error({ app: op.app, err }, 'operation failed'));
    }
  }

  /** Stops taking operations; running ones are aborted and left for another process (or the next start) to resume. */
  close(): void {
    this.#closing = true;
  }

  #run(rt: Runtime, op: OperationRecord): Promise<OperationState> {
    const abort = new AbortController();
    const source: ApplicationSource = op.source ?? rt.record.spec.source;
    const promise = (async () => {
      const release = await this.#ctx.slots.acquire();
      const progress = setInterval(() => {
        const s = rt.status.operationState;
        if (s) void this.#ctx.operations.progress(op.id, this.#ctx.ownership.instance, s).catch(() => undefined);
      }, PROGRESS_MS);
      progress.unref();
      try {
        return await this.#runWithRetry(rt, op, source, abort.signal);
      } finally {
        clearInterval(progress);
        release();
      }
    })();
    rt.operation = { promise, abort, id: op.id };
    rt.status = { ...rt.status, operationState: { phase: 'Running', message: 'waiting to start', trigger: op.trigger, actor: op.actor.name, revision: op.request.revision ?? source.targetRevision, startedAt: Date.now(), retryCount: 0, dryRun: op.request.dryRun ?? false, resources: [] } };
    // Saved (and announced) at once: lists and other processes show the operation running.
    void this.#ctx.persist(rt).catch(() => undefined);
    return promise.then(
      async (state) => {
        rt.operation = undefined;
        // Aborted by a shutdown (left running: the next holder sees this process gone and resumes it)
        // or by a lost lease (handed back as pending: this process is alive, so it would not be resumed).
        const lost = abort.signal.aborted && !this.#closing && !this.#ctx.ownership.owns(op.app);
        if (lost) await this.#ctx.operations.release(op.id, this.#ctx.ownership.instance).catch(() => false);
        if (!(abort.signal.aborted && (this.#closing || lost))) {
          const ended = await this.#ctx.operations.finish(op, this.#ctx.ownership.instance, state).catch((err: unknown) => {
            this.#ctx.deps.logger.error({ app: op.app, operation: op.id, err: errorMessage(err) }, 'recording the end of an operation failed');
            return false;
          });
          if (ended) this.#ctx.ended(rt, op, state);
        }
        return state;
      },
      (err: unknown) => {
        rt.operation = undefined;
        throw err;
      },
    );
  }

  async #runWithRetry(rt: Runtime, op: OperationRecord, source: ApplicationSource, signal: AbortSignal): Promise<OperationState> {
    const { request, trigger } = op;
    const retry = rt.record.spec.syncPolicy.retry;
    const limit = retry ? (retry.limit < 0 ? Number.POSITIVE_INFINITY : retry.limit) : 0;
    for (let attempt = 0; ; attempt++) {
      const state = await syncOnce(this.#ctx.sync, rt, request, op.actor.name, trigger, source, signal);
      state.retryCount = attempt;
      if (!request.dryRun) this.#ctx.deps.observer?.operationFinished(rt.record.name, rt.record.project, state);
      if (state.phase === 'Succeeded' || request.dryRun || attempt >= limit || signal.aborted) {
        rt.status = { ...rt.status, operationState: state };
        await this.#ctx.persist(rt);
        return state;
      }
      const backoff = retry!.backoff;
      const wait = Math.min(parseDurationMs(backoff.duration) * backoff.factor ** attempt, parseDurationMs(backoff.maxDuration));
      rt.status = { ...rt.status, operationState: { ...state, phase: 'Running', message: `${state.message}; retrying in ${Math.round(wait / 1000)} s (attempt ${attempt + 1} of ${limit})` } };
      await this.#ctx.persist(rt);
      await delay(wait, undefined, { signal }).catch(() => undefined);
    }
  }
}
