/** Table types of the job platform and domain events (migration 0006-jobs). */
/** A job's life: queued → running → succeeded | failed | cancelled (running → queued again for a retry). */
export type JobState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface JobTable {
  id: string;
  kind: string;
  /** JSON. */
  payload: string;
  state: JobState;
  priority: number;
  run_at: number;
  /** Claims so far (a claim whose lease expired counts). */
  attempts: number;
  max_attempts: number;
  dedupe_key: string | null;
  /** `<kind>\n<dedupe key>` while queued or running, else NULL (unique). */
  active_key: string | null;
  lease_owner: string | null;
  lease_expires_at: number | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
  started_at: number | null;
  finished_at: number | null;
}

export interface JobScheduleTable {
  name: string;
  /** Epoch ms of the last slot enqueued by any process. */
  last_slot: number;
}
