/** apps/ReplicaSet, as gitops-engine's getAppsv1ReplicaSetHealth. */
import type { Health, KubeObject } from '../types.ts';
import { condition, health, num, optNum, spec, status } from './common.ts';

export function replicaSetHealth(obj: KubeObject): Health {
  const st = status(obj);
  if (num(obj.metadata.generation) > num(st.observedGeneration)) {
    return health('Progressing', 'Waiting for rollout to finish: observed replica set generation less than desired generation');
  }
  const failure = condition(obj, 'ReplicaFailure');
  if (failure?.status === 'True') return health('Degraded', failure.message);
  const replicas = optNum(spec(obj).replicas);
  const available = num(st.availableReplicas);
  if (replicas !== undefined && available < replicas) {
    return health('Progressing', `Waiting for rollout to finish: ${available} out of ${replicas} new replicas are available...`);
  }
  return health('Healthy');
}
