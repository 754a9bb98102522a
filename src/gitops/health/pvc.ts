/** core/PersistentVolumeClaim: Bound → Healthy, Pending → Progressing, Lost → Degraded. */
import type { Health, KubeObject } from '../types.ts';
import { health, status } from './common.ts';

export function pvcHealth(obj: KubeObject): Health {
  switch (status(obj).phase) {
    case 'Bound':
      return health('Healthy');
    case 'Pending':
      return health('Progressing');
    case 'Lost':
      return health('Degraded');
    default:
      return health('Unknown');
  }
}
