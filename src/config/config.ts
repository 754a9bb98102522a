/**
 * Berth's one typed configuration: defaults, then an optional YAML file, then
 * BERTH_* environment variables (highest precedence). Every option is listed
 * in `OPTIONS`, which docs/configuration.md is checked against.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

const listenPattern = /^(\[[0-9a-fA-F:]+\]|[^:\s]+):(\d{1,5})$/;

const schema = z.strictObject({
  listen: z.string().regex(listenPattern, 'must be host:port, e.g. 0.0.0.0:5000 or [::1]:5000'),
  dataDir: z.string().min(1),
  storageDir: z.string().min(1).optional(),
  externalUrl: z.url().optional(),
  adminPassword: z.string().min(8, 'must be at least 8 characters').optional(),
  databaseUrl: z.string().optional(),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  accessLog: z.boolean(),
  anonymousPull: z.boolean(),
  tokenService: z.string().min(1),
  tokenTtlSeconds: z.number().int().min(30).max(86_400),
  uploadTtlSeconds: z.number().int().min(60),
  uploadPurgeIntervalSeconds: z.number().int().min(1),
  storageFsync: z.boolean(),
  catalogDefaultPageSize: z.number().int().min(1).max(10_000),
  auditRetentionDays: z.number().int().min(0),
  auditFlushIntervalMs: z.number().int().min(10).max(60_000),
  auditBufferSize: z.number().int().min(100),
  auditForward: z.string().optional(),
  oidcIssuer: z.url().optional(),
  oidcClientId: z.string().min(1).optional(),
  oidcClientSecret: z.string().min(1).optional(),
  oidcScopes: z.string().min(1),
  oidcUsernameClaim: z.string().min(1),
  oidcGroupsClaim: z.string().min(1),
  oidcAdminGroup: z.string().min(1).optional(),
  sessionTtlSeconds: z.number().int().min(60).max(30 * 86_400),
  trustProxy: z.boolean(),
  gitopsEnabled: z.boolean(),
  gitopsReconcileSeconds: z.number().int().min(10).max(86_400),
  gitopsJitterSeconds: z.number().int().min(0).max(3_600),
  gitopsSelfHealSeconds: z.number().int().min(0).max(3_600),
  gitopsStatusProcessors: z.number().int().min(1).max(1_000),
  gitopsOperationProcessors: z.number().int().min(1).max(1_000),
  gitopsStepTimeoutSeconds: z.number().int().min(5).max(86_400),
  gitopsLeaseSeconds: z.number().int().min(2).max(600),
  gitopsKubeQps: z.number().min(1).max(10_000),
  gitopsKubeBurst: z.number().int().min(1).max(20_000),
  gitopsRenderTimeoutSeconds: z.number().int().min(1).max(3_600),
  gitopsInCluster: z.boolean(),
  kustomizePath: z.string().min(1),
  helmPath: z.string().min(1),
  gitWebhookSecretGithub: z.string().min(8).optional(),
  gitWebhookSecretGitlab: z.string().min(8).optional(),
  gitWebhookSecretGitea: z.string().min(8).optional(),
  appsDir: z.string().min(1).optional(),
  webDir: z.string().min(1).optional(),
  secretKey: z.string().min(16, 'must be at least 16 characters').optional(),
  webhookAllowPrivateTargets: z.boolean(),
  webhookTimeoutSeconds: z.number().int().min(1).max(300),
  webhookMaxAttempts: z.number().int().min(1).max(50),
  webhookConcurrency: z.number().int().min(1).max(1_000),
  webhookDeliveryLogSize: z.number().int().min(1).max(10_000),
  jobsPollIntervalMs: z.number().int().min(50).max(60_000),
  jobsLeaseMs: z.number().int().min(500).max(3_600_000),
  jobsRetentionDays: z.number().int().min(0),
  jobsStopGraceMs: z.number().int().min(0).max(600_000),
  testJobKinds: z.boolean(),
  loginFailuresPerAccountAndAddress: z.number().int().min(1).max(1_000),
  loginFailuresPerAccount: z.number().int().min(1).max(100_000),
  loginFailuresPerAddress: z.number().int().min(1).max(1_000_000),
  loginFailureWindowSeconds: z.number().int().min(10).max(86_400),
  loginLockBaseSeconds: z.number().int().min(1).max(3_600),
  loginLockMaxSeconds: z.number().int().min(1).max(86_400),
  // scanning (src/supply-chain/scanning)
  scanConcurrency: z.number().int().min(1).max(64),
  scanTimeoutSeconds: z.number().int().min(10).max(86_400),
  scanMaxAttempts: z.number().int().min(1).max(20),
  scanAutoDelayMs: z.number().int().min(0).max(600_000),
  scanRescanCron: z.string().min(9).max(128).optional(),
  // analyzer (image analysis limits)
  analyzerMaxEntriesPerLayer: z.number().int().min(100),
  analyzerMaxLayerBytes: z.number().int().min(1024 * 1024),
  analyzerMaxImageBytes: z.number().int().min(1024 * 1024),
  analyzerMaxBinaryBytes: z.number().int().min(0),
  analyzerTimeoutSeconds: z.number().int().min(1).max(86_400),
  analyzerMaxPlatforms: z.number().int().min(1).max(1_000),
  analyzerMaxArchiveDepth: z.number().int().min(0).max(32),
  analyzerMaxArchiveBytes: z.number().int().min(1024),
  analyzerMaxArchiveEntries: z.number().int().min(1),
  // scanners: Harbor's Pluggable Scanner API both ways (src/supply-chain/scanners, src/http/scanner-adapter.ts)
  scannerAdapterToken: z.string().min(16, 'must be at least 16 characters').optional(),
  scannerAdapterConcurrency: z.number().int().min(1).max(64),
  scannerAdapterResultTtlSeconds: z.number().int().min(60).max(7 * 86_400),
  scannerAdapterMaxRequests: z.number().int().min(1).max(100_000),
  externalScannerTimeoutSeconds: z.number().int().min(10).max(86_400),
  externalScannerRequestTimeoutSeconds: z.number().int().min(1).max(600),
  externalScannerMaxRefreshSeconds: z.number().int().min(1).max(3_600),
  externalScannerMaxReportBytes: z.number().int().min(1024).max(1024 * 1024 * 1024),
  // vulndb: vulnerability data imports (src/supply-chain/vulndb)
  vulndbMaxImportBytes: z.number().int().min(1024).max(64 * 1024 ** 3),
  vulndbMaxRecordBytes: z.number().int().min(1024).max(1024 ** 3),
  vulndbMaxJsonBytes: z.number().int().min(1024).max(4 * 1024 ** 3),
  vulndbDownloadTimeoutSeconds: z.number().int().min(1).max(86_400),
});

export type Config = z.infer<typeof schema> & {
  /** externalUrl with no trailing slash, derived from `listen` when unset. */
  baseUrl: string;
  /** databaseUrl, defaulting to a SQLite file in dataDir. */
  database: string;
  /** storageDir, defaulting to <dataDir>/storage. */
  storage: string;
};

interface OptionDoc {
  key: keyof z.infer<typeof schema>;
  env: string;
  default: string | number | boolean | undefined;
  doc: string;
}

/** Every option, its environment variable, default and meaning. */
export const OPTIONS: readonly OptionDoc[] = [
  { key: 'listen', env: 'BERTH_LISTEN', default: '0.0.0.0:5000', doc: 'Address and port the HTTP server binds (`host:port`, IPv6 as `[::1]:5000`).' },
  { key: 'dataDir', env: 'BERTH_DATA_DIR', default: './data', doc: 'Directory for blobs, upload sessions and the default SQLite database.' },
  { key: 'storageDir', env: 'BERTH_STORAGE_DIR', default: undefined, doc: 'Directory for blobs and upload sessions. Defaults to `<dataDir>/storage`. Several processes serving one Berth share this directory (and the PostgreSQL database), each with its own data directory for its caches.' },
  { key: 'externalUrl', env: 'BERTH_EXTERNAL_URL', default: undefined, doc: 'URL clients use to reach Berth; used in token realms and `Location` headers. Defaults to `http://<listen>` (with `localhost` for a wildcard address).' },
  { key: 'adminPassword', env: 'BERTH_ADMIN_PASSWORD', default: undefined, doc: 'Password of the `admin` account, applied when the account is first created. When unset on first start, one is generated and printed once.' },
  { key: 'databaseUrl', env: 'BERTH_DATABASE_URL', default: undefined, doc: 'Metadata database: `sqlite:<path>` or `postgres://user:password@host:port/database` (also `postgresql://`, with libpq-style parameters such as `sslmode`). Defaults to `sqlite:<dataDir>/berth.db`.' },
  { key: 'logLevel', env: 'BERTH_LOG_LEVEL', default: 'info', doc: 'Log level: fatal, error, warn, info, debug, trace or silent.' },
  { key: 'accessLog', env: 'BERTH_ACCESS_LOG', default: false, doc: 'Log one line per HTTP request at info level (errors are always logged).' },
  { key: 'anonymousPull', env: 'BERTH_ANONYMOUS_PULL', default: false, doc: 'Allow pulls without credentials.' },
  { key: 'tokenService', env: 'BERTH_TOKEN_SERVICE', default: 'berth', doc: 'The `service` name in token challenges and the `aud` claim of registry tokens.' },
  { key: 'tokenTtlSeconds', env: 'BERTH_TOKEN_TTL_SECONDS', default: 300, doc: 'Lifetime of registry bearer tokens, in seconds (30 to 86400).' },
  { key: 'uploadTtlSeconds', env: 'BERTH_UPLOAD_TTL_SECONDS', default: 86_400, doc: 'An upload session idle for longer than this expires and its data is deleted.' },
  { key: 'uploadPurgeIntervalSeconds', env: 'BERTH_UPLOAD_PURGE_INTERVAL_SECONDS', default: 600, doc: 'How often expired upload sessions are looked for.' },
  { key: 'storageFsync', env: 'BERTH_STORAGE_FSYNC', default: true, doc: 'fsync each blob before it becomes visible, so a power loss cannot expose a truncated blob. A process crash is safe either way.' },
  { key: 'catalogDefaultPageSize', env: 'BERTH_CATALOG_PAGE_SIZE', default: 1000, doc: 'Page size of `/v2/_catalog` when the client gives no `n`.' },
  { key: 'auditRetentionDays', env: 'BERTH_AUDIT_RETENTION_DAYS', default: 90, doc: 'Audit records older than this many days are purged daily; 0 keeps them forever.' },
  { key: 'auditFlushIntervalMs', env: 'BERTH_AUDIT_FLUSH_INTERVAL_MS', default: 1000, doc: 'Buffered audit records (pulls, pushes) are written at least this often.' },
  { key: 'auditBufferSize', env: 'BERTH_AUDIT_BUFFER_SIZE', default: 10_000, doc: 'Buffered audit records that trigger an immediate flush.' },
  { key: 'oidcIssuer', env: 'BERTH_OIDC_ISSUER', default: undefined, doc: 'OpenID Connect issuer URL; enables OIDC sign-in (discovery at `<issuer>/.well-known/openid-configuration`).' },
  { key: 'oidcClientId', env: 'BERTH_OIDC_CLIENT_ID', default: undefined, doc: 'OIDC client id registered for Berth; redirect URI `<externalUrl>/api/v1/auth/oidc/callback`.' },
  { key: 'oidcClientSecret', env: 'BERTH_OIDC_CLIENT_SECRET', default: undefined, doc: 'OIDC client secret (never logged).' },
  { key: 'oidcScopes', env: 'BERTH_OIDC_SCOPES', default: 'openid profile email groups', doc: 'Scopes requested at sign-in, space-separated.' },
  { key: 'oidcUsernameClaim', env: 'BERTH_OIDC_USERNAME_CLAIM', default: 'preferred_username', doc: 'ID token claim that names the Berth user created on first sign-in.' },
  { key: 'oidcGroupsClaim', env: 'BERTH_OIDC_GROUPS_CLAIM', default: 'groups', doc: 'ID token claim listing the groups, matched against group members of projects.' },
  { key: 'oidcAdminGroup', env: 'BERTH_OIDC_ADMIN_GROUP', default: undefined, doc: 'Members of this OIDC group are system administrators (checked at each sign-in).' },
  { key: 'sessionTtlSeconds', env: 'BERTH_SESSION_TTL_SECONDS', default: 28_800, doc: 'Lifetime of browser sessions (password or OIDC sign-in).' },
  { key: 'trustProxy', env: 'BERTH_TRUST_PROXY', default: false, doc: 'Take the client address from `X-Forwarded-For` (only behind a proxy you run).' },
  { key: 'gitopsEnabled', env: 'BERTH_GITOPS_ENABLED', default: true, doc: 'Run the delivery engine (application comparison, sync, self-heal). Off: the registry only.' },
  { key: 'gitopsReconcileSeconds', env: 'BERTH_GITOPS_RECONCILE_SECONDS', default: 180, doc: 'Polling fallback: each application fetches its repository and is compared this often (Git webhooks refresh at once).' },
  { key: 'gitopsJitterSeconds', env: 'BERTH_GITOPS_JITTER_SECONDS', default: 60, doc: 'Up to this much random delay is added to each polling interval, so applications do not poll together.' },
  { key: 'gitopsSelfHealSeconds', env: 'BERTH_GITOPS_SELF_HEAL_SECONDS', default: 2, doc: 'Delay before self-heal re-applies drift detected in the cluster (Argo CD: 5).' },
  { key: 'gitopsStatusProcessors', env: 'BERTH_GITOPS_STATUS_PROCESSORS', default: 20, doc: 'Applications compared at the same time.' },
  { key: 'gitopsOperationProcessors', env: 'BERTH_GITOPS_OPERATION_PROCESSORS', default: 10, doc: 'Sync operations run at the same time.' },
  { key: 'gitopsStepTimeoutSeconds', env: 'BERTH_GITOPS_STEP_TIMEOUT_SECONDS', default: 300, doc: 'A sync wave (or hook) not healthy (complete) after this long fails the operation.' },
  { key: 'gitopsLeaseSeconds', env: 'BERTH_GITOPS_LEASE_SECONDS', default: 15, doc: 'With several processes on one database: an application\'s lease lasts this long (renewed every third of it), so the applications and running operations of a process that died are taken over and resumed by another after about this long.' },
  { key: 'gitopsKubeQps', env: 'BERTH_GITOPS_KUBE_QPS', default: 50, doc: 'Requests per second to each cluster API server (token bucket), like client-go\'s QPS.' },
  { key: 'gitopsKubeBurst', env: 'BERTH_GITOPS_KUBE_BURST', default: 100, doc: 'Burst size of the per-cluster request rate limit.' },
  { key: 'gitopsRenderTimeoutSeconds', env: 'BERTH_GITOPS_RENDER_TIMEOUT_SECONDS', default: 90, doc: 'A kustomize or helm run taking longer is killed and the render fails.' },
  { key: 'gitopsInCluster', env: 'BERTH_GITOPS_IN_CLUSTER', default: true, doc: 'When Berth runs in a Kubernetes Pod, offer that cluster as `in-cluster` (`https://kubernetes.default.svc`) with the Pod\'s service account.' },
  { key: 'kustomizePath', env: 'BERTH_KUSTOMIZE_PATH', default: 'kustomize', doc: 'The kustomize v5 binary (a name on PATH or a path). Needed only for Kustomize applications.' },
  { key: 'helmPath', env: 'BERTH_HELM_PATH', default: 'helm', doc: 'The helm v3 binary (a name on PATH or a path). Needed only for Helm applications.' },
  { key: 'gitWebhookSecretGithub', env: 'BERTH_GIT_WEBHOOK_SECRET_GITHUB', default: undefined, doc: 'Secret of GitHub push webhooks to `/api/v1/webhooks/git` (HMAC-SHA256). Without it GitHub webhooks are refused.' },
  { key: 'gitWebhookSecretGitlab', env: 'BERTH_GIT_WEBHOOK_SECRET_GITLAB', default: undefined, doc: 'Secret token of GitLab push webhooks. Without it GitLab webhooks are refused.' },
  { key: 'gitWebhookSecretGitea', env: 'BERTH_GIT_WEBHOOK_SECRET_GITEA', default: undefined, doc: 'Secret of Gitea push webhooks (HMAC-SHA256). Without it Gitea webhooks are refused.' },
  { key: 'webDir', env: 'BERTH_WEB_DIR', default: undefined, doc: 'The built web UI (`npm run web:build` output) served at `/`. Defaults to `web/dist` of the installation.' },
  { key: 'appsDir', env: 'BERTH_APPS_DIR', default: undefined, doc: 'A directory of Application and AppProject YAML files applied at start (created or updated, owned by `admin`).' },
  { key: 'secretKey', env: 'BERTH_SECRET_KEY', default: undefined, doc: 'Key that seals secrets stored in the database (webhook signing secrets and auth headers, cluster tokens and client keys, Git passwords and SSH keys), at least 16 characters; keep it out of the database\'s backups. Unset: Berth generates one and keeps it in the database. Changing it makes the sealed secrets unreadable.' },
  { key: 'webhookAllowPrivateTargets', env: 'BERTH_WEBHOOK_ALLOW_PRIVATE_TARGETS', default: false, doc: 'Let webhooks call loopback and private addresses (127.0.0.0/8, 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10, ::1, fc00::/7). Link-local and cloud metadata addresses are refused regardless.' },
  { key: 'webhookTimeoutSeconds', env: 'BERTH_WEBHOOK_TIMEOUT_SECONDS', default: 10, doc: 'A webhook receiver that has not answered after this long fails the attempt (retried with backoff).' },
  { key: 'webhookMaxAttempts', env: 'BERTH_WEBHOOK_MAX_ATTEMPTS', default: 5, doc: 'Delivery attempts per event and target before the delivery job fails.' },
  { key: 'webhookConcurrency', env: 'BERTH_WEBHOOK_CONCURRENCY', default: 8, doc: 'Webhook deliveries in flight at once in each process.' },
  { key: 'webhookDeliveryLogSize', env: 'BERTH_WEBHOOK_DELIVERY_LOG_SIZE', default: 100, doc: 'Delivery attempts kept in the log of each webhook policy.' },
  { key: 'loginFailuresPerAccountAndAddress', env: 'BERTH_LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS', default: 5, doc: 'Failed sign-ins to one account from one address (within the window) before that pair backs off.' },
  { key: 'loginFailuresPerAccount', env: 'BERTH_LOGIN_FAILURES_PER_ACCOUNT', default: 20, doc: 'Failed sign-ins to one account from any addresses (within the window) before the account backs off everywhere.' },
  { key: 'loginFailuresPerAddress', env: 'BERTH_LOGIN_FAILURES_PER_ADDRESS', default: 100, doc: 'Failed sign-ins from one address to any accounts (within the window) before the address backs off, except for accounts that signed in successfully from it in the last 30 days.' },
  { key: 'loginFailureWindowSeconds', env: 'BERTH_LOGIN_FAILURE_WINDOW_SECONDS', default: 300, doc: 'Failed sign-ins are counted over this many seconds from the first one.' },
  { key: 'loginLockBaseSeconds', env: 'BERTH_LOGIN_LOCK_BASE_SECONDS', default: 2, doc: 'First backoff once a login failure limit is reached; it doubles with each further failure.' },
  { key: 'loginLockMaxSeconds', env: 'BERTH_LOGIN_LOCK_MAX_SECONDS', default: 300, doc: 'Longest login backoff.' },
  { key: 'auditForward', env: 'BERTH_AUDIT_FORWARD', default: undefined, doc: 'Also send audit records elsewhere: `syslog+udp://host:port`, `syslog+tcp://host:port` (RFC 5424) or `jsonl:/path/to/file` (one JSON object per line).' },
  { key: 'jobsPollIntervalMs', env: 'BERTH_JOBS_POLL_INTERVAL_MS', default: 1000, doc: 'How often an idle process looks for due jobs when no wakeup arrived (PostgreSQL NOTIFY and in-process wakeups make it claim at once; polling is the fallback and runs delayed retries and scheduled jobs).' },
  { key: 'jobsLeaseMs', env: 'BERTH_JOBS_LEASE_MS', default: 30_000, doc: 'Lease of a running job, renewed every third of it: a job whose process died is taken over by another process this long after the last renewal.' },
  { key: 'jobsRetentionDays', env: 'BERTH_JOBS_RETENTION_DAYS', default: 7, doc: 'Finished jobs (succeeded, failed, cancelled) and domain events older than this many days are purged hourly; 0 keeps them.' },
  { key: 'jobsStopGraceMs', env: 'BERTH_JOBS_STOP_GRACE_MS', default: 10_000, doc: 'At shutdown, how long running jobs may finish before their signals are aborted and their leases released for another process.' },
  // analyzer: bounds of one image analysis (hostile images end in a bounded scan with a reason)
  { key: 'analyzerMaxEntriesPerLayer', env: 'BERTH_ANALYZER_MAX_ENTRIES_PER_LAYER', default: 1_000_000, doc: 'Tar entries read per layer (a tar bomb stops here); the rest of the layer is skipped with a reason.' },
  { key: 'analyzerMaxLayerBytes', env: 'BERTH_ANALYZER_MAX_LAYER_BYTES', default: 17_179_869_184, doc: 'Uncompressed bytes read per layer (a gzip bomb or huge file stops here, 16 GiB by default); the rest of the layer is skipped with a reason.' },
  { key: 'analyzerMaxImageBytes', env: 'BERTH_ANALYZER_MAX_IMAGE_BYTES', default: 68_719_476_736, doc: 'Uncompressed bytes read per image manifest, all layers together (64 GiB by default).' },
  { key: 'analyzerMaxBinaryBytes', env: 'BERTH_ANALYZER_MAX_BINARY_BYTES', default: 536_870_912, doc: 'Executables larger than this are not scanned for Go build info or cargo-auditable data (skipped with a reason).' },
  { key: 'analyzerTimeoutSeconds', env: 'BERTH_ANALYZER_TIMEOUT_SECONDS', default: 1_800, doc: 'Time limit of one image manifest\'s analysis; what is left is skipped with a reason and the inventory of what was read is kept.' },
  { key: 'analyzerMaxPlatforms', env: 'BERTH_ANALYZER_MAX_PLATFORMS', default: 64, doc: 'Platforms of an image index analysed; the others are skipped with a reason.' },
  { key: 'analyzerMaxArchiveDepth', env: 'BERTH_ANALYZER_MAX_ARCHIVE_DEPTH', default: 4, doc: 'Nested archives (a jar in a war in an ear …) deeper than this are skipped.' },
  { key: 'analyzerMaxArchiveBytes', env: 'BERTH_ANALYZER_MAX_ARCHIVE_BYTES', default: 268_435_456, doc: 'Bytes of one archive (jar, war) or nested archive read into memory; bigger ones are skipped.' },
  { key: 'analyzerMaxArchiveEntries', env: 'BERTH_ANALYZER_MAX_ARCHIVE_ENTRIES', default: 100_000, doc: 'Entries of one archive looked at.' },
  // scanners: Harbor's Pluggable Scanner API both ways (docs/scanner-adapter.md)
  { key: 'scannerAdapterToken', env: 'BERTH_SCANNER_ADAPTER_TOKEN', default: undefined, doc: "Bearer token a Harbor (or another Berth) presents to use Berth's own scanner as a Pluggable Scanner API adapter at `/scanner-adapter/api/v1`; the adapter is off while unset." },
  { key: 'scannerAdapterConcurrency', env: 'BERTH_SCANNER_ADAPTER_CONCURRENCY', default: 2, doc: 'Scan requests of the adapter analysed at once; others wait (their report answers 302).' },
  { key: 'scannerAdapterResultTtlSeconds', env: 'BERTH_SCANNER_ADAPTER_RESULT_TTL_SECONDS', default: 3600, doc: "How long the adapter keeps a finished scan's report for polling (in memory)." },
  { key: 'scannerAdapterMaxRequests', env: 'BERTH_SCANNER_ADAPTER_MAX_REQUESTS', default: 1000, doc: 'Scan requests the adapter holds at most (queued, running and finished); more answer 503.' },
  { key: 'externalScannerTimeoutSeconds', env: 'BERTH_EXTERNAL_SCANNER_TIMEOUT_SECONDS', default: 1800, doc: 'Longest an external adapter may take to deliver a report (Refresh-After waits included) before the scan fails.' },
  { key: 'externalScannerRequestTimeoutSeconds', env: 'BERTH_EXTERNAL_SCANNER_REQUEST_TIMEOUT_SECONDS', default: 30, doc: 'Timeout of one request to an external adapter (metadata, scan, one report poll).' },
  { key: 'externalScannerMaxRefreshSeconds', env: 'BERTH_EXTERNAL_SCANNER_MAX_REFRESH_SECONDS', default: 60, doc: "Longest wait between report polls, whatever the adapter's Refresh-After asks." },
  { key: 'externalScannerMaxReportBytes', env: 'BERTH_EXTERNAL_SCANNER_MAX_REPORT_BYTES', default: 64 * 1024 * 1024, doc: "Largest report accepted from an external adapter." },
  // vulndb: vulnerability data imports (src/supply-chain/vulndb, docs/vulnerability-data.md)
  { key: 'vulndbMaxImportBytes', env: 'BERTH_VULNDB_MAX_IMPORT_BYTES', default: 2 * 1024 ** 3, doc: 'Largest vulnerability data file accepted by an import (upload, URL download or local file); larger ones are refused with 413/400 and nothing changes.' },
  { key: 'vulndbMaxRecordBytes', env: 'BERTH_VULNDB_MAX_RECORD_BYTES', default: 16 * 1024 ** 2, doc: 'Largest single record of an OSV `all.zip` (one zip entry, checked against its declared and its actual size).' },
  { key: 'vulndbMaxJsonBytes', env: 'BERTH_VULNDB_MAX_JSON_BYTES', default: 512 * 1024 ** 2, doc: 'Largest JSON document parsed whole (Alpine secdb, Debian tracker JSON).' },
  { key: 'vulndbDownloadTimeoutSeconds', env: 'BERTH_VULNDB_DOWNLOAD_TIMEOUT_SECONDS', default: 600, doc: 'An import from a URL that has not finished downloading after this long fails (nothing changes).' },
  { key: 'testJobKinds', env: 'BERTH_TEST_JOB_KINDS', default: false, doc: 'Test hook, off in production: registers the `test.*` job kinds used by the multi-process job tests.' },
  // scanning (src/supply-chain/scanning, docs/scanning.md)
  { key: 'scanConcurrency', env: 'BERTH_SCAN_CONCURRENCY', default: 2, doc: 'Scans (`scan.artifact` jobs) running at once in each process; a slow or huge image holds one of these slots, never the queue.' },
  { key: 'scanTimeoutSeconds', env: 'BERTH_SCAN_TIMEOUT_SECONDS', default: 1800, doc: 'A scan attempt running longer is aborted and counts as failed (retried until `scanMaxAttempts`).' },
  { key: 'scanMaxAttempts', env: 'BERTH_SCAN_MAX_ATTEMPTS', default: 3, doc: 'Attempts per scan; after the last failed one the report shows Error with the reason and `artifact.scan_failed` (webhook SCANNING_FAILED) is published.' },
  { key: 'scanAutoDelayMs', env: 'BERTH_SCAN_AUTO_DELAY_MS', default: 3000, doc: 'Auto-scan (project setting `auto_scan`) starts this long after the push, so the platform manifests of an index pushed right after them are recognised as its children and scanned once, with the index.' },
  { key: 'scanRescanCron', env: 'BERTH_SCAN_RESCAN_CRON', default: undefined, doc: 'Cron expression of a scheduled rescan of every image (read again by the analyzer), e.g. `0 2 * * 0`. Unset: no rescan; imported vulnerability data re-matches stored inventories anyway.' },
];

export class ConfigError extends Error {}

/**
 * Loads configuration. `file` is a YAML file whose keys are the option names
 * above (camelCase); `env` is usually process.env.
 */
export function loadConfig(options: { file?: string | undefined; env?: NodeJS.ProcessEnv } = {}): Config {
  const env = options.env ?? process.env;
  const raw: Record<string, unknown> = {};
  for (const o of OPTIONS) if (o.default !== undefined) raw[o.key] = o.default;

  const file = options.file ?? env.BERTH_CONFIG;
  if (file) {
    let parsed: unknown;
    try {
      parsed = parseYaml(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new ConfigError(`cannot read config file ${file}: ${(err as Error).message}`);
    }
    if (parsed !== null && parsed !== undefined) {
      if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConfigError(`config file ${file} must be a YAML mapping`);
      Object.assign(raw, parsed);
    }
  }

  for (const o of OPTIONS) {
    const value = env[o.env];
    if (value === undefined || value === '') continue;
    raw[o.key] = coerce(value, o);
  }

  const result = schema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map((i) => {
      const key = i.path.join('.');
      const opt = OPTIONS.find((o) => o.key === key);
      return `  ${key}${opt ? ` (${opt.env})` : ''}: ${i.message}`;
    });
    throw new ConfigError(`invalid configuration:\n${problems.join('\n')}`);
  }
  const c = result.data;
  const dataDir = path.resolve(c.dataDir);
  return {
    ...c,
    dataDir,
    baseUrl: (c.externalUrl ?? defaultExternalUrl(c.listen)).replace(/\/+$/, ''),
    database: c.databaseUrl ?? `sqlite:${path.join(dataDir, 'berth.db')}`,
    storage: path.resolve(c.storageDir ?? path.join(dataDir, 'storage')),
  };
}

function coerce(value: string, o: OptionDoc): unknown {
  if (typeof o.default === 'boolean') {
    if (/^(true|1|yes|on)$/i.test(value)) return true;
    if (/^(false|0|no|off)$/i.test(value)) return false;
    throw new ConfigError(`${o.env} must be true or false, got ${JSON.stringify(value)}`);
  }
  if (typeof o.default === 'number') {
    if (!/^-?\d+$/.test(value)) throw new ConfigError(`${o.env} must be an integer, got ${JSON.stringify(value)}`);
    return Number(value);
  }
  return value;
}

export function parseListen(listen: string): { host: string; port: number } {
  const m = listenPattern.exec(listen);
  if (!m) throw new ConfigError(`invalid listen address ${listen}`);
  const host = m[1]!.replace(/^\[|\]$/g, '');
  return { host, port: Number(m[2]) };
}

function defaultExternalUrl(listen: string): string {
  const { host, port } = parseListen(listen);
  const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return `http://${shown}:${port}`;
}
