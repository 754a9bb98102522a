/**
 * Domain events: typed facts published in the transaction that makes them
 * true. Durable subscribers get one job per event (enqueued in that same
 * transaction, so a crash loses nothing and a slow subscriber never slows the
 * publisher); in-process listeners hear them after commit, in every process
 * (cheap reactions such as cache invalidation), best effort.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { JobContext, JobKindOptions } from '../jobs/types.ts';

/** Who caused an event: a user or robot name, `anonymous`, or `system`. */
export type EventActor = string;

interface RepositoryRef {
  project: string;
  /** Full repository name, e.g. `team/app`. */
  repository: string;
}

export interface DomainEventMap {
  'artifact.pushed': RepositoryRef & { digest: string; mediaType: string; size: number; tag?: string };
  'artifact.pulled': RepositoryRef & { digest: string; tag?: string };
  'artifact.deleted': RepositoryRef & { digest: string; mediaType: string; tags: string[] };
  /** A scan of the artifact finished (src/supply-chain/scanning): Harbor's summary, `severity` the highest (`None` without findings). */
  'artifact.scanned': RepositoryRef & { digest: string; reportId: string; severity: string; total: number; fixable: number; summary: Record<string, number>; scanner: string; durationMs: number };
  /** A scan failed for good (its retries used up, or a permanent error). */
  'artifact.scan_failed': RepositoryRef & { digest: string; reportId: string; error: string };
  /**
   * The signature status of an artifact under its project's trust policy
   * changed (src/supply-chain/trust): a signature was verified or removed, or
   * the policy changed. `satisfied` says whether the policy's requirements are
   * met; `signers` names who signed (verified signatures only).
   */
  'artifact.signature_verified': RepositoryRef & { digest: string; satisfied: boolean; policyVersion: number; signers: string[]; reason: string };
  'tag.created': RepositoryRef & { tag: string; digest: string };
  'tag.moved': RepositoryRef & { tag: string; digest: string; previousDigest: string };
  'tag.deleted': RepositoryRef & { tag: string; digest: string };
  'project.created': { project: string };
  'project.updated': { project: string };
  'project.deleted': { project: string };
  'robot.created': { project?: string; robot: string };
  'robot.deleted': { project?: string; robot: string };
  /** 7 days and 1 day before expiry (daysLeft), once each per expiry. */
  'robot.expiring': { project?: string; robot: string; expiresAt: number; daysLeft: number };
  'robot.expired': { project?: string; robot: string; expiresAt: number };
  'application.synced': { project: string; application: string; revision: string; operationId: string };
  'application.sync_failed': { project: string; application: string; revision: string; operationId: string; message: string };
  'application.health_changed': { project: string; application: string; from: string; to: string };
  /** A sync of a new revision succeeded and the app became Healthy (Argo CD's on-deployed). */
  'application.deployed': { project: string; application: string; revision: string; operationId: string };
  /**
   * The sync status, health or operation phase an application shows changed
   * (live views; not offered to outgoing webhooks, see docs/webhooks.md).
   */
  'application.status_changed': { project: string; application: string; sync: string; health: string; operationPhase?: string; revision?: string };
  /** An operation was accepted, started, progressed (message, resources done) or ended (live views, not webhooks). */
  'application.operation_updated': { project: string; application: string; operationId: string; kind: string; phase: string; message: string; resourcesDone: number };
}

export type DomainEventType = keyof DomainEventMap;

export interface DomainEvent<T extends DomainEventType = DomainEventType> {
  /** UUIDv7, assigned at publish. */
  id: string;
  type: T;
  /** Epoch ms. */
  occurredAt: number;
  actor: EventActor;
  data: DomainEventMap[T];
}

export type EventInput<T extends DomainEventType = DomainEventType> = { type: T; actor: EventActor; data: DomainEventMap[T]; occurredAt?: number };

export interface EventPublisher {
  /** Publishes inside the caller's transaction (pass it as `db`); see the file comment. */
  publish<T extends DomainEventType>(db: Kysely<Database>, event: EventInput<T>): Promise<void>;
}

/** A publisher that drops everything (tests and tools without a bus). */
export const NO_EVENTS: EventPublisher = { publish: () => Promise.resolve() };

export interface EventBus extends EventPublisher {
  /**
   * A durable subscriber: each matching event becomes a job of kind
   * `event:<name>`, retried by the job rules. Register at start, before
   * anything publishes.
   */
  subscribe<T extends DomainEventType>(name: string, types: readonly T[], handler: (event: DomainEvent<T>, ctx: JobContext) => Promise<void>, options?: JobKindOptions): void;
  /** In-process, after commit, in every process; returns an unsubscribe function. */
  on<T extends DomainEventType>(types: readonly T[], listener: (event: DomainEvent<T>) => void): () => void;
}
