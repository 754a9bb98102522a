/**
 * Resource health, following Argo CD's gitops-engine (pkg/health) and its
 * built-in Lua checks for CronJob and CustomResourceDefinition; see each
 * kind's file for the rules. Kinds without a check of their own fall back to
 * the conventional status.conditions (generic.ts).
 */
import { groupOf } from '../kube/diff.ts';
import type { Health, HealthStatus, KubeObject } from '../types.ts';
import { apiServiceHealth } from './apiservice.ts';
import { crdHealth } from './crd.ts';
import { cronJobHealth } from './cronjob.ts';
import { daemonSetHealth } from './daemonset.ts';
import { deploymentHealth } from './deployment.ts';
import { genericHealth } from './generic.ts';
import { hpaHealth } from './hpa.ts';
import { ingressHealth } from './ingress.ts';
import { jobHealth } from './job.ts';
import { namespaceHealth } from './namespace.ts';
import { podHealth } from './pod.ts';
import { pvcHealth } from './pvc.ts';
import { replicaSetHealth } from './replicaset.ts';
import { serviceHealth } from './service.ts';
import { statefulSetHealth } from './statefulset.ts';

type Check = (obj: KubeObject) => Health;

/** `group/kind` → check. */
const CHECKS = new Map<string, Check>([
  ['apps/Deployment', deploymentHealth],
  ['apps/StatefulSet', statefulSetHealth],
  ['apps/DaemonSet', daemonSetHealth],
  ['apps/ReplicaSet', replicaSetHealth],
  ['/Pod', podHealth],
  ['/Service', serviceHealth],
  ['/PersistentVolumeClaim', pvcHealth],
  ['/Namespace', namespaceHealth],
  ['networking.k8s.io/Ingress', ingressHealth],
  ['extensions/Ingress', ingressHealth],
  ['batch/Job', jobHealth],
  ['batch/CronJob', cronJobHealth],
  ['autoscaling/HorizontalPodAutoscaler', hpaHealth],
  ['apiextensions.k8s.io/CustomResourceDefinition', crdHealth],
  ['apiregistration.k8s.io/APIService', apiServiceHealth],
]);

/** Argo's health.IsWorse order, best first. */
export const HEALTH_ORDER: readonly HealthStatus[] = ['Healthy', 'Suspended', 'Progressing', 'Missing', 'Degraded', 'Unknown'];

/** True when `a` is worse than `b` (gitops-engine's health.IsWorse). */
export function isWorse(a: HealthStatus, b: HealthStatus): boolean {
  return HEALTH_ORDER.indexOf(a) > HEALTH_ORDER.indexOf(b);
}

/** The worst of `list` (with its message); Healthy for an empty list. */
export function worstHealth(list: readonly Health[]): Health {
  let worst: Health = { status: 'Healthy' };
  for (const h of list) if (isWorse(h.status, worst.status)) worst = h;
  return worst;
}


/** The health of one live object; undefined (not in the cluster) → Missing. */
export function resourceHealth(obj: KubeObject | undefined): Health {
  if (obj === undefined) return { status: 'Missing' };
  if (obj.metadata?.deletionTimestamp) return { status: 'Progressing', message: 'Pending deletion' };
  const check = CHECKS.get(`${groupOf(obj.apiVersion ?? '')}/${obj.kind}`) ?? genericHealth;
  try {
    return check(obj);
  } catch (err) {
    return { status: 'Unknown', message: `health check failed: ${(err as Error).message}` };
  }
}

export { HEALTH_STATUSES } from '../types.ts';
