/** apps/DaemonSet, as gitops-engine's getAppsv1DaemonSetHealth. */
import type { Health, KubeObject } from '../types.ts';
import { health, num, rec, spec, status } from './common.ts';

export function daemonSetHealth(obj: KubeObject): Health {
  const st = status(obj);
  const updated = num(st.updatedNumberScheduled);
  const desired = num(st.desiredNumberScheduled);
  if (rec(spec(obj).updateStrategy).type === 'OnDelete') {
    return health('Healthy', `daemon set ${updated} out of ${desired} new pods have been updated`);
  }
  if (num(obj.metadata.generation) > num(st.observedGeneration)) {
    return health('Progressing', 'Waiting for rollout to finish: observed daemon set generation less than desired generation');
  }
  if (updated < desired) {
    return health('Progressing', `Waiting for daemon set "${obj.metadata.name}" rollout to finish: ${updated} out of ${desired} new pods have been updated...`);
  }
  const available = num(st.numberAvailable);
  if (available < desired) {
    return health('Progressing', `Waiting for daemon set "${obj.metadata.name}" rollout to finish: ${available} of ${desired} updated pods are available...`);
  }
  return health('Healthy');
}
