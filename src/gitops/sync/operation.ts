/**
 * Runs one sync operation: CreateNamespace, then every step of the plan
 * (phase + wave) in order — apply by server-side apply (or replace), prune,
 * run hooks — waiting for a step to be healthy (hooks: complete) before the
 * next one starts. A failure stops the operation and runs the SyncFail
 * hooks. The result lists every resource touched, as Argo CD reports it.
 */
import { createHash } from 'node:crypto';
import type { Health, KubeClient, KubeObject, OperationState, PropagationPolicy, ResourceResult, SyncTrigger } from '../types.ts';
import { describeKey, steps, type Plan, type SyncTask } from './plan.ts';

export interface SyncEnvironment {
  client: KubeClient;
  /** The live object as the watch cache sees it now. */
  observed(task: SyncTask): KubeObject | undefined;
  health(obj: KubeObject | undefined): Health;
  /** An object was applied for real (not a dry run): what the server stored. */
  applied?(task: SyncTask, stored: KubeObject): void;
}

export interface SyncOperationInput {
  app: string;
  revision: string;
  trigger: SyncTrigger;
  actor: string;
  plan: Plan;
  dryRun: boolean;
  /** Application-level sync options (syncPolicy.syncOptions plus the request's). */
  syncOptions: ReadonlySet<string>;
  /** Destination namespace to create first (CreateNamespace=true). */
  createNamespace?: string;
  /** How long one step may take to become healthy. */
  stepTimeoutMs: number;
  pollIntervalMs?: number;
  signal?: AbortSignal;
  onUpdate?: (state: OperationState) => void;
}

class StepFailure extends Error {}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(new StepFailure('operation terminated'));
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => { clearTimeout(t); reject(new StepFailure('operation terminated')); }, { once: true });
  });

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Where an object hands its generation and uid on, to know the cache has seen our write. */
function observedOurWrite(cached: KubeObject | undefined, written: KubeObject): cached is KubeObject {
  if (!cached) return false;
  if (written.metadata.uid && cached.metadata.uid !== written.metadata.uid) return false;
  const gen = written.metadata.generation;
  return gen === undefined || (cached.metadata.generation ?? 0) >= gen;
}

export function manifestDigest(objects: readonly KubeObject[]): string {
  const h = createHash('sha256');
  for (const o of objects) h.update(JSON.stringify(o)).update('\n');
  return `sha256:${h.digest('hex')}`;
}

export async function runSyncOperation(env: SyncEnvironment, input: SyncOperationInput): Promise<OperationState> {
  const state: OperationState = {
    phase: 'Running',
    message: 'running',
    trigger: input.trigger,
    actor: input.actor,
    revision: input.revision,
    startedAt: Date.now(),
    retryCount: 0,
    dryRun: input.dryRun,
    resources: [],
  };
  const pollMs = input.pollIntervalMs ?? 100;
  const written = new Map<SyncTask, KubeObject>();
  const hookOutcome = new Map<SyncTask, 'Succeeded' | 'Failed'>();
  const update = () => input.onUpdate?.(structuredClone(state));

  const record = (task: SyncTask, status: ResourceResult['status'], msg: string, extra: Partial<ResourceResult> = {}) => {
    const result: ResourceResult = {
      key: task.key,
      version: (task.desired ?? task.live)?.apiVersion.split('/').pop() ?? '',
      status,
      message: msg,
      wave: Number.isInteger(task.wave) ? task.wave : Math.ceil(task.wave),
      phase: task.phase,
      ...(task.hook ? { hookType: task.hook } : {}),
      ...extra,
    };
    const i = state.resources.findIndex((r) => r.key === task.key && r.phase === task.phase);
    if (i >= 0) state.resources[i] = result;
    else state.resources.push(result);
    update();
  };

  const replace = (task: SyncTask) => task.options.has('Replace=true') || input.syncOptions.has('Replace=true');
  const propagation = (): PropagationPolicy => {
    if (input.syncOptions.has('PrunePropagationPolicy=background')) return 'Background';
    if (input.syncOptions.has('PrunePropagationPolicy=orphan')) return 'Orphan';
    return 'Foreground';
  };

  async function waitGone(obj: KubeObject): Promise<void> {
    const deadline = Date.now() + input.stepTimeoutMs;
    while (await env.client.get(obj.apiVersion, obj.kind, obj.metadata.namespace ?? '', obj.metadata.name)) {
      if (Date.now() > deadline) throw new StepFailure(`${obj.kind}/${obj.metadata.name}: still being deleted after ${input.stepTimeoutMs} ms`);
      await sleep(pollMs, input.signal);
    }
  }

  async function execute(task: SyncTask): Promise<void> {
    const desired = task.desired;
    try {
      if (task.action === 'prune') {
        const live = task.live!;
        if (input.dryRun) return record(task, 'Pruned', 'pruned (dry run)');
        const gone = !(await env.client.delete(live.apiVersion, live.kind, live.metadata.namespace ?? '', live.metadata.name, { propagationPolicy: propagation() }));
        return record(task, 'Pruned', gone ? 'already gone' : 'pruned');
      }
      if (!desired) throw new Error('no desired object');
      if (task.action === 'hook') {
        if (input.dryRun) {
          await env.client.apply(desired, { dryRun: true, force: true });
          return record(task, 'Synced', 'hook (dry run)', { hookPhase: 'Succeeded' });
        }
        if (task.deletePolicies.has('BeforeHookCreation')) {
          const existing = await env.client.get(desired.apiVersion, desired.kind, desired.metadata.namespace ?? '', desired.metadata.name);
          if (existing) {
            await env.client.delete(desired.apiVersion, desired.kind, desired.metadata.namespace ?? '', desired.metadata.name, { propagationPolicy: 'Foreground' });
            await waitGone(desired);
          }
        }
        written.set(task, await env.client.apply(desired, { force: true }));
        return record(task, 'Running', `${task.hook} hook created`, { hookPhase: 'Running' });
      }
      if (input.dryRun && missingNamespace !== undefined && desired.metadata.namespace === missingNamespace) {
        // The server cannot dry-run into a namespace that does not exist yet.
        return record(task, 'Synced', `created (dry run; namespace ${missingNamespace} does not exist yet)`);
      }
      const result = replace(task) ? await env.client.replace(desired, { dryRun: input.dryRun }) : await env.client.apply(desired, { dryRun: input.dryRun, force: true });
      written.set(task, result);
      if (!input.dryRun) env.applied?.(task, result);
      const verb = task.live ? 'configured' : 'created';
      record(task, 'Synced', input.dryRun ? `${verb} (dry run)` : verb);
    } catch (err) {
      if (err instanceof StepFailure) throw err;
      record(task, task.action === 'hook' ? 'Failed' : 'SyncFailed', message(err), task.action === 'hook' ? { hookPhase: 'Failed' } : {});
      throw new StepFailure(`${describeKey(task.key)}: ${message(err)}`);
    }
  }

  /** Waits until every task of the step is healthy (hooks: finished); throws on Degraded / failed hooks / timeout. */
  async function waitForStep(step: readonly SyncTask[]): Promise<void> {
    const deadline = Date.now() + input.stepTimeoutMs;
    const pending = new Set(step.filter((t) => t.action !== 'prune'));
    for (;;) {
      for (const task of pending) {
        const ours = written.get(task);
        if (!ours) { pending.delete(task); continue; }
        const cached = env.observed(task);
        if (!observedOurWrite(cached, ours)) continue;
        const h = env.health(cached);
        if (task.action === 'hook') {
          if (h.status === 'Healthy') {
            hookOutcome.set(task, 'Succeeded');
            record(task, 'Succeeded', h.message ?? `${task.hook} hook succeeded`, { hookPhase: 'Succeeded' });
            pending.delete(task);
          } else if (h.status === 'Degraded') {
            hookOutcome.set(task, 'Failed');
            record(task, 'Failed', h.message ?? `${task.hook} hook failed`, { hookPhase: 'Failed' });
            throw new StepFailure(`${task.hook} hook ${describeKey(task.key)} failed${h.message ? `: ${h.message}` : ''}`);
          }
        } else if (h.status === 'Healthy' || h.status === 'Suspended') {
          pending.delete(task);
        } else if (h.status === 'Degraded') {
          throw new StepFailure(`${describeKey(task.key)} is Degraded${h.message ? `: ${h.message}` : ''}`);
        }
      }
      if (pending.size === 0) return;
      if (Date.now() > deadline) {
        const names = [...pending].map((t) => describeKey(t.key)).join(', ');
        throw new StepFailure(`wave ${step[0]!.wave} of ${step[0]!.phase} not healthy after ${Math.round(input.stepTimeoutMs / 1000)} s: ${names}`);
      }
      await sleep(pollMs, input.signal);
    }
  }

  async function deleteHooks(outcome: 'Succeeded' | 'Failed'): Promise<void> {
    const policy = outcome === 'Succeeded' ? 'HookSucceeded' : 'HookFailed';
    for (const [task, result] of hookOutcome) {
      if (result !== outcome || !task.deletePolicies.has(policy) || !task.desired) continue;
      const d = task.desired;
      await env.client.delete(d.apiVersion, d.kind, d.metadata.namespace ?? '', d.metadata.name, { propagationPolicy: 'Background' }).catch(() => false);
    }
  }

  let missingNamespace: string | undefined;
  try {
    if (input.createNamespace && !input.dryRun) {
      await env.client.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: input.createNamespace } }, { force: true });
    } else if (input.createNamespace && !(await env.client.get('v1', 'Namespace', '', input.createNamespace))) {
      missingNamespace = input.createNamespace;
    }
    const all = steps(input.plan.tasks);
    for (let i = 0; i < all.length; i++) {
      const step = all[i]!;
      // Within a step the order does not matter to the API server; run a few at a time.
      for (let j = 0; j < step.length; j += 8) await Promise.all(step.slice(j, j + 8).map(execute));
      if (input.dryRun) continue;
      const hasHooks = step.some((t) => t.action === 'hook');
      if (hasHooks || i < all.length - 1) await waitForStep(step);
    }
    for (const t of input.plan.pruneSkipped) record(t, 'PruneSkipped', t.options.has('Prune=false') ? 'ignored (Prune=false)' : 'ignored (requires pruning)');
    if (!input.dryRun) await deleteHooks('Succeeded');
    state.phase = 'Succeeded';
    state.message = input.dryRun ? 'dry run succeeded' : 'successfully synced (all tasks run)';
  } catch (err) {
    state.phase = 'Failed';
    state.message = message(err);
    if (!input.dryRun && input.plan.syncFailHooks.length > 0) {
      try {
        for (const step of steps(input.plan.syncFailHooks)) {
          for (const t of step) await execute(t);
          await waitForStep(step);
        }
      } catch (failErr) {
        state.message += `; SyncFail hook: ${message(failErr)}`;
      }
    }
    if (!input.dryRun) await deleteHooks('Failed');
    await deleteHooks('Succeeded').catch(() => undefined);
  }
  state.finishedAt = Date.now();
  update();
  return state;
}
