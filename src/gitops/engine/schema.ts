/** Table types of durable delivery operations and cross-process refresh requests (migration 0007-leases). */

/** One sync, rollback or deletion of an application (src/gitops/engine/operations.ts). */
export interface ApplicationOperationTable {
  id: string;
  app: string;
  project: string;
  kind: 'sync' | 'rollback' | 'delete';
  trigger: string;
  /** The SyncRequest and, for a rollback, the source, as JSON. */
  request: string;
  /** Requested revision (branch, tag or commit). */
  revision: string;
  /** The commit the operation resolved the revision to. */
  resolved_revision: string | null;
  actor_kind: 'user' | 'robot' | 'anonymous' | 'system';
  actor: string;
  source_ip: string;
  state: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Error';
  /** 1 while Pending or Running, NULL after (unique per app: one active operation). */
  active: number | null;
  /** Commit and source of an automated sync (unique per app). */
  dedupe_key: string | null;
  /** The process instance running it. */
  owner: string | null;
  attempts: number;
  message: string;
  /** The final OperationState as JSON. */
  result: string | null;
  resources_done: number;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
}

/** A repository change seen by one process, for the processes operating its applications. */
export interface DeliveryRefreshRequestTable {
  repo_url: string;
  requested_at: number;
  /** JSON: the requesting process (`origin`) and the changed paths (`paths`) when known. */
  changed_paths: string | null;
}
