/** Table types of the delivery side (migration 0005-gitops). Imports nothing: src/platform/db/schema.ts combines them into `Database`. */
import type { Generated } from 'kysely';

/** A project's delivery policy (AppProject spec) as JSON. */
export interface DeliveryPolicyTable {
  project: string;
  policy: string;
  updated_by: string;
  updated_at: number;
}

export interface ApplicationTable {
  name: string;
  project: string;
  /** ApplicationSpec as JSON, defaults applied. */
  spec: string;
  /** Normalized source repository URL (webhooks, repository removal). */
  repo_url: string;
  dest_server: string | null;
  dest_name: string | null;
  /** The destination namespace (list filter; migration 0011). */
  dest_namespace: string;
  created_by: string;
  created_at: number;
  updated_at: number;
}

export interface ApplicationStatusTable {
  app: string;
  /** ApplicationStatus as JSON. */
  status: string;
  /** Copies of the JSON's sync status, health and operation phase, for list filters (migration 0011). */
  sync_status: string;
  health_status: string;
  operation_phase: string | null;
  updated_at: number;
}

export interface ApplicationHistoryTable {
  id: Generated<number>;
  app: string;
  revision: string;
  manifest_digest: string;
  /** ApplicationSource as JSON. */
  source: string;
  trigger: string;
  actor: string;
  started_at: number;
  finished_at: number;
  phase: string;
  message: string;
}

/** A registered cluster; the secret columns never leave ClusterStore.connection(). */
export interface ClusterTable {
  name: string;
  server: string;
  bearer_token: string | null;
  ca_data: string | null;
  client_cert_data: string | null;
  client_key_data: string | null;
  insecure_skip_tls_verify: Generated<number>;
  created_by: string;
  created_at: number;
}

/** When Berth last reached a cluster (`target` its server) or Git repository (its normalized URL), and its last error (migration 0011). */
export interface DeliveryConnectionTable {
  kind: 'cluster' | 'git';
  target: string;
  last_success_at: number | null;
  last_error: string | null;
  last_error_at: number | null;
}

/** A Git repository with credentials; the secret columns never leave RepositoryStore.access(). */
export interface GitRepositoryTable {
  normalized_url: string;
  url: string;
  username: string | null;
  password: string | null;
  ssh_private_key: string | null;
  known_hosts: string | null;
  insecure_ignore_host_key: Generated<number>;
  created_by: string;
  created_at: number;
}
