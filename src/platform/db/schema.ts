/**
 * Table types for Kysely. Times are epoch milliseconds in BIGINT columns so
 * the same queries run unchanged on SQLite and PostgreSQL.
 */
import type { Generated, Kysely } from 'kysely';
import type { AuditLogTable } from '../../audit/schema.ts';
import type { OidcCliSessionTable, OidcLoginTable, SessionTable } from '../../access/session-schema.ts';
import type { LeaseTable } from '../leases/schema.ts';
import type { ApplicationOperationTable, DeliveryRefreshRequestTable } from '../../gitops/engine/schema.ts';
import type {
  ApiTokenTable,
  EventTable,
  ProjectMemberTable,
  ProjectTable,
  RobotPermissionTable,
  RobotTable,
  SettingTable,
  UserGroupTable,
} from '../../access/schema.ts';

export interface RepositoryTable {
  name: string;
  created_at: number;
}

export interface BlobTable {
  digest: string;
  size: number;
  created_at: number;
}

/** A blob is visible in a repository only through a link row. */
export interface RepositoryBlobTable {
  repository: string;
  digest: string;
  created_at: number;
}

export interface ManifestTable {
  repository: string;
  digest: string;
  media_type: string;
  size: number;
  content: Uint8Array;
  /** `artifactType`, or the config media type for image manifests. */
  artifact_type: string | null;
  subject_digest: string | null;
  /** JSON of the manifest's annotations, echoed by the referrers API. */
  annotations: string | null;
  created_at: number;
}

/** Blobs and child manifests a manifest points to (for GC and integrity). */
export interface ManifestReferenceTable {
  repository: string;
  manifest_digest: string;
  child_digest: string;
  kind: 'blob' | 'manifest';
}

export interface TagTable {
  repository: string;
  name: string;
  digest: string;
  updated_at: number;
}

export interface UploadTable {
  id: string;
  repository: string;
  /** Bumped by every request that wrote to the session (any process): see src/registry/uploads.ts. */
  version: Generated<number>;
  created_at: number;
  updated_at: number;
}

export interface UserTable {
  username: string;
  /** scrypt hash; `!` for accounts that cannot sign in with a password (OIDC). */
  password_hash: string;
  is_admin: Generated<number>;
  created_at: number;
  email: string | null;
  source: Generated<'local' | 'oidc'>;
  oidc_subject: string | null;
  disabled: Generated<number>;
  updated_at: number | null;
}

export interface SigningKeyTable {
  kid: string;
  private_jwk: string;
  created_at: number;
  retired_at: number | null;
}

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
  created_by: string;
  created_at: number;
  updated_at: number;
}

export interface ApplicationStatusTable {
  app: string;
  /** ApplicationStatus as JSON. */
  status: string;
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

export interface Database {
  repositories: RepositoryTable;
  blobs: BlobTable;
  repository_blobs: RepositoryBlobTable;
  manifests: ManifestTable;
  manifest_references: ManifestReferenceTable;
  tags: TagTable;
  uploads: UploadTable;
  users: UserTable;
  signing_keys: SigningKeyTable;
  user_groups: UserGroupTable;
  projects: ProjectTable;
  project_members: ProjectMemberTable;
  robots: RobotTable;
  robot_permissions: RobotPermissionTable;
  api_tokens: ApiTokenTable;
  settings: SettingTable;
  events: EventTable;
  audit_log: AuditLogTable;
  sessions: SessionTable;
  oidc_logins: OidcLoginTable;
  oidc_cli_sessions: OidcCliSessionTable;
  delivery_policies: DeliveryPolicyTable;
  applications: ApplicationTable;
  application_status: ApplicationStatusTable;
  application_history: ApplicationHistoryTable;
  clusters: ClusterTable;
  git_repositories: GitRepositoryTable;
  leases: LeaseTable;
  application_operations: ApplicationOperationTable;
  delivery_refresh_requests: DeliveryRefreshRequestTable;
}

export type Db = Kysely<Database>;
