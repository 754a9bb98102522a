/**
 * autoscaling/HorizontalPodAutoscaler, as gitops-engine's getHPAHealth: the
 * first condition that is degraded (FailedGetScale, FailedUpdateScale,
 * FailedGetResourceMetric, InvalidSelector) or healthy (AbleToScale or
 * ScalingLimited True) decides; else Progressing "Waiting to Autoscale".
 * autoscaling/v1 objects carry the conditions in an annotation.
 */
import type { Health, KubeObject } from '../types.ts';
import { conditions, health, rec, str, type Condition } from './common.ts';

const DEGRADED: readonly [string, string][] = [
  ['AbleToScale', 'FailedGetScale'],
  ['AbleToScale', 'FailedUpdateScale'],
  ['ScalingActive', 'FailedGetResourceMetric'],
  ['ScalingActive', 'InvalidSelector'],
];
const HEALTHY_TYPES = new Set(['AbleToScale', 'ScalingLimited']);

function hpaConditions(obj: KubeObject): Condition[] {
  const fromStatus = conditions(obj);
  if (fromStatus.length > 0) return fromStatus;
  const annotation = obj.metadata.annotations?.['autoscaling.alpha.kubernetes.io/conditions'];
  if (!annotation) return [];
  try {
    const parsed: unknown = JSON.parse(annotation);
    if (!Array.isArray(parsed)) return [];
    return parsed.map(rec).map((c) => ({ type: str(c.type), status: str(c.status), reason: str(c.reason) || undefined, message: str(c.message) || undefined }));
  } catch {
    return [];
  }
}

export function hpaHealth(obj: KubeObject): Health {
  for (const c of hpaConditions(obj)) {
    if (DEGRADED.some(([type, reason]) => c.type === type && c.reason === reason)) return health('Degraded', c.message);
    if (HEALTHY_TYPES.has(c.type) && c.status === 'True') return health('Healthy', c.message);
  }
  return health('Progressing', 'Waiting to Autoscale');
}
