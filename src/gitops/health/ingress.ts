/** networking.k8s.io/Ingress: Healthy once the controller reported an address (gitops-engine's getIngressHealth). */
import type { Health, KubeObject } from '../types.ts';
import { health, rec, status } from './common.ts';

export function ingressHealth(obj: KubeObject): Health {
  const ingress = rec(status(obj).loadBalancer).ingress;
  return Array.isArray(ingress) && ingress.length > 0 ? health('Healthy') : health('Progressing', 'Waiting for the ingress controller to report an address');
}
