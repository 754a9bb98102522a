/**
 * The automated side of an application the process operates: the
 * automated-sync decision (one automated sync per commit and parameters,
 * held across processes by the operation table's dedupe key), self-heal,
 * and the `application.*` events that follow comparisons and operations.
 */
import { createHash } from 'node:crypto';
import type { ApplicationSource } from '../model.ts';
import { isHook } from '../sync/plan.ts';
import type { ApplicationStatus, OperationState } from '../types.ts';
import { errorMessage, statusKey, type Compared, type EngineDeps, type EngineOptions, type Runtime } from './app-state.ts';
import type { OperationRunner } from './operation-runner.ts';
import { SYSTEM, type OperationRecord, type OperationRowState } from './operations.ts';

export const sourceHash = (s: ApplicationSource) => createHash('sha256').update(JSON.stringify(s)).digest('hex').slice(0, 16);
export const phaseOf = (state: OperationRowState): OperationState['phase'] => (state === 'Pending' ? 'Running' : state);

export interface AutomationContext {
  deps: EngineDeps;
  options: EngineOptions;
  runner: OperationRunner;
  /** `rt` is still the engine's runtime of its app (not deleted or replaced). */
  current(rt: Runtime): boolean;
  requeue(app: string): void;
}

export class Automation {
  readonly #ctx: AutomationContext;

  constructor(ctx: AutomationContext) {
    this.#ctx = ctx;
  }

  /** Reasons an automated sync will not happen, shown as conditions. */
  conditions(rt: Runtime, c: Extract<Compared, { ok: true }>, now: number): ApplicationStatus['conditions'] {
    const auto = rt.record.spec.syncPolicy.automated;
    if (!auto || c.comparison.status !== 'OutOfSync') return [];
    if (!auto.allowEmpty && c.prepared.objects.every(isHook)) {
      return [{ type: 'SyncError', message: 'automated sync refused: rendering produced zero resources (set syncPolicy.automated.allowEmpty to allow an empty application)', at: now }];
    }
    return [];
  }

  automate(rt: Runtime, c: Extract<Compared, { ok: true }>): void {
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
    if (rt.auto?.key !== key) {
      this.#automated(rt, 'automated', key);
    } else if (rt.auto.phase === 'Succeeded' && auto.selfHeal && !rt.selfHealTimer) {
      rt.selfHealTimer = setTimeout(() => {
        rt.selfHealTimer = undefined;
        if (!this.#ctx.current(rt) || rt.operation || rt.status.sync.status !== 'OutOfSync') return;
        this.#automated(rt, 'self-heal');
      }, this.#ctx.options.selfHealDelayMs);
      rt.selfHealTimer.unref();
    }
  }

  /**
   * An automated sync or self-heal, as `system`. The dedupe key (commit and
   * source) is unique in the database: one automated sync per commit and
   * parameters, whichever process decides it.
   */
  #automated(rt: Runtime, trigger: 'automated' | 'self-heal', key?: string): void {
    const { name, project } = rt.record;
    if (key) rt.auto = { key, phase: 'Running' };
    void this.#ctx.runner
      .submit(rt, { app: name, project, kind: 'sync', trigger, request: {}, revision: rt.record.spec.source.targetRevision, who: SYSTEM, ...(key ? { dedupeKey: key } : {}) })
      .then(async (state) => {
        if (state || !key) return;
        const last = await this.#ctx.deps.coordination.operations.lastAutomated(name);
        if (last) rt.auto = { key: last.key, phase: phaseOf(last.state) };
      })
      .catch((err: unknown) => {
        if (key && rt.auto?.key === key && rt.auto.phase === 'Running') rt.auto = undefined;
        this.#ctx.deps.logger.warn({ app: name, err: errorMessage(err) }, `${trigger} sync not started`);
      });
  }

  /** `application.health_changed`, and `application.deployed` once a new revision's sync is followed by Healthy. */
  healthEvents(rt: Runtime, before: string): void {
    const { project, name } = rt.record;
    const to = rt.status.health.status;
    const events = [];
    if (to !== before) events.push(this.#ctx.deps.coordination.operations.publish({ type: 'application.health_changed', actor: 'system', data: { project, application: name, from: before, to } }));
    const deploy = rt.deployPending;
    if (deploy && to === 'Healthy') {
      rt.deployPending = undefined;
      rt.deployedRevision = deploy.revision;
      events.push(this.#ctx.deps.coordination.operations.publish({ type: 'application.deployed', actor: 'system', data: { project, application: name, revision: deploy.revision, operationId: deploy.operationId } }));
    }
    void Promise.all(events).catch((err: unknown) => this.#ctx.deps.logger.warn({ app: name, err: errorMessage(err) }, 'publishing an application event failed'));
  }

  /** After a saved status: `application.status_changed` for live views when a badge changed (sync, health, operation phase), not on every comparison. */
  async statusEvent(rt: Runtime): Promise<void> {
    const key = statusKey(rt.status);
    if (key === rt.announced) return;
    rt.announced = key;
    const { sync, health, operationState } = rt.status;
    await this.#ctx.deps.coordination.operations
      .publish({
        type: 'application.status_changed',
        actor: 'system',
        data: { project: rt.record.project, application: rt.record.name, sync: sync.status, health: health.status, ...(operationState ? { operationPhase: operationState.phase } : {}), ...(sync.revision ? { revision: sync.revision } : {}) },
      })
      .catch((err: unknown) => this.#ctx.deps.logger.warn({ app: rt.record.name, err: errorMessage(err) }, 'publishing an application event failed'));
  }

  ended(rt: Runtime, op: OperationRecord, state: OperationState): void {
    const source = op.source ?? rt.record.spec.source;
    if (op.trigger === 'automated' || op.trigger === 'self-heal') rt.auto = { key: `${state.revision}:${sourceHash(source)}`, phase: state.phase };
    if (state.phase === 'Succeeded' && !state.dryRun && state.revision !== rt.deployedRevision) rt.deployPending = { revision: state.revision, operationId: op.id };
    if (this.#ctx.current(rt)) this.#ctx.requeue(rt.record.name);
  }
}
