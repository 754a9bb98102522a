/** apps/StatefulSet, as gitops-engine's getAppsv1StatefulSetHealth. */
import type { Health, KubeObject } from '../types.ts';
import { health, num, optNum, rec, spec, status, str } from './common.ts';

export function statefulSetHealth(obj: KubeObject): Health {
  const sp = spec(obj);
  const st = status(obj);
  const observed = num(st.observedGeneration);
  if (observed === 0 || num(obj.metadata.generation) > observed) {
    return health('Progressing', 'Waiting for statefulset spec update to be observed...');
  }
  const replicas = optNum(sp.replicas);
  const ready = num(st.readyReplicas);
  if (replicas !== undefined && ready < replicas) return health('Progressing', `Waiting for ${replicas - ready} pods to be ready...`);
  const strategy = rec(sp.updateStrategy);
  const type = str(strategy.type) || 'RollingUpdate';
  const updated = num(st.updatedReplicas);
  if (type === 'RollingUpdate' && strategy.rollingUpdate !== undefined && strategy.rollingUpdate !== null) {
    const partition = optNum(rec(strategy.rollingUpdate).partition);
    if (replicas !== undefined && partition !== undefined && updated < replicas - partition) {
      return health('Progressing', `Waiting for partitioned roll out to finish: ${updated} out of ${replicas - partition} new pods have been updated...`);
    }
    return health('Healthy', `partitioned roll out complete: ${updated} new pods have been updated...`);
  }
  if (type === 'OnDelete') return health('Healthy', `statefulset has ${ready} ready pods`);
  const updateRevision = str(st.updateRevision);
  const currentRevision = str(st.currentRevision);
  if (updateRevision !== currentRevision) {
    return health('Progressing', `waiting for statefulset rolling update to complete ${updated} pods at revision ${updateRevision}...`);
  }
  return health('Healthy', `statefulset rolling update complete ${num(st.currentReplicas)} pods at revision ${currentRevision}...`);
}
