/** core/Service: a LoadBalancer is Progressing until it has an ingress address. */
import type { Health, KubeObject } from '../types.ts';
import { health, rec, spec, status } from './common.ts';

export function serviceHealth(obj: KubeObject): Health {
  if (spec(obj).type !== 'LoadBalancer') return health('Healthy');
  const ingress = rec(status(obj).loadBalancer).ingress;
  return Array.isArray(ingress) && ingress.length > 0 ? health('Healthy') : health('Progressing', 'Waiting for the load balancer to get an address');
}
