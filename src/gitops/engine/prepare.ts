/**
 * Makes rendered objects ready to compare and apply: resolves each kind
 * through discovery, sets the destination namespace on namespaced objects
 * that have none (and removes it from cluster-scoped ones), names
 * generateName hooks deterministically, checks the project's resource
 * policy, and adds the tracking label and annotation.
 */
import { createHash } from 'node:crypto';
import { AccessError } from '../../access/errors.ts';
import type { DeliveryPolicy } from '../model.ts';
import { groupOf, specFingerprint } from '../kube/diff.ts';
import { isHook } from '../sync/plan.ts';
import { APP_LABEL, TRACKING_ANNOTATION, type KubeClient, type KubeObject, type ResourceType } from '../types.ts';

export interface PreparedObjects {
  objects: KubeObject[];
  /** Resource types of the objects, for the watch cache (kinds not yet served, e.g. CRs of a CRD in the same app, are absent). */
  types: ResourceType[];
  /** Ids (group/kind) whose kind is not served yet: no dry run possible. */
  unknownKinds: Set<string>;
  /** specFingerprint of each object, by resource id (computed once per preparation). */
  fingerprints: Map<string, string>;
}

export type ResourceAllowed = (policy: DeliveryPolicy, group: string, kind: string, namespaced: boolean) => boolean;

interface CrdScope { group: string; kind: string; namespaced: boolean }

function crdScopes(objects: readonly KubeObject[]): CrdScope[] {
  const out: CrdScope[] = [];
  for (const o of objects) {
    if (o.kind !== 'CustomResourceDefinition') continue;
    const spec = o['spec'] as { group?: string; names?: { kind?: string }; scope?: string } | undefined;
    if (spec?.group && spec.names?.kind) out.push({ group: spec.group, kind: spec.names.kind, namespaced: spec.scope !== 'Cluster' });
  }
  return out;
}

export async function prepareObjects(
  app: string,
  rendered: readonly KubeObject[],
  options: { client: KubeClient; namespace: string; policy: DeliveryPolicy; resourceAllowed: ResourceAllowed; revision: string },
): Promise<PreparedObjects> {
  const crds = crdScopes(rendered);
  const types = new Map<string, ResourceType>();
  const unknownKinds = new Set<string>();
  const denied: string[] = [];
  const seen = new Set<string>();
  const objects: KubeObject[] = [];
  const fingerprints = new Map<string, string>();

  for (const source of rendered) {
    const obj = structuredClone(source);
    const group = groupOf(obj.apiVersion);
    let namespaced: boolean;
    try {
      const type = await options.client.resourceType(obj.apiVersion, obj.kind);
      types.set(`${type.group}/${type.version}/${type.kind}`, type);
      namespaced = type.namespaced;
    } catch (err) {
      const crd = crds.find((c) => c.group === group && c.kind === obj.kind);
      if (!crd) throw new AccessError('BAD_REQUEST', `${obj.kind} (${obj.apiVersion}) ${obj.metadata.name}: the cluster does not serve this kind: ${(err as Error).message}`);
      namespaced = crd.namespaced;
      unknownKinds.add(`${group}/${obj.kind}`);
    }
    if (!options.resourceAllowed(options.policy, group, obj.kind, namespaced)) denied.push(`${group || 'core'}/${obj.kind}`);

    const meta = obj.metadata;
    if (namespaced) {
      if (!meta.namespace) {
        if (!options.namespace) throw new AccessError('BAD_REQUEST', `${obj.kind}/${meta.name}: namespaced object without a namespace, and the application's destination has none`);
        meta.namespace = options.namespace;
      }
    } else {
      delete meta.namespace;
    }
    if (!meta.name) {
      const generate = meta['generateName'];
      if (typeof generate !== 'string' || !isHook(obj)) throw new AccessError('BAD_REQUEST', `a ${obj.kind} has no metadata.name`);
      // Stable per revision, so a retried sync finds the hook it created.
      meta.name = generate + createHash('sha256').update(`${app}\0${options.revision}\0${JSON.stringify(obj)}`).digest('hex').slice(0, 5);
      delete meta['generateName'];
    }
    const id = `${group}/${obj.kind}/${meta.namespace ?? ''}/${meta.name}`;
    if (seen.has(id)) throw new AccessError('BAD_REQUEST', `${obj.kind}/${meta.name} appears twice in the rendered manifests`);
    seen.add(id);
    meta.labels = { ...meta.labels, [APP_LABEL]: app };
    meta.annotations = { ...meta.annotations, [TRACKING_ANNOTATION]: `${app}:${group}/${obj.kind}:${meta.namespace ?? ''}/${meta.name}` };
    objects.push(obj);
    fingerprints.set(id, specFingerprint(obj));
  }
  if (denied.length > 0) {
    throw new AccessError('FORBIDDEN', `the project's delivery policy does not allow these kinds: ${[...new Set(denied)].join(', ')}`);
  }
  return { objects, types: [...types.values()], unknownKinds, fingerprints };
}
