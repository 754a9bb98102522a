/**
 * The audit log's contract, shared by every feature that records events.
 * Implementation: src/audit/audit-log.ts.
 */
import type { Transaction } from 'kysely';
import type { Database } from '../platform/db/schema.ts';
import type { ActorKind } from './schema.ts';

export type { ActorKind };

export interface AuditEvent {
  actor: { kind: ActorKind; name: string };
  /** Client address as seen by Berth (after trusted proxy handling). */
  sourceIp: string;
  /** e.g. repository, artifact, tag, project, member, robot, user, token, session, config. */
  resourceType: string;
  /** e.g. `team/app:v1`, `team/app@sha256:…`, project name, user name. */
  resource: string;
  /** e.g. pull, push, delete, create, update, login. */
  action: string;
  outcome: 'success' | 'failure';
  /** Short reason for failures, or extra context; never a secret. */
  detail?: string;
  /** Epoch ms; defaults to now. */
  time?: number;
  /**
   * Project the event belongs to, for the project filter. Defaults to the
   * resource's first path component; set it when the resource does not name
   * the project (e.g. a robot or webhook change).
   */
  project?: string;
}

export interface AuditRecorder {
  /**
   * Buffers an event: never blocks the caller (pulls and pushes). Flushed at
   * least every `auditFlushIntervalMs` and on close.
   */
  record(event: AuditEvent): void;
  /** Writes the event inside the caller's transaction (management changes). */
  recordIn(trx: Transaction<Database>, event: AuditEvent): Promise<void>;
}
