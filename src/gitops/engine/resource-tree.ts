/**
 * An application's resource tree, as Argo CD shows it: the managed resources
 * (from the last comparison, with their sync state and health) and what the
 * cluster made from them, found by ownerReferences (Deployment → ReplicaSet
 * → Pod, Service → EndpointSlice, CronJob → Job → Pod, StatefulSet →
 * ControllerRevision …). Children are listed live from the cluster, per
 * namespace and kind, and the lists are kept a few seconds so a page that
 * polls, or many viewers, do not list again on every request. Bounded: at
 * most MAX_NODES nodes (`truncated` says when more exist).
 */
import { groupOf } from '../kube/diff.ts';
import { resourceHealth } from '../health/index.ts';
import type { ApplicationStatus, ClusterCache, KubeClient, KubeObject, ResourceKey, ResourceNode, ResourceNodeInfo, ResourceTree, ResourceType } from '../types.ts';

export const MAX_NODES = 2_000;
const LIST_CACHE_MS = 3_000;
const LIST_CACHE_MAX = 500;

/** Kinds the cluster creates for managed resources, listed to find children. */
const CHILD_KINDS: readonly { apiVersion: string; kind: string }[] = [
  { apiVersion: 'apps/v1', kind: 'ReplicaSet' },
  { apiVersion: 'v1', kind: 'Pod' },
  { apiVersion: 'apps/v1', kind: 'ControllerRevision' },
  { apiVersion: 'batch/v1', kind: 'Job' },
  { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice' },
];

/** Short-lived lists of child kinds per cluster, namespace and kind. */
export class ChildListCache {
  readonly #lists = new Map<string, { at: number; items: Promise<KubeObject[]> }>();

  list(server: string, client: KubeClient, type: ResourceType, namespace: string): Promise<KubeObject[]> {
    const key = `${server}\0${namespace}\0${type.group}/${type.kind}`;
    const now = Date.now();
    const hit = this.#lists.get(key);
    if (hit && now - hit.at < LIST_CACHE_MS) return hit.items;
    if (this.#lists.size >= LIST_CACHE_MAX) for (const [k, v] of this.#lists) if (now - v.at >= LIST_CACHE_MS) this.#lists.delete(k);
    const items = client.list(type, { namespace }).then((r) => r.items);
    items.catch(() => this.#lists.delete(key));
    this.#lists.set(key, { at: now, items });
    return items;
  }
}

export async function buildResourceTree(
  handle: { connection: { server: string }; client: KubeClient; cache: ClusterCache },
  status: ApplicationStatus,
  destinationNamespace: string,
  lists: ChildListCache,
): Promise<ResourceTree> {
  const nodes: ResourceNode[] = [];
  const byUid = new Map<string, ResourceNode>();
  let truncated = false;
  const add = (node: ResourceNode) => {
    if (nodes.length >= MAX_NODES) {
      truncated = true;
      return;
    }
    nodes.push(node);
    if (node.uid) byUid.set(node.uid, node);
  };

  const namespaces = new Set<string>(destinationNamespace ? [destinationNamespace] : []);
  for (const r of status.resources) {
    if (r.hook) continue;
    // The watch cache of the process operating the app; another process asks the cluster.
    const live = handle.cache.get(r.key) ?? (await handle.client.get(r.key.group ? `${r.key.group}/${r.version}` : r.version, r.key.kind, r.key.namespace, r.key.name).catch(() => undefined));
    if (r.key.namespace) namespaces.add(r.key.namespace);
    add({
      ...keyFields(r.key),
      version: r.version,
      ...(live?.metadata.uid ? { uid: live.metadata.uid } : {}),
      parentRefs: [],
      managed: true,
      sync: r.status,
      ...(r.requiresPruning ? { requiresPruning: true } : {}),
      health: r.health ?? (live ? resourceHealth(live) : { status: 'Missing' }),
      info: live ? infoOf(live) : {},
    });
  }

  // What the cluster made: every object of the child kinds in those namespaces, kept when its owner is in the tree.
  const candidates: KubeObject[] = [];
  for (const { apiVersion, kind } of CHILD_KINDS) {
    const type = await handle.client.resourceType(apiVersion, kind).catch(() => undefined);
    if (!type) continue; // not served by this cluster
    for (const ns of namespaces) candidates.push(...(await lists.list(handle.connection.server, handle.client, type, ns)));
  }
  let pending = candidates.filter((o) => o.metadata.uid && !byUid.has(o.metadata.uid) && (o.metadata.ownerReferences?.length ?? 0) > 0);
  // Owners first: each round adds the objects whose owner is already in the tree (Pod after its ReplicaSet).
  for (let grew = true; grew && pending.length > 0; ) {
    grew = false;
    const rest: KubeObject[] = [];
    for (const o of pending) {
      const owners = (o.metadata.ownerReferences ?? []).filter((ref) => byUid.has(ref.uid));
      if (owners.length === 0) {
        rest.push(o);
        continue;
      }
      add({
        group: groupOf(o.apiVersion),
        version: o.apiVersion.slice(o.apiVersion.indexOf('/') + 1),
        kind: o.kind,
        namespace: o.metadata.namespace ?? '',
        name: o.metadata.name,
        uid: o.metadata.uid!,
        parentRefs: owners.map((ref) => {
          const parent = byUid.get(ref.uid)!;
          return { group: parent.group, kind: parent.kind, namespace: parent.namespace, name: parent.name, uid: ref.uid };
        }),
        managed: false,
        health: resourceHealth(o),
        info: infoOf(o),
      });
      grew = true;
    }
    pending = rest;
    if (truncated) break;
  }
  return { nodes, truncated };
}

const keyFields = (k: ResourceKey) => ({ group: k.group, kind: k.kind, namespace: k.namespace, name: k.name });

/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-explicit-any -- reading well-known fields of live objects */
function infoOf(o: KubeObject): ResourceNodeInfo {
  const info: ResourceNodeInfo = {};
  const spec = o.spec as any;
  const st = o.status as any;
  if (o.metadata.creationTimestamp) info.createdAt = o.metadata.creationTimestamp;
  const podSpec = o.kind === 'Pod' ? spec : o.kind === 'CronJob' ? spec?.jobTemplate?.spec?.template?.spec : spec?.template?.spec;
  const containers = [...((podSpec?.initContainers as any[]) ?? []), ...((podSpec?.containers as any[]) ?? [])];
  const images = [...new Set(containers.map((c) => c?.image).filter((i): i is string => typeof i === 'string'))];
  if (images.length > 0) info.images = images;
  if (['Deployment', 'ReplicaSet', 'StatefulSet'].includes(o.kind) && o.apiVersion.startsWith('apps/')) {
    info.replicas = { ready: Number(st?.readyReplicas ?? 0), desired: Number(spec?.replicas ?? 1) };
  } else if (o.kind === 'DaemonSet') {
    info.replicas = { ready: Number(st?.numberReady ?? 0), desired: Number(st?.desiredNumberScheduled ?? 0) };
  }
  if (o.kind === 'Pod' && o.apiVersion === 'v1') {
    if (typeof st?.phase === 'string') info.podPhase = st.phase;
    const statuses = (st?.containerStatuses as any[]) ?? [];
    info.ready = `${statuses.filter((c) => c?.ready === true).length}/${(spec?.containers as any[] | undefined)?.length ?? statuses.length}`;
    info.restarts = statuses.reduce((n: number, c) => n + Number(c?.restartCount ?? 0), 0);
  }
  return info;
}
/* eslint-enable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-explicit-any */
