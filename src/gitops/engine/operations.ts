/**
 * Durable delivery operations: every sync, rollback and deletion of an
 * application is a row in `application_operations`, written when the
 * operation is accepted and kept after it ends (the operation history, which
 * unlike the sync history is not cut to the last ten). The row is how
 * processes agree: at most one active operation per application (a unique
 * index), one automated sync per commit and parameters (a unique dedupe key),
 * the process running it (`owner`), and what a process that takes an
 * application over must resume. Its end is written in one transaction with
 * the audit record and the `application.*` event.
 */
import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import { AccessError } from '../../access/errors.ts';
import type { AuditContext } from '../../audit/audited.ts';
import type { AuditRecorder } from '../../audit/types.ts';
import type { Db } from '../../platform/db/schema.ts';
import type { EventInput, EventPublisher } from '../../platform/events/types.ts';
import type { ApplicationSource } from '../model.ts';
import type { OperationState, SyncRequest, SyncTrigger } from '../types.ts';
import type { ApplicationOperationTable } from './schema.ts';

export type OperationKind = ApplicationOperationTable['kind'];
export type OperationRowState = ApplicationOperationTable['state'];

export interface OperationRecord {
  id: string;
  app: string;
  project: string;
  kind: OperationKind;
  trigger: SyncTrigger;
  request: SyncRequest;
  /** A rollback's source (else the application's own). */
  source?: ApplicationSource;
  revision: string;
  resolvedRevision?: string;
  actor: AuditContext['actor'];
  sourceIp: string;
  state: OperationRowState;
  owner?: string;
  attempts: number;
  message: string;
  result?: OperationState;
  resourcesDone: number;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
}

export interface OperationInput {
  app: string;
  project: string;
  kind: OperationKind;
  trigger: SyncTrigger;
  request: SyncRequest;
  source?: ApplicationSource;
  revision: string;
  who: AuditContext;
  /** Automated syncs: commit and source; a second one with the same key is not accepted. */
  dedupeKey?: string;
}

/** Who acts for Berth itself (automated sync, self-heal). */
export const SYSTEM: AuditContext = { actor: { kind: 'system', name: 'system' }, sourceIp: '' };

const MESSAGE_LIMIT = 2_000;

export class OperationStore {
  readonly #db: Db;
  readonly #audit: AuditRecorder;
  readonly #events: EventPublisher | undefined;
  /** The last progress announced per running operation (bounded by the running operations). */
  readonly #progressed = new Map<string, string>();

  constructor(db: Db, audit: AuditRecorder, events?: EventPublisher) {
    this.#db = db;
    this.#audit = audit;
    this.#events = events;
  }

  /**
   * Records an accepted operation (Pending). Throws CONFLICT while another
   * operation of the application is active; answers undefined when an
   * automated sync with the same dedupe key was already accepted.
   */
  async accept(input: OperationInput): Promise<OperationRecord | undefined> {
    const now = Date.now();
    const row: ApplicationOperationTable = {
      id: randomUUID(),
      app: input.app,
      project: input.project,
      kind: input.kind,
      trigger: input.trigger,
      request: JSON.stringify({ request: input.request, ...(input.source ? { source: input.source } : {}) }),
      revision: input.revision.slice(0, 255),
      resolved_revision: null,
      actor_kind: input.who.actor.kind,
      actor: input.who.actor.name.slice(0, 255),
      source_ip: input.who.sourceIp.slice(0, 64),
      state: 'Pending',
      active: 1,
      dedupe_key: input.dedupeKey ?? null,
      owner: null,
      attempts: 0,
      message: 'waiting to start',
      result: null,
      resources_done: 0,
      created_at: now,
      started_at: null,
      finished_at: null,
    };
    // The row and its event commit together: no wider a window between accepting and claiming than the insert itself.
    const inserted = await this.#db.transaction().execute(async (trx) => {
      const r = await trx.insertInto('application_operations').values(row).onConflict((oc) => oc.doNothing()).executeTakeFirst();
      if (Number(r.numInsertedOrUpdatedRows ?? 0n) !== 1) return false;
      await this.#updated(trx, row);
      return true;
    });
    if (inserted) return toRecord(row);
    const running = await this.#db.selectFrom('application_operations').selectAll().where('app', '=', input.app).where('active', '=', 1).executeTakeFirst();
    if (running) throw new AccessError('CONFLICT', `another operation is already in progress for ${input.app} (${running.kind} by ${running.actor}, ${running.state.toLowerCase()})`);
    if (input.dedupeKey !== undefined) return undefined;
    throw new AccessError('CONFLICT', `operation for ${input.app} not accepted`);
  }

  /** A finished deletion (recorded, not run: the caller did it). */
  async recordDeletion(input: Omit<OperationInput, 'kind' | 'request' | 'revision'> & { message: string; ok: boolean }): Promise<void> {
    const now = Date.now();
    const state: OperationRowState = input.ok ? 'Succeeded' : 'Failed';
    await this.#db.insertInto('application_operations').values({
      id: randomUUID(), app: input.app, project: input.project, kind: 'delete', trigger: input.trigger, request: '{}', revision: '', resolved_revision: null,
      actor_kind: input.who.actor.kind, actor: input.who.actor.name.slice(0, 255), source_ip: input.who.sourceIp.slice(0, 64), state, active: null, dedupe_key: null,
      owner: null, attempts: 1, message: input.message.slice(0, MESSAGE_LIMIT), result: null, resources_done: 0, created_at: now, started_at: now, finished_at: now,
    }).execute();
  }

  async get(id: string): Promise<OperationRecord | undefined> {
    const row = await this.#db.selectFrom('application_operations').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toRecord(row);
  }

  /** An application's operations, newest first. */
  async list(app: string, limit = 100): Promise<OperationRecord[]> {
    const rows = await this.#db.selectFrom('application_operations').selectAll().where('app', '=', app).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
    return rows.map(toRecord);
  }

  /** Every pending or running operation (all applications). */
  async active(): Promise<OperationRecord[]> {
    const rows = await this.#db.selectFrom('application_operations').selectAll().where('active', '=', 1).orderBy('created_at').execute();
    return rows.map(toRecord);
  }

  /** The newest automated sync's dedupe key and state: what the automated-sync decision of another process left. */
  async lastAutomated(app: string): Promise<{ key: string; state: OperationRowState } | undefined> {
    const row = await this.#db.selectFrom('application_operations').select(['dedupe_key', 'state']).where('app', '=', app).where('dedupe_key', 'is not', null).orderBy('created_at', 'desc').limit(1).executeTakeFirst();
    return row?.dedupe_key ? { key: row.dedupe_key, state: row.state } : undefined;
  }

  /**
   * Takes an active operation to run it: a pending one, or a running one
   * whose owner (`previousOwner`) is gone. False when another process took it.
   */
  async claim(id: string, owner: string, previousOwner: string | undefined, message: string): Promise<boolean> {
    let q = this.#db
      .updateTable('application_operations')
      .set((eb) => ({ state: 'Running', owner, attempts: eb('attempts', '+', 1), started_at: Date.now(), message: message.slice(0, MESSAGE_LIMIT) }))
      .where('id', '=', id)
      .where('active', '=', 1);
    q = previousOwner === undefined ? q.where('owner', 'is', null) : q.where('owner', '=', previousOwner);
    if (Number((await q.executeTakeFirst()).numUpdatedRows) !== 1) return false;
    await this.#updatedById(id);
    return true;
  }

  /** Hands an operation this process can no longer run (it lost the application's lease) back as pending, for the new holder. */
  async release(id: string, owner: string): Promise<boolean> {
    const r = await this.#db.updateTable('application_operations').set({ state: 'Pending', owner: null, message: 'waiting for the process that now operates the application' }).where('id', '=', id).where('owner', '=', owner).where('active', '=', 1).executeTakeFirst();
    this.#progressed.delete(id);
    if (Number(r.numUpdatedRows) !== 1) return false;
    await this.#updatedById(id);
    return true;
  }

  /** Progress of a running operation (also shows it is alive); announced only when its message or count changed. */
  async progress(id: string, owner: string, state: OperationState): Promise<void> {
    const message = state.message.slice(0, MESSAGE_LIMIT);
    const r = await this.#db.updateTable('application_operations').set({ message, resources_done: state.resources.length }).where('id', '=', id).where('owner', '=', owner).where('active', '=', 1).executeTakeFirst();
    const key = `${message}\0${state.resources.length}`;
    if (Number(r.numUpdatedRows) !== 1 || this.#progressed.get(id) === key) return;
    this.#progressed.set(id, key);
    await this.#updatedById(id);
  }

  /**
   * Ends an operation with its final state, audit record and event, in one
   * transaction; false (nothing written) when this owner no longer runs it.
   */
  async finish(op: OperationRecord, owner: string, state: OperationState): Promise<boolean> {
    const rowState: OperationRowState = state.phase === 'Succeeded' ? 'Succeeded' : state.phase === 'Error' ? 'Error' : 'Failed';
    const now = Date.now();
    return this.#db.transaction().execute(async (trx) => {
      const r = await trx
        .updateTable('application_operations')
        .set({ state: rowState, active: null, finished_at: state.finishedAt ?? now, message: state.message.slice(0, MESSAGE_LIMIT), result: JSON.stringify(state), resolved_revision: state.revision.slice(0, 255), resources_done: state.resources.length })
        .where('id', '=', op.id)
        .where('owner', '=', owner)
        .where('active', '=', 1)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) return false;
      const what = op.kind === 'rollback' ? 'rollback' : `${op.trigger} sync`;
      await this.#audit.recordIn(trx, {
        actor: op.actor,
        sourceIp: op.sourceIp,
        resourceType: 'application',
        resource: `${op.project}/${op.app}`,
        project: op.project,
        action: op.kind,
        outcome: rowState === 'Succeeded' ? 'success' : 'failure',
        detail: `${what} of ${op.revision} (commit ${state.revision.slice(0, 12)}), operation ${op.id}: ${state.phase}: ${state.message}`.slice(0, 1_000),
      });
      this.#progressed.delete(op.id);
      await this.#updated(trx, { id: op.id, app: op.app, project: op.project, kind: op.kind, state: rowState, message: state.message.slice(0, MESSAGE_LIMIT), resources_done: state.resources.length });
      if (this.#events && !state.dryRun) {
        const base = { project: op.project, application: op.app, revision: state.revision, operationId: op.id };
        if (rowState === 'Succeeded') await this.#events.publish(trx, { type: 'application.synced', actor: op.actor.name, data: base });
        else await this.#events.publish(trx, { type: 'application.sync_failed', actor: op.actor.name, data: { ...base, message: state.message.slice(0, MESSAGE_LIMIT) } });
      }
      return true;
    });
  }

  /** `application.operation_updated` for live views, in `db` (the transaction of the change, when there is one). */
  async #updated(db: Db, r: Pick<ApplicationOperationTable, 'id' | 'app' | 'project' | 'kind' | 'state' | 'message' | 'resources_done'>): Promise<void> {
    await this.#events?.publish(db, {
      type: 'application.operation_updated',
      actor: 'system',
      data: { project: r.project, application: r.app, operationId: r.id, kind: r.kind, phase: r.state, message: r.message, resourcesDone: Number(r.resources_done) },
    });
  }

  async #updatedById(id: string): Promise<void> {
    if (!this.#events) return;
    const row = await this.#db.selectFrom('application_operations').select(['id', 'app', 'project', 'kind', 'state', 'message', 'resources_done']).where('id', '=', id).executeTakeFirst();
    if (row) await this.#updated(this.#db, row);
  }

  /** Publishes an application event (health changes, deployments) when events are wired. */
  async publish(event: EventInput): Promise<void> {
    await this.#events?.publish(this.#db, event);
  }

  /** Ends an operation that cannot run (its application is gone), with its audit record. */
  async abandon(op: OperationRecord, owner: string, message: string): Promise<boolean> {
    const now = Date.now();
    return this.finish(op, owner, { phase: 'Failed', message, trigger: op.trigger, actor: op.actor.name, revision: op.revision, startedAt: op.startedAt ?? now, finishedAt: now, retryCount: 0, dryRun: op.request.dryRun ?? false, resources: [] });
  }
}

function toRecord(r: Selectable<ApplicationOperationTable> | ApplicationOperationTable): OperationRecord {
  const body = JSON.parse(r.request) as { request?: SyncRequest; source?: ApplicationSource };
  return {
    id: r.id,
    app: r.app,
    project: r.project,
    kind: r.kind,
    trigger: r.trigger as SyncTrigger,
    request: body.request ?? {},
    ...(body.source ? { source: body.source } : {}),
    revision: r.revision,
    ...(r.resolved_revision ? { resolvedRevision: r.resolved_revision } : {}),
    actor: { kind: r.actor_kind, name: r.actor },
    sourceIp: r.source_ip,
    state: r.state,
    ...(r.owner ? { owner: r.owner } : {}),
    attempts: Number(r.attempts),
    message: r.message,
    ...(r.result ? { result: JSON.parse(r.result) as OperationState } : {}),
    resourcesDone: Number(r.resources_done),
    createdAt: Number(r.created_at),
    ...(r.started_at !== null ? { startedAt: Number(r.started_at) } : {}),
    ...(r.finished_at !== null ? { finishedAt: Number(r.finished_at) } : {}),
  };
}
