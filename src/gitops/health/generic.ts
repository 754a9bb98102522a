/**
 * Kinds without a specific check (custom resources and the like): the
 * conventional `status.conditions`. Ready (else Available) True → Healthy;
 * False → Progressing when its reason says work is under way (Progressing,
 * Reconciling, Pending, Waiting, Creating, ...) and not that it failed
 * (…Failed, …Error, Invalid…), else Degraded; Unknown →
 * Progressing. kstatus' Stalled=True → Degraded and Reconciling=True →
 * Progressing are honoured too. A status.observedGeneration behind
 * metadata.generation → Progressing. No such conditions → Healthy (kinds
 * without status semantics: ConfigMap, Secret, ServiceAccount, RBAC, ...).
 */
import type { Health, KubeObject } from '../types.ts';
import { conditions, health, num, status } from './common.ts';

const FAILED = /fail|error|invalid|denied|forbidden|crash|backoff|exceeded|timeout|notfound|not found|conflict/i;
const IN_PROGRESS = /progress|reconcil|pending|waiting|creat|updat|initiali[sz]|provision|deploy|start|scal|install|upgrad|rollout/i;

export function genericHealth(obj: KubeObject): Health {
  const list = conditions(obj);
  const stalled = list.find((c) => c.type === 'Stalled' && c.status === 'True');
  if (stalled) return health('Degraded', stalled.message ?? stalled.reason);
  const main = list.find((c) => c.type === 'Ready') ?? list.find((c) => c.type === 'Available');
  const st = status(obj);
  if (main?.status !== 'True') {
    const reconciling = list.find((c) => c.type === 'Reconciling' && c.status === 'True');
    if (reconciling) return health('Progressing', reconciling.message ?? reconciling.reason);
  }
  if (main && 'observedGeneration' in st && num(obj.metadata.generation) > num(st.observedGeneration)) {
    return health('Progressing', 'Waiting for the controller to observe the latest generation');
  }
  if (!main) return health('Healthy');
  const message = main.message ?? main.reason;
  if (main.status === 'True') return health('Healthy', message);
  if (main.status === 'False') return health(main.reason && !FAILED.test(main.reason) && IN_PROGRESS.test(main.reason) ? 'Progressing' : 'Degraded', message);
  return health('Progressing', message);
}
