/** apiregistration.k8s.io/APIService, as gitops-engine's getAPIServiceHealth: the Available condition. */
import type { Health, KubeObject } from '../types.ts';
import { conditions, health } from './common.ts';

export function apiServiceHealth(obj: KubeObject): Health {
  const available = conditions(obj).find((c) => c.type === 'Available');
  if (!available) return health('Progressing', 'Waiting to be processed');
  const message = `${available.reason ?? ''}: ${available.message ?? ''}`;
  return health(available.status === 'True' ? 'Healthy' : 'Progressing', message);
}
