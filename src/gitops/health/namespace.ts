/** core/Namespace: Terminating → Progressing, else Healthy. */
import type { Health, KubeObject } from '../types.ts';
import { health, status } from './common.ts';

export function namespaceHealth(obj: KubeObject): Health {
  return status(obj).phase === 'Terminating' ? health('Progressing', 'Namespace is terminating') : health('Healthy');
}
