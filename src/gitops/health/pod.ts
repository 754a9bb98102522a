/** core/Pod, as gitops-engine's getCorev1PodHealth. */
import type { Health, KubeObject } from '../types.ts';
import { conditions, health, num, rec, spec, status, str, type Obj } from './common.ts';

function containerStatuses(st: Obj, field: string): Obj[] {
  const list = st[field];
  return Array.isArray(list) ? list.map(rec) : [];
}

function failMessage(ctr: Obj): string {
  const terminated = rec(rec(ctr.state).terminated);
  if (Object.keys(terminated).length === 0) return '';
  if (str(terminated.message)) return str(terminated.message);
  if (terminated.reason === 'OOMKilled') return 'OOMKilled';
  const code = num(terminated.exitCode);
  if (code !== 0) return `container "${str(ctr.name)}" failed with exit code ${code}`;
  return '';
}

export function podHealth(obj: KubeObject): Health {
  const st = status(obj);
  const restartPolicy = str(spec(obj).restartPolicy) || 'Always';
  const message = str(st.message);
  // Only for long-running pods: a hook pod (OnFailure/Never) waiting on an image must not fail its hook early.
  if (restartPolicy === 'Always') {
    const messages: string[] = [];
    for (const ctr of containerStatuses(st, 'containerStatuses')) {
      const waiting = rec(rec(ctr.state).waiting);
      const reason = str(waiting.reason);
      if (reason && (reason.startsWith('Err') || reason.endsWith('Error') || reason.endsWith('BackOff'))) {
        messages.push(str(waiting.message) || `container "${str(ctr.name)}": ${reason}`);
      }
    }
    if (messages.length > 0) return health('Degraded', messages.join(', '));
  }
  switch (str(st.phase)) {
    case 'Pending':
      return health('Progressing', message);
    case 'Succeeded':
      return health('Healthy', message);
    case 'Failed': {
      if (message) return health('Degraded', message);
      for (const ctr of [...containerStatuses(st, 'initContainerStatuses'), ...containerStatuses(st, 'containerStatuses')]) {
        const msg = failMessage(ctr);
        if (msg) return health('Degraded', msg);
      }
      return health('Degraded');
    }
    case 'Running': {
      if (restartPolicy !== 'Always') return health('Progressing', message); // finite pods (hooks) are done only when Succeeded
      if (conditions(obj).some((c) => c.type === 'Ready' && c.status === 'True')) return health('Healthy', message);
      if (containerStatuses(st, 'containerStatuses').some((c) => Object.keys(rec(rec(c.lastState).terminated)).length > 0)) {
        return health('Degraded', message);
      }
      return health('Progressing', message);
    }
    default:
      return health('Unknown', message);
  }
}
