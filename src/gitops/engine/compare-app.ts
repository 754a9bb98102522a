/**
 * One comparison of an application: resolve the revision, render (or reuse
 * the last preparation), prepare, make sure the watch cache covers the
 * kinds, then compare with the live state. Never throws: a failure is the
 * `{ ok: false }` answer, which the callers turn into a condition or a
 * refused operation (nothing applied, nothing pruned).
 */
import type { ApplicationSource } from '../model.ts';
import type { KubeObject } from '../types.ts';
import { errorMessage, type Compared, type EngineDeps, type Runtime } from './app-state.ts';
import type { ClusterHandles } from './clusters.ts';
import { compareObjects } from './compare.ts';
import { prepareObjects, type PreparedObjects } from './prepare.ts';

export async function compareApp(deps: EngineDeps, clusters: ClusterHandles, rt: Runtime, source: ApplicationSource, revision: string, maxAgeMs: number, hard: boolean, fetchedSince?: number): Promise<Compared> {
  const { record } = rt;
  try {
    const handle = await clusters.forDestination(record.spec.destination);
    const policy = await deps.policies.get(record.spec.project);
    if (!policy) return { ok: false, message: `project ${record.spec.project} has no delivery policy` };
    const repo = await deps.repositories.access(source.repoURL);
    let commit: string;
    try {
      commit = await deps.git.resolve(repo, revision, fetchedSince === undefined ? { maxAgeMs } : { maxAgeMs, fetchedSince });
    } catch (err) {
      return { ok: false, message: `repository ${source.repoURL} unreachable or revision ${revision} unknown: ${errorMessage(err)}` };
    }
    // The same commit, source, destination and policy give the same objects:
    // reuse the last preparation (no render call, no clone, no fingerprints).
    const preparedKey = `${handle.connection.server}\0${commit}\0${JSON.stringify(source)}\0${record.spec.destination.namespace}\0${JSON.stringify(policy)}`;
    let prepared: PreparedObjects;
    if (!hard && rt.prepared?.key === preparedKey) {
      prepared = rt.prepared.objects;
    } else {
      let rendered: KubeObject[];
      try {
        const treeDir = await deps.git.tree(repo, commit);
        rendered = await deps.render({ treeDir, source, commit, appName: record.name, namespace: record.spec.destination.namespace }, source.repoURL, hard);
      } catch (err) {
        return { ok: false, message: `rendering ${source.path} at ${commit.slice(0, 12)} failed: ${errorMessage(err)}` };
      }
      prepared = await prepareObjects(record.name, rendered, { client: handle.client, namespace: record.spec.destination.namespace, policy, resourceAllowed: deps.resourceAllowed, revision: commit });
      // Only the app's own target is remembered (a rollback's source must not replace it), and
      // not while a kind is unknown (its CRD, maybe in this very app, may be served soon).
      if (source === record.spec.source && prepared.unknownKinds.size === 0) rt.prepared = { key: preparedKey, objects: prepared };
    }
    for (const t of prepared.types) rt.managedTypes.set(`${t.group}/${t.kind}`, t);
    await handle.cache.watch([...rt.managedTypes.values()]);
    const comparison = await compareObjects({ desired: prepared.objects, fingerprints: prepared.fingerprints, unknownKinds: prepared.unknownKinds, client: handle.client, cache: handle.cache, app: record.name, ignore: record.spec.ignoreDifferences, memo: rt.memo, fresh: hard });
    return { ok: true, commit, handle, prepared, comparison, source };
  } catch (err) {
    return { ok: false, message: errorMessage(err) };
  }
}
