/** apiextensions.k8s.io/CustomResourceDefinition, as Argo CD's CustomResourceDefinition health.lua. */
import type { Health, KubeObject } from '../types.ts';
import { conditions, health } from './common.ts';

export function crdHealth(obj: KubeObject): Health {
  if (obj.metadata.deletionTimestamp) return health('Progressing', 'CRD is terminating');
  const list = conditions(obj);
  if (list.length === 0) return health('Progressing', 'Status conditions not found');
  const is = (type: string, s: string) => list.find((c) => c.type === type && c.status === s);
  const terminating = is('Terminating', 'True');
  if (terminating) return health('Progressing', `CRD is terminating: ${terminating.message ?? ''}`.trim());
  const notAccepted = is('NamesAccepted', 'False');
  if (notAccepted) return health('Degraded', `CRD names have not been accepted: ${notAccepted.message ?? ''}`.trim());
  if (!is('Established', 'True')) return health('Degraded', 'CRD is not established');
  const violations = is('NonStructuralSchema', 'True');
  if (violations) return health('Degraded', `Schema violations found: ${violations.message ?? ''}`.trim());
  return health('Healthy', 'CRD is healthy');
}
