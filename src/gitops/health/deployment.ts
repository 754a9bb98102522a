/** apps/Deployment, as gitops-engine's getAppsv1DeploymentHealth (kubectl rollout status). */
import type { Health, KubeObject } from '../types.ts';
import { condition, health, num, optNum, spec, status } from './common.ts';

export function deploymentHealth(obj: KubeObject): Health {
  const sp = spec(obj);
  const st = status(obj);
  if (sp.paused === true) return health('Suspended', 'Deployment is paused');
  if (num(obj.metadata.generation) > num(st.observedGeneration)) {
    return health('Progressing', 'Waiting for rollout to finish: observed deployment generation less than desired generation');
  }
  const replicas = optNum(sp.replicas);
  const updated = num(st.updatedReplicas);
  const current = num(st.replicas);
  const available = num(st.availableReplicas);
  if (condition(obj, 'Progressing')?.reason === 'ProgressDeadlineExceeded') {
    return health('Degraded', `Deployment "${obj.metadata.name}" exceeded its progress deadline`);
  }
  if (replicas !== undefined && updated < replicas) {
    return health('Progressing', `Waiting for rollout to finish: ${updated} out of ${replicas} new replicas have been updated...`);
  }
  if (current > updated) {
    return health('Progressing', `Waiting for rollout to finish: ${current - updated} old replicas are pending termination...`);
  }
  if (available < updated) {
    return health('Progressing', `Waiting for rollout to finish: ${available} of ${updated} updated replicas are available...`);
  }
  return health('Healthy');
}
