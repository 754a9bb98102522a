/**
 * The engine's shapes: what it depends on, its options, and the per-app
 * state it keeps between comparisons.
 */
import type { Logger } from 'pino';
import type { ApplicationSource, DeliveryPolicy } from '../model.ts';
import type {
  ApplicationRecord, ApplicationStatus, ClusterConnection, GitRepoCache, HistoryEntry, KubeObject, OperationState, RenderInput, RepoAccess, ResourceType,
} from '../types.ts';
import type { LeaseManager } from '../../platform/leases/leases.ts';
import type { DeliveryCatalog } from './catalog.ts';
import type { ClusterHandle, ClusterSource, Connect } from './clusters.ts';
import type { OperationStore } from './operations.ts';
import type { CachedDiff, Comparison } from './compare.ts';
import type { PreparedObjects, ResourceAllowed } from './prepare.ts';

export interface EngineStore {
  listAll(): Promise<ApplicationRecord[]>;
  get(name: string): Promise<ApplicationRecord | undefined>;
  onChange(listener: (name: string, record: ApplicationRecord | undefined) => void): () => void;
  saveStatus(name: string, status: ApplicationStatus): Promise<void>;
  loadStatus(name: string): Promise<ApplicationStatus | undefined>;
  appendHistory(entry: Omit<HistoryEntry, 'id'>): Promise<HistoryEntry>;
  listHistory(name: string, limit?: number): Promise<HistoryEntry[]>;
  getHistory(name: string, id: number): Promise<HistoryEntry | undefined>;
}

export interface EngineDeps {
  store: EngineStore;
  clusters: ClusterSource;
  connect: Connect;
  policies: { get(project: string): Promise<DeliveryPolicy | undefined> };
  resourceAllowed: ResourceAllowed;
  repositories: { access(url: string): Promise<RepoAccess> };
  git: GitRepoCache;
  render(input: RenderInput, repoUrl: string, hard: boolean): Promise<KubeObject[]>;
  logger: Logger;
  inCluster?: ClusterConnection;
  /** Told about every comparison and operation (metrics). */
  observer?: EngineObserver;
  /** Several processes on one database: leases, durable operations, the shared catalog. */
  coordination: EngineCoordination;
}

export interface EngineCoordination {
  leases: LeaseManager;
  operations: OperationStore;
  catalog: DeliveryCatalog;
}

export interface EngineObserver {
  reconciled(app: string, durationMs: number, ok: boolean): void;
  operationFinished(app: string, project: string, state: OperationState): void;
}

export interface EngineOptions {
  /** Polling: every app is compared (and its repository fetched) this often, plus jitter. */
  reconcileIntervalMs: number;
  jitterMs: number;
  selfHealDelayMs: number;
  statusProcessors: number;
  operationProcessors: number;
  /** How long one sync step (wave) may take to become healthy. */
  stepTimeoutMs: number;
  /** Application leases: another process takes a dead one's applications after this long. */
  leaseTtlMs: number;
  /** How often applications, statuses and refresh requests written by other processes are read. */
  catalogPollMs: number;
}

export const DEFAULT_ENGINE_OPTIONS: EngineOptions = {
  reconcileIntervalMs: 180_000,
  jitterMs: 60_000,
  selfHealDelayMs: 2_000,
  statusProcessors: 20,
  operationProcessors: 10,
  stepTimeoutMs: 300_000,
  leaseTtlMs: 15_000,
  catalogPollMs: 2_000,
};

/** What the engine keeps per application. */
export interface Runtime {
  record: ApplicationRecord;
  status: ApplicationStatus;
  memo: Map<string, CachedDiff>;
  managedTypes: Map<string, ResourceType>;
  /** The operation running in this process (its row is in application_operations). */
  operation?: { promise: Promise<OperationState>; abort: AbortController; id: string };
  /** A sync of a new revision succeeded: `application.deployed` when the app is next seen Healthy. */
  deployPending?: { revision: string; operationId: string };
  /** The revision last announced as deployed. */
  deployedRevision?: string;
  auto?: { key: string; phase: OperationState['phase'] };
  selfHealTimer?: NodeJS.Timeout;
  liveTimer?: NodeJS.Timeout;
  /** The last prepared objects and what they were prepared from. */
  prepared?: { key: string; objects: PreparedObjects };
  nextReconcileAt: number;
  /**
   * When the pending poll began (preciseNow()): its comparison must see
   * every commit pushed before then, so a fetch older than this is not
   * fresh enough, however recent.
   */
  pollSince?: number;
  fetchNext: boolean;
  hardNext: boolean;
  saved?: string;
  /** Sync, health and operation phase as last announced (`application.status_changed`). */
  announced?: string;
}

/** What `application.status_changed` tells: the app's badges in a list or page. */
export const statusKey = (s: ApplicationStatus) => `${s.sync.status}|${s.health.status}|${s.operationState?.phase ?? ''}`;

export type Compared =
  | { ok: true; commit: string; handle: ClusterHandle; prepared: PreparedObjects; comparison: Comparison; source: ApplicationSource }
  | { ok: false; message: string };

export const errorMessage = (err: unknown) => (err instanceof Error ? err.message : String(err));
