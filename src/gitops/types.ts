/**
 * The contracts between the delivery units, so that each can be built and
 * tested on its own (gitops-engine's split): git (repositories → trees),
 * render (tree → desired objects), kube (cluster client, live-state cache,
 * diff, health), sync (plan and run an operation) and apps (store,
 * controller, API). Nothing here does I/O.
 */
import type { AuditContext } from '../audit/audited.ts';
import type { ApplicationSource, ApplicationSpec, IgnoreDifference, SyncOption } from './model.ts';

// ---------------------------------------------------------------- Kubernetes

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  managedFields?: ManagedFieldsEntry[];
  ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean }[];
  [key: string]: unknown;
}

export interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  apiVersion?: string;
  fieldsType?: string;
  fieldsV1?: Record<string, unknown>;
  time?: string;
}

/** Any Kubernetes object, as JSON. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

/** Identifies one object; `group` is '' for the core group. */
export interface ResourceKey {
  group: string;
  kind: string;
  namespace: string; // '' for cluster-scoped objects
  name: string;
}

/** A resource type as discovery describes it. */
export interface ResourceType {
  group: string;
  version: string;
  kind: string;
  /** Plural path segment, e.g. deployments. */
  resource: string;
  namespaced: boolean;
  verbs: readonly string[];
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface ApplyOptions {
  /** Server-side dry run (dryRun=All). */
  dryRun?: boolean;
  /** Take ownership of conflicting fields (force=true). Berth applies with force. */
  force?: boolean;
  /** Defaults to `berth`. */
  fieldManager?: string;
}

export type PropagationPolicy = 'Foreground' | 'Background' | 'Orphan';

/** A client for one cluster. Errors are KubeApiError (status, reason, message). */
export interface KubeClient {
  /** The API server URL, as registered. */
  readonly server: string;
  /** Resolves apiVersion+kind through discovery (cached; refreshed on a miss, so new CRDs resolve). */
  resourceType(apiVersion: string, kind: string): Promise<ResourceType>;
  /** Server-side apply (PATCH application/apply-patch+yaml). Returns the object the server stored (or would store). */
  apply(obj: KubeObject, options?: ApplyOptions): Promise<KubeObject>;
  /** Create or replace (PUT) — the `Replace=true` sync option. */
  replace(obj: KubeObject, options?: { dryRun?: boolean }): Promise<KubeObject>;
  get(apiVersion: string, kind: string, namespace: string, name: string): Promise<KubeObject | undefined>;
  /** Returns false when the object was already gone. */
  delete(apiVersion: string, kind: string, namespace: string, name: string, options?: { propagationPolicy?: PropagationPolicy }): Promise<boolean>;
  list(type: ResourceType, options?: { namespace?: string; labelSelector?: string }): Promise<{ items: KubeObject[]; resourceVersion: string }>;
  /** Server version, e.g. v1.33.13. */
  version(): Promise<string>;
}

export interface LiveChange {
  type: WatchEventType;
  object: KubeObject;
}

/**
 * The watch-based cache of one cluster's live state for the kinds Berth
 * manages (list + watch, relist on 410 Gone, periodic resync check).
 */
export interface ClusterCache {
  /** Starts watching these types if not yet watched; resolves once each has its initial list. */
  watch(types: readonly ResourceType[]): Promise<void>;
  /** The cached object, or undefined when absent (or its type is not watched). */
  get(key: ResourceKey): KubeObject | undefined;
  /** Objects carrying the tracking label of `appName` (label APP_LABEL). */
  byApp(appName: string): KubeObject[];
  /** Called for every change after the initial lists; returns an unsubscribe function. */
  subscribe(listener: (change: LiveChange) => void): () => void;
  close(): void;
}

/** Label Berth puts on every object it applies: the owning application's name. */
export const APP_LABEL = 'app.berth.dev/instance';
/** Annotation with the owning app and the object's identity, to detect copies and shared objects. */
export const TRACKING_ANNOTATION = 'app.berth.dev/tracking-id';

// ---------------------------------------------------------------- health

export const HEALTH_STATUSES = ['Healthy', 'Progressing', 'Degraded', 'Suspended', 'Missing', 'Unknown'] as const;
export type HealthStatus = (typeof HEALTH_STATUSES)[number];
export interface Health {
  status: HealthStatus;
  message?: string;
}

// ---------------------------------------------------------------- diff

export interface ResourceDiff {
  key: ResourceKey;
  /** Missing live, differs, or live but not desired (needs pruning). */
  state: 'Synced' | 'OutOfSync';
  /** Why OutOfSync: 'missing' (not in cluster), 'changed', 'extra' (live only, prune candidate). */
  reason?: 'missing' | 'changed' | 'extra';
  /** Unified diff of the normalized live and desired (dry-run result) YAML; empty when Synced. */
  diff: string;
}

export type { IgnoreDifference };

// ---------------------------------------------------------------- git

/** How to reach a repository; secrets never leave the process in argv or logs. */
export interface RepoAccess {
  url: string;
  username?: string;
  password?: string;
  /** PEM/OpenSSH private key, for ssh:// and scp-like URLs. */
  sshPrivateKey?: string;
  /** known_hosts lines; an SSH URL without them is refused unless insecureIgnoreHostKey. */
  knownHosts?: string;
  insecureIgnoreHostKey?: boolean;
}

export interface GitRepoCache {
  /**
   * Resolves a branch, tag, HEAD or SHA to a commit SHA. Fetches first when the
   * cached answer is older than `maxAgeMs` (0 = always fetch), or when it comes
   * from a fetch that started before `fetchedSince` (a `preciseNow()` reading
   * from git/repo-cache.ts; a poll passes its start so that it sees every
   * commit pushed before it began).
   */
  resolve(repo: RepoAccess, revision: string, options?: { maxAgeMs?: number; fetchedSince?: number }): Promise<string>;
  /** A read-only directory holding the whole tree at `commit`; shared, never modified. */
  tree(repo: RepoAccess, commit: string): Promise<string>;
  /** Forgets cached resolutions for this URL (a webhook arrived). */
  invalidate(url: string): void;
}

// ---------------------------------------------------------------- render

export interface RenderInput {
  /** Root of the checked-out tree (from GitRepoCache.tree). */
  treeDir: string;
  source: ApplicationSource;
  commit: string;
  appName: string;
  /** Destination namespace (Helm's --namespace; objects without one get it later). */
  namespace: string;
}

export interface Renderer {
  /** Desired objects in file order; throws RenderError with a readable message. */
  render(input: RenderInput): Promise<KubeObject[]>;
}

// ---------------------------------------------------------------- sync and status

export type SyncStatusCode = 'Synced' | 'OutOfSync' | 'Unknown';
export type OperationPhase = 'Running' | 'Succeeded' | 'Failed' | 'Error' | 'Terminating';
export type HookType = 'PreSync' | 'Sync' | 'PostSync' | 'SyncFail' | 'Skip';
export type SyncTrigger = 'manual' | 'automated' | 'self-heal' | 'rollback' | 'webhook';

export interface ResourceResult {
  key: ResourceKey;
  version: string;
  /** 'synced', 'pruned', 'pruneSkipped', 'failed', 'hook' … */
  status: 'Synced' | 'SyncFailed' | 'Pruned' | 'PruneSkipped' | 'Running' | 'Succeeded' | 'Failed';
  message: string;
  hookType?: HookType;
  hookPhase?: OperationPhase;
  wave: number;
  phase: 'PreSync' | 'Sync' | 'PostSync' | 'SyncFail';
}

export interface ResourceStatus {
  key: ResourceKey;
  version: string;
  status: SyncStatusCode;
  health?: Health;
  requiresPruning?: boolean;
  hook?: boolean;
}

export interface OperationState {
  phase: OperationPhase;
  message: string;
  trigger: SyncTrigger;
  actor: string;
  revision: string;
  startedAt: number;
  finishedAt?: number;
  retryCount: number;
  dryRun: boolean;
  resources: ResourceResult[];
}

export interface ApplicationStatus {
  sync: { status: SyncStatusCode; revision?: string };
  health: Health;
  resources: ResourceStatus[];
  operationState?: OperationState;
  /** Errors that stop comparison: render failed, repository unreachable, … */
  conditions: { type: string; message: string; at: number }[];
  reconciledAt: number;
  /** Commit actually deployed by the last successful sync. */
  syncedRevision?: string;
}

export interface HistoryEntry {
  id: number;
  app: string;
  revision: string;
  /** sha256 of the rendered manifests as applied. */
  manifestDigest: string;
  source: ApplicationSource;
  trigger: SyncTrigger;
  actor: string;
  startedAt: number;
  finishedAt: number;
  phase: OperationPhase;
  message: string;
}

// ---------------------------------------------------------------- clusters, apps, controller

/** How Berth reaches a cluster's API server. PEM strings, not file paths. */
export interface ClusterConnection {
  name: string;
  server: string;
  bearerToken?: string;
  caData?: string;
  clientCertData?: string;
  clientKeyData?: string;
  insecureSkipTlsVerify?: boolean;
}

export interface ApplicationRecord {
  name: string;
  project: string;
  spec: ApplicationSpec;
  createdBy: string;
  createdAt: number;
  updatedAt: number;
}

export interface SyncRequest {
  /** Defaults to the spec's targetRevision (a rollback passes a commit). */
  revision?: string;
  /** Prune resources no longer in Git; defaults to the automated policy's prune (false for manual syncs). */
  prune?: boolean;
  dryRun?: boolean;
  /** Selective sync: only these resources. */
  resources?: ResourceKey[];
  syncOptions?: SyncOption[];
}

// ---------------------------------------------------------------- resource tree

export interface ResourceRef {
  group: string;
  kind: string;
  namespace: string;
  name: string;
  uid?: string;
}

export interface ResourceNodeInfo {
  images?: string[];
  replicas?: { ready: number; desired: number };
  podPhase?: string;
  /** Ready containers of a Pod, e.g. "1/2". */
  ready?: string;
  restarts?: number;
  createdAt?: string;
}

export interface ResourceNode {
  group: string;
  version: string;
  kind: string;
  namespace: string;
  name: string;
  uid?: string;
  parentRefs: ResourceRef[];
  /** Declared in Git (true), or made by the cluster (false). */
  managed: boolean;
  /** Managed resources only. */
  sync?: SyncStatusCode;
  requiresPruning?: boolean;
  health?: Health;
  info: ResourceNodeInfo;
}

/** An application's managed resources and their children by ownerReferences (engine/resource-tree.ts). */
export interface ResourceTree {
  nodes: ResourceNode[];
  truncated: boolean;
}

/** What the API and CLI ask of the delivery engine. */
export interface DeliveryEngine {
  status(app: string): ApplicationStatus | undefined;
  /** Re-resolve the revision (hard: bypass render cache) and compare now. */
  refresh(app: string, options?: { hard?: boolean }): Promise<ApplicationStatus>;
  diff(app: string): Promise<ResourceDiff[]>;
  /** Runs a sync operation (recorded in the database, audited as `who`); resolves when it ends. Refused while another operation runs. */
  sync(app: string, request: SyncRequest, actor: string, trigger?: SyncTrigger, who?: AuditContext): Promise<OperationState>;
  /** Syncs the revision and source of history entry `id`; refused while automated sync is on. */
  rollback(app: string, id: number, actor: string, who?: AuditContext): Promise<OperationState>;
  history(app: string): Promise<HistoryEntry[]>;
  /** The managed resources and what the cluster made of them (children listed live, cached a few seconds). */
  resourceTree(app: string): Promise<ResourceTree>;
  /** Called after the store deleted the app; cascade deletes its live resources. */
  deleted(app: string, options: { cascade: boolean; propagationPolicy?: PropagationPolicy }, who?: AuditContext): Promise<void>;
  /**
   * A Git webhook for this repository URL arrived: refresh every app using it
   * (apps whose path holds one of `changedPaths` first). Returns how many apps.
   */
  repositoryChanged(url: string, branches: readonly string[], changedPaths?: readonly string[]): number;
}
