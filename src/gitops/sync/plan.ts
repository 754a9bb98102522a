/**
 * Turns desired and live objects into an ordered list of sync tasks:
 * phase (PreSync → Sync → PostSync), then wave, then kind (namespaces and
 * CRDs before what lives in them), then name — the order Argo CD users rely
 * on. Pruning runs after the applies of its wave, waves in reverse.
 */
import { keyString, resourceKeyOf } from '../kube/diff.ts';
import type { HookType, KubeObject, ResourceKey } from '../types.ts';
import { hookDeletePolicies, hookTypes, resourceSyncOptions, syncWave, type HookDeletePolicy } from './annotations.ts';

export type SyncPhase = 'PreSync' | 'Sync' | 'PostSync' | 'SyncFail';
export const PHASES: readonly SyncPhase[] = ['PreSync', 'Sync', 'PostSync'];

export interface SyncTask {
  key: ResourceKey;
  id: string;
  action: 'apply' | 'prune' | 'hook';
  phase: SyncPhase;
  wave: number;
  desired?: KubeObject;
  live?: KubeObject;
  hook?: HookType;
  deletePolicies: ReadonlySet<HookDeletePolicy>;
  /** Per-resource sync options (annotation), e.g. Prune=false. */
  options: ReadonlySet<string>;
}

/** gitops-engine's kind order; kinds not listed sort after these, by name. */
const KIND_ORDER = [
  'Namespace', 'NetworkPolicy', 'ResourceQuota', 'LimitRange', 'PodSecurityPolicy', 'PodDisruptionBudget', 'ServiceAccount',
  'Secret', 'SecretList', 'ConfigMap', 'StorageClass', 'PersistentVolume', 'PersistentVolumeClaim', 'CustomResourceDefinition',
  'ClusterRole', 'ClusterRoleList', 'ClusterRoleBinding', 'ClusterRoleBindingList', 'Role', 'RoleList', 'RoleBinding',
  'RoleBindingList', 'Service', 'DaemonSet', 'Pod', 'ReplicationController', 'ReplicaSet', 'Deployment',
  'HorizontalPodAutoscaler', 'StatefulSet', 'Job', 'CronJob', 'IngressClass', 'Ingress', 'APIService',
];
const kindRank = (kind: string) => {
  const i = KIND_ORDER.indexOf(kind);
  return i === -1 ? KIND_ORDER.length : i;
};

export function describeKey(key: ResourceKey): string {
  return `${key.kind}${key.group ? `.${key.group}` : ''}/${key.namespace ? `${key.namespace}/` : ''}${key.name}`;
}

/** Whether this object is a hook (it then never counts as a regular resource or prune candidate). */
export function isHook(obj: KubeObject): boolean {
  return hookTypes(obj).length > 0;
}

/** Namespaces and CRDs go ahead of their wave so that what lives in them can be applied. */
const isFoundation = (t: SyncTask) => t.phase === 'Sync' && t.action === 'apply' && (t.key.kind === 'Namespace' || t.key.kind === 'CustomResourceDefinition');

function compareTasks(a: SyncTask, b: SyncTask): number {
  const phase = PHASES.indexOf(a.phase) - PHASES.indexOf(b.phase);
  if (phase !== 0) return phase;
  const found = Number(isFoundation(b)) - Number(isFoundation(a));
  if (found !== 0) return found;
  if (isFoundation(a) && a.key.kind !== b.key.kind) return kindRank(a.key.kind) - kindRank(b.key.kind);
  if (a.wave !== b.wave) return a.wave - b.wave;
  // Prunes after the applies of the same wave.
  const prune = Number(a.action === 'prune') - Number(b.action === 'prune');
  if (prune !== 0) return prune;
  const kind = a.action === 'prune' ? kindRank(b.key.kind) - kindRank(a.key.kind) : kindRank(a.key.kind) - kindRank(b.key.kind);
  if (kind !== 0) return kind;
  if (a.key.kind !== b.key.kind) return a.key.kind < b.key.kind ? -1 : 1;
  return a.key.name < b.key.name ? -1 : a.key.name > b.key.name ? 1 : 0;
}

export interface PlanInput {
  /** Desired objects (namespaces set, tracking label added). Hooks included. */
  desired: readonly KubeObject[];
  /** Live objects carrying the app's tracking label. */
  live: readonly KubeObject[];
  prune: boolean;
  /** PruneLast=true: every prune after every other task of the Sync phase. */
  pruneLast: boolean;
  /** Selective sync: only these ids (keyString). */
  only?: ReadonlySet<string>;
  /** ApplyOutOfSyncOnly: ids known to be in sync are skipped. */
  inSync?: ReadonlySet<string>;
}

export interface Plan {
  tasks: SyncTask[];
  syncFailHooks: SyncTask[];
  /** Live objects that should be pruned but are not (prune off, Prune=false). */
  pruneSkipped: SyncTask[];
}

export function planSync(input: PlanInput): Plan {
  const tasks: SyncTask[] = [];
  const syncFailHooks: SyncTask[] = [];
  const pruneSkipped: SyncTask[] = [];
  const desiredIds = new Set<string>();
  const liveById = new Map(input.live.map((o) => [keyString(resourceKeyOf(o)), o] as const));
  let maxWave = Number.NEGATIVE_INFINITY;

  for (const obj of input.desired) {
    const key = resourceKeyOf(obj);
    const id = keyString(key);
    desiredIds.add(id);
    const hooks = hookTypes(obj);
    const options = resourceSyncOptions(obj);
    const wave = syncWave(obj);
    const live = liveById.get(id);
    if (hooks.includes('Skip')) continue;
    if (hooks.length === 0) {
      if (input.only && !input.only.has(id)) continue;
      if (input.inSync?.has(id)) continue;
      tasks.push({ key, id, action: 'apply', phase: 'Sync', wave, desired: obj, ...(live ? { live } : {}), deletePolicies: new Set(), options });
      maxWave = Math.max(maxWave, wave);
      continue;
    }
    // Hooks run only in full syncs (Argo CD skips them for selective syncs).
    if (input.only) continue;
    for (const hook of hooks) {
      const task: SyncTask = { key, id, action: 'hook', phase: hook === 'SyncFail' ? 'SyncFail' : (hook as SyncPhase), wave, desired: obj, hook, deletePolicies: hookDeletePolicies(obj), options, ...(live ? { live } : {}) };
      if (hook === 'SyncFail') syncFailHooks.push(task);
      else tasks.push(task);
    }
  }

  for (const [id, live] of liveById) {
    if (desiredIds.has(id) || isHook(live)) continue;
    if (input.only && !input.only.has(id)) continue;
    // Objects created by controllers on Berth's behalf (e.g. ReplicaSets copying labels) are not Berth's to prune.
    if (live.metadata.ownerReferences?.some((r) => r.controller)) continue;
    const options = resourceSyncOptions(live);
    const wave = syncWave(live);
    const task: SyncTask = { key: resourceKeyOf(live), id, action: 'prune', phase: 'Sync', wave, live, deletePolicies: new Set(), options };
    if (!input.prune || options.has('Prune=false')) pruneSkipped.push(task);
    else tasks.push(task);
  }

  // Prunes run in reverse wave order: swap the prune waves symmetrically (as gitops-engine does),
  // so what was created last is deleted first while keeping prunes interleaved with applies.
  const pruneTasks = tasks.filter((t) => t.action === 'prune');
  const pruneWaves = [...new Set(pruneTasks.map((t) => t.wave))].sort((a, b) => a - b);
  const swapped = new Map(pruneWaves.map((w, i) => [w, pruneWaves[pruneWaves.length - 1 - i]!] as const));
  for (const t of pruneTasks) t.wave = swapped.get(t.wave) ?? t.wave;

  if (input.pruneLast) {
    const last = Number.isFinite(maxWave) ? maxWave : 0;
    for (const t of tasks) if (t.action === 'prune') t.wave = Math.max(t.wave, last) + 0.5; // after every apply wave
  }
  tasks.sort(compareTasks);
  syncFailHooks.sort(compareTasks);
  return { tasks, syncFailHooks, pruneSkipped };
}

/** Tasks grouped into consecutive steps of the same phase and wave, in order. */
export function steps(tasks: readonly SyncTask[]): SyncTask[][] {
  const out: SyncTask[][] = [];
  for (const t of tasks) {
    const last = out.at(-1);
    const head = last?.[0];
    if (last && head && head.phase === t.phase && head.wave === t.wave && isFoundation(head) === isFoundation(t)) last.push(t);
    else out.push([t]);
  }
  return out;
}
