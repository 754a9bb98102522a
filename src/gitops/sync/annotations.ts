/**
 * Per-resource sync settings read from annotations. Argo CD's annotation
 * names are honoured as they are (manifests written for Argo CD behave the
 * same), with `berth.dev/…` equivalents; Helm hook annotations map to phases
 * the way Argo CD maps them.
 */
import type { HookType, KubeObject } from '../types.ts';

export type HookDeletePolicy = 'HookSucceeded' | 'HookFailed' | 'BeforeHookCreation';

const PREFIXES = ['berth.dev/', 'argocd.argoproj.io/'] as const;

function annotation(obj: KubeObject, name: string): string | undefined {
  const annotations = obj.metadata.annotations;
  if (!annotations) return undefined;
  for (const prefix of PREFIXES) {
    const v = annotations[prefix + name];
    if (v !== undefined) return v;
  }
  return undefined;
}

function list(value: string | undefined): string[] {
  return value === undefined ? [] : value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

/** The sync wave (default 0; may be negative). A malformed value is an error naming the object. */
export function syncWave(obj: KubeObject): number {
  const raw = annotation(obj, 'sync-wave') ?? obj.metadata.annotations?.['helm.sh/hook-weight'];
  if (raw === undefined || raw.trim() === '') return 0;
  const n = Number(raw.trim());
  if (!Number.isInteger(n)) throw new Error(`${obj.kind}/${obj.metadata.name}: sync-wave "${raw}" is not an integer`);
  return n;
}

const HOOK_TYPES: readonly HookType[] = ['PreSync', 'Sync', 'PostSync', 'SyncFail', 'Skip'];
const HELM_HOOKS: Record<string, HookType> = {
  'pre-install': 'PreSync',
  'pre-upgrade': 'PreSync',
  'post-install': 'PostSync',
  'post-upgrade': 'PostSync',
};

/** The hook types of an object; empty for a regular resource. */
export function hookTypes(obj: KubeObject): HookType[] {
  const own = list(annotation(obj, 'hook'));
  if (own.length > 0) {
    for (const h of own) if (!(HOOK_TYPES as readonly string[]).includes(h)) throw new Error(`${obj.kind}/${obj.metadata.name}: unknown hook "${h}" (one of ${HOOK_TYPES.join(', ')})`);
    return own as HookType[];
  }
  const helm = list(obj.metadata.annotations?.['helm.sh/hook']);
  return [...new Set(helm.map((h) => HELM_HOOKS[h]).filter((h): h is HookType => h !== undefined))];
}

/** Delete policies of a hook; BeforeHookCreation when none is given (Argo CD's default). */
export function hookDeletePolicies(obj: KubeObject): Set<HookDeletePolicy> {
  const own = list(annotation(obj, 'hook-delete-policy'));
  const helm = list(obj.metadata.annotations?.['helm.sh/hook-delete-policy']).map((p) =>
    p === 'hook-succeeded' ? 'HookSucceeded' : p === 'hook-failed' ? 'HookFailed' : p === 'before-hook-creation' ? 'BeforeHookCreation' : p,
  );
  const all = [...own, ...helm];
  for (const p of all) {
    if (p !== 'HookSucceeded' && p !== 'HookFailed' && p !== 'BeforeHookCreation') throw new Error(`${obj.kind}/${obj.metadata.name}: unknown hook-delete-policy "${p}"`);
  }
  return new Set(all.length > 0 ? (all as HookDeletePolicy[]) : ['BeforeHookCreation']);
}

/** Sync options set on the object itself, e.g. Prune=false, Replace=true. */
export function resourceSyncOptions(obj: KubeObject): Set<string> {
  return new Set(list(annotation(obj, 'sync-options')));
}
