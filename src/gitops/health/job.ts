/**
 * batch/Job, as gitops-engine's getBatchv1JobHealth: Failed → Degraded,
 * Complete → Healthy, Suspended → Suspended, else Progressing. Unlike
 * gitops-engine, only conditions with status True count (a resumed Job keeps
 * a Suspended=False condition and is running, not done).
 */
import type { Health, KubeObject } from '../types.ts';
import { conditions, health } from './common.ts';

export function jobHealth(obj: KubeObject): Health {
  const active = conditions(obj).filter((c) => c.status === 'True');
  const failed = active.find((c) => c.type === 'Failed');
  if (failed) return health('Degraded', failed.message);
  const complete = active.find((c) => c.type === 'Complete');
  if (complete) return health('Healthy', complete.message);
  const suspended = active.find((c) => c.type === 'Suspended');
  if (suspended) return health('Suspended', suspended.message || 'Job is suspended');
  return health('Progressing');
}
