/**
 * The internal event journal: facts other features act on later (robot
 * expiry notices now; webhooks and pull-secret rotation consume them).
 */
import type { Kysely, Transaction } from 'kysely';
import { newAuditId } from '../audit/audit-log.ts';
import type { Database } from '../platform/db/schema.ts';

export interface JournalEvent {
  id: string;
  type: string;
  subject: string;
  data: Record<string, unknown>;
  createdAt: number;
}

/** Ids are UUIDv7: string order is the order events were recorded in. */
export async function recordEvent(db: Kysely<Database> | Transaction<Database>, type: string, subject: string, data: Record<string, unknown>): Promise<void> {
  const now = Date.now();
  await db.insertInto('events').values({ id: newAuditId(now), type, subject, data: JSON.stringify(data), created_at: now }).execute();
}

export async function listEvents(db: Kysely<Database>, filter: { type?: string; subject?: string; since?: number }, limit = 100): Promise<JournalEvent[]> {
  let q = db.selectFrom('events').selectAll().orderBy('id', 'desc').limit(limit);
  if (filter.type) q = q.where('type', '=', filter.type);
  if (filter.subject) q = q.where('subject', '=', filter.subject);
  if (filter.since !== undefined) q = q.where('created_at', '>=', filter.since);
  return (await q.execute()).map((r) => ({ id: r.id, type: r.type, subject: r.subject, data: JSON.parse(r.data) as Record<string, unknown>, createdAt: Number(r.created_at) }));
}
