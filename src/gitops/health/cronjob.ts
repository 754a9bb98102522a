/** batch/CronJob, as Argo CD's batch/CronJob health.lua. */
import type { Health, KubeObject } from '../types.ts';
import { health, spec, status, str } from './common.ts';

export function cronJobHealth(obj: KubeObject): Health {
  if (spec(obj).suspend === true) return health('Suspended', 'CronJob is Suspended');
  const st = status(obj);
  const lastSchedule = str(st.lastScheduleTime);
  const lastSuccess = str(st.lastSuccessfulTime);
  const running = Array.isArray(st.active) && st.active.length > 0;
  if (lastSchedule) {
    // RFC 3339 timestamps of the same format compare as strings; Date keeps it honest across precisions.
    if (!lastSuccess || Date.parse(lastSchedule) > Date.parse(lastSuccess)) {
      if (running) return health('Progressing', lastSuccess ? 'The CronJob is running' : 'The job is running its first execution');
      return health('Degraded', 'CronJob has not completed its last execution successfully');
    }
    return health('Healthy', 'The CronJob last execution was successful');
  }
  return health('Healthy', 'The CronJob has not been scheduled yet');
}
