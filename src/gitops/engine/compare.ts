/**
 * Compares an application's desired objects with the live ones from the
 * watch cache. The desired side of a diff is a server-side dry-run apply,
 * so server defaults and mutating webhooks are on both sides; a fingerprint
 * of both sides lets later comparisons skip the dry run when neither changed
 * (status updates do not count as changes).
 */
import { resourceHealth, worstHealth } from '../health/index.ts';
import { diffObjects, keyString, normalize, resourceKeyOf, specFingerprint } from '../kube/diff.ts';
import type { IgnoreDifference } from '../model.ts';
import { isHook } from '../sync/plan.ts';
import type { ClusterCache, Health, KubeClient, KubeObject, ResourceDiff, ResourceStatus, SyncStatusCode } from '../types.ts';

export interface CachedDiff {
  desired: string;
  live: string;
  diff: ResourceDiff;
}

export interface Comparison {
  status: SyncStatusCode;
  health: Health;
  resources: ResourceStatus[];
  diffs: Map<string, ResourceDiff>;
  /** Live objects of the app (tracking label), hooks included. */
  live: KubeObject[];
}

export async function compareObjects(options: {
  desired: readonly KubeObject[];
  /** specFingerprint of each desired object by resource id, when known. */
  fingerprints?: ReadonlyMap<string, string>;
  unknownKinds: ReadonlySet<string>;
  client: KubeClient;
  cache: ClusterCache;
  app: string;
  ignore: readonly IgnoreDifference[];
  /** Per-app memo of earlier diffs, keyed by resource id. */
  memo: Map<string, CachedDiff>;
  /** Force dry runs (hard refresh). */
  fresh?: boolean;
}): Promise<Comparison> {
  const { desired, cache, client, app, memo } = options;
  const ignore = [...options.ignore];
  const diffs = new Map<string, ResourceDiff>();
  const resources: ResourceStatus[] = [];
  const healths: Health[] = [];
  const desiredIds = new Set<string>();

  const work = desired.map(async (obj) => {
    const key = resourceKeyOf(obj);
    const id = keyString(key);
    desiredIds.add(id);
    const hook = isHook(obj);
    const version = obj.apiVersion.split('/').pop() ?? '';
    if (hook) {
      resources.push({ key, version, status: 'Synced', hook: true });
      return;
    }
    const live = cache.get(key);
    let diff: ResourceDiff;
    if (!live) {
      diff = { key, state: 'OutOfSync', reason: 'missing', diff: '' };
      memo.delete(id);
    } else {
      const desiredPrint = options.fingerprints?.get(id) ?? specFingerprint(obj);
      const livePrint = specFingerprint(normalize(live, ignore));
      const known = memo.get(id);
      if (!options.fresh && known && known.desired === desiredPrint && known.live === livePrint) {
        diff = known.diff;
      } else if (options.unknownKinds.has(`${key.group}/${key.kind}`)) {
        diff = { key, state: 'OutOfSync', reason: 'changed', diff: '' };
      } else {
        const dryRun = await client.apply(obj, { dryRun: true, force: true });
        diff = diffObjects(key, live, dryRun, ignore);
        memo.set(id, { desired: desiredPrint, live: livePrint, diff });
      }
    }
    diffs.set(id, diff);
    const health = resourceHealth(live);
    healths.push(health);
    resources.push({ key, version, status: diff.state, health });
  });
  // A failed dry run fails the comparison: the caller records it as a condition.
  await Promise.all(work);

  const live = cache.byApp(app);
  for (const obj of live) {
    const key = resourceKeyOf(obj);
    const id = keyString(key);
    if (desiredIds.has(id) || isHook(obj) || obj.metadata.ownerReferences?.some((r) => r.controller)) continue;
    const diff: ResourceDiff = { key, state: 'OutOfSync', reason: 'extra', diff: '' };
    diffs.set(id, diff);
    resources.push({ key, version: obj.apiVersion.split('/').pop() ?? '', status: 'OutOfSync', requiresPruning: true, health: resourceHealth(obj) });
  }
  for (const id of memo.keys()) if (!desiredIds.has(id)) memo.delete(id);

  resources.sort((a, b) => (keyString(a.key) < keyString(b.key) ? -1 : 1));
  const outOfSync = [...diffs.values()].some((d) => d.state === 'OutOfSync');
  return {
    status: outOfSync ? 'OutOfSync' : 'Synced',
    health: healths.length === 0 ? { status: 'Healthy' } : worstHealth(healths),
    resources,
    diffs,
    live,
  };
}
