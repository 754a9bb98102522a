/**
 * Runs a management change and its audit record in one transaction, so the
 * record is durable exactly when the change is. Inside `change`, use only
 * `trx` (on SQLite the outer handle waits for this transaction to end).
 */
import type { Transaction } from 'kysely';
import type { Database, Db } from '../platform/db/schema.ts';
import type { AuditEvent, AuditRecorder } from './types.ts';

/** Who makes a change, from where. */
export interface AuditContext {
  actor: AuditEvent['actor'];
  sourceIp: string;
}

export type ChangeEvent = Pick<AuditEvent, 'resourceType' | 'resource' | 'action'> & Partial<Pick<AuditEvent, 'detail' | 'project'>>;

export async function audited<T>(
  db: Db,
  audit: AuditRecorder,
  ctx: AuditContext | undefined,
  event: ChangeEvent | ((result: T) => ChangeEvent),
  change: (trx: Transaction<Database>) => Promise<T>,
): Promise<T> {
  return db.transaction().execute(async (trx) => {
    const result = await change(trx);
    if (ctx) {
      const e = typeof event === 'function' ? event(result) : event;
      await audit.recordIn(trx, { ...e, actor: ctx.actor, sourceIp: ctx.sourceIp, outcome: 'success' });
    }
    return result;
  });
}

/** A recorder that records nothing (tests and tools without an audit log). */
export const NO_AUDIT: AuditRecorder = { record: () => {}, recordIn: async () => {} };
