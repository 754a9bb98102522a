/**
 * The database as Kysely sees it: each domain owns its table types in its
 * own `schema.ts` (which imports nothing from src/ but core and oci); this
 * file only combines them. Times are epoch milliseconds in BIGINT columns so
 * the same queries run unchanged on SQLite and PostgreSQL.
 */
import type { Kysely } from 'kysely';
import type { AuditLogTable } from '../../audit/schema.ts';
import type { WebhookDeliveryTable, WebhookPolicyTable } from '../../notify/schema.ts';
import type { SealingKeyTable } from '../secrets/schema.ts';
import type { OidcCliSessionTable, OidcLoginTable, SessionTable } from '../../access/session-schema.ts';
import type {
  ApiTokenTable,
  LoginThrottleTable,
  ProjectMemberTable,
  ProjectTable,
  RobotPermissionTable,
  RobotTable,
  SettingTable,
  SigningKeyTable,
  UserGroupTable,
  UserTable,
} from '../../access/schema.ts';
import type {
  ApplicationHistoryTable,
  ApplicationStatusTable,
  ApplicationTable,
  ClusterTable,
  DeliveryPolicyTable,
  DeliveryConnectionTable,
  GitRepositoryTable,
} from '../../gitops/apps/schema.ts';
import type {
  BlobTable,
  ManifestReferenceTable,
  ManifestTable,
  RepositoryBlobTable,
  RepositoryTable,
  TagTable,
  UploadTable,
} from '../../registry/schema.ts';
import type { JobScheduleTable, JobTable } from '../jobs/schema.ts';
import type { DomainEventTable } from '../events/schema.ts';
import type { LeaseTable } from '../leases/schema.ts';
import type { ApplicationOperationTable, DeliveryRefreshRequestTable } from '../../gitops/engine/schema.ts';
import type { VulnAdvisoryTable, VulnAffectedTable, VulnSourceTable } from '../../supply-chain/schema.ts';

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
  login_throttle: LoginThrottleTable;
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
  delivery_connections: DeliveryConnectionTable;
  jobs: JobTable;
  job_schedules: JobScheduleTable;
  domain_events: DomainEventTable;
  sealing_keys: SealingKeyTable;
  webhook_policies: WebhookPolicyTable;
  webhook_deliveries: WebhookDeliveryTable;
  leases: LeaseTable;
  application_operations: ApplicationOperationTable;
  delivery_refresh_requests: DeliveryRefreshRequestTable;
  vuln_sources: VulnSourceTable;
  vuln_advisories: VulnAdvisoryTable;
  vuln_affected: VulnAffectedTable;
}

export type Db = Kysely<Database>;
