/**
 * One attempt of a sync operation for an application: compare again (a
 * failed comparison refuses the operation: nothing applied or pruned), apply
 * the prune guards, plan, run, and record the history entry.
 */
import { resourceHealth } from '../health/index.ts';
import { keyString, normalize, specFingerprint } from '../kube/diff.ts';
import type { ApplicationSource } from '../model.ts';
import { manifestDigest, runSyncOperation } from '../sync/operation.ts';
import { isHook, planSync } from '../sync/plan.ts';
import { APP_LABEL, type OperationState, type SyncRequest, type SyncTrigger } from '../types.ts';
import type { Compared, EngineDeps, EngineOptions, Runtime } from './app-state.ts';

export interface SyncContext {
  deps: EngineDeps;
  options: EngineOptions;
  compare(rt: Runtime, source: ApplicationSource, revision: string, maxAgeMs: number): Promise<Compared>;
}

export async function syncOnce(ctx: SyncContext, rt: Runtime, request: SyncRequest, actor: string, trigger: SyncTrigger, source: ApplicationSource, signal: AbortSignal): Promise<OperationState> {
  const { record } = rt;
  const started = Date.now();
  const revision = request.revision ?? source.targetRevision;
  const failed = (msg: string, resolved = revision): OperationState => ({ phase: 'Failed', message: msg, trigger, actor, revision: resolved, startedAt: started, finishedAt: Date.now(), retryCount: 0, dryRun: request.dryRun ?? false, resources: [] });
  const manual = trigger === 'manual' || trigger === 'rollback';
  const c = await ctx.compare(rt, source, revision, manual ? 0 : ctx.options.reconcileIntervalMs);
  if (!c.ok) return failed(`refusing to sync, nothing was applied or pruned: ${c.message}`);
  const auto = record.spec.syncPolicy.automated;
  const syncOptions = new Set<string>([...record.spec.syncPolicy.syncOptions, ...(request.syncOptions ?? [])]);
  const prune = request.prune ?? (manual ? false : (auto?.prune ?? false));
  if (prune && c.prepared.objects.every(isHook) && !auto?.allowEmpty) {
    return failed('refusing to prune: rendering produced zero resources (set syncPolicy.automated.allowEmpty to allow an empty application)', c.commit);
  }
  const inSync = syncOptions.has('ApplyOutOfSyncOnly=true') ? new Set([...c.comparison.diffs].filter(([, d]) => d.state === 'Synced').map(([id]) => id)) : undefined;
  const plan = planSync({
    desired: c.prepared.objects,
    live: c.comparison.live,
    prune,
    pruneLast: syncOptions.has('PruneLast=true'),
    ...(request.resources ? { only: new Set(request.resources.map(keyString)) } : {}),
    ...(inSync ? { inSync } : {}),
  });
  if (syncOptions.has('FailOnSharedResource=true')) {
    for (const t of plan.tasks) {
      const owner = c.handle.cache.get(t.key)?.metadata.labels?.[APP_LABEL];
      if (owner && owner !== record.name) return failed(`${t.key.kind}/${t.key.name} is already managed by application ${owner} (FailOnSharedResource)`, c.commit);
    }
  }
  const { cache, client } = c.handle;
  const state = await runSyncOperation(
    {
      client,
      observed: (task) => cache.get(task.key),
      health: resourceHealth,
      // What the server stored is, by definition, in sync with what was applied: remember it so
      // the comparison after the watch event needs no dry run (only a later change does).
      applied: (task, stored) => {
        if (!task.desired) return;
        rt.memo.set(task.id, { desired: c.prepared.fingerprints.get(task.id) ?? specFingerprint(task.desired), live: specFingerprint(normalize(stored, record.spec.ignoreDifferences)), diff: { key: task.key, state: 'Synced', diff: '' } });
      },
    },
    {
      app: record.name,
      revision: c.commit,
      trigger,
      actor,
      plan,
      dryRun: request.dryRun ?? false,
      syncOptions,
      ...(syncOptions.has('CreateNamespace=true') && record.spec.destination.namespace ? { createNamespace: record.spec.destination.namespace } : {}),
      stepTimeoutMs: ctx.options.stepTimeoutMs,
      signal,
      onUpdate: (s) => { rt.status = { ...rt.status, operationState: s }; },
    },
  );
  if (!request.dryRun) {
    if (state.phase === 'Succeeded') rt.status = { ...rt.status, syncedRevision: c.commit };
    await ctx.deps.store.appendHistory({ app: record.name, revision: c.commit, manifestDigest: manifestDigest(c.prepared.objects), source, trigger, actor, startedAt: state.startedAt, finishedAt: state.finishedAt ?? Date.now(), phase: state.phase, message: state.message });
  }
  return state;
}
