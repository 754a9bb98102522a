/**
 * The internal event journal: facts other features act on later (robot
 * expiry notices now; webhooks and pull-secret rotation consume them).
 */
import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';

export interface JournalEvent {
  id: string;
  type: string;
  subject: string;
  data: Record<string, unknown>;
  createdAt: number;
}

export async function recordEvent(db: Kysely<Database> | Transaction<Database>, type: string, subject: string, data: Record<string, unknown>): Promise<void> {
  await db.insertInto('events').values({ id: randomUUID(), type, subject, data: JSON.stringify(data), created_at: Date.now() }).execute();
}

export async function listEvents(db: Kysely<Database>, filter: { type?: string; subject?: string; since?: number }, limit = 100): Promise<JournalEvent[]> {
  let q = db.selectFrom('events').selectAll().orderBy('created_at', 'desc').limit(limit);
  if (filter.type) q = q.where('type', '=', filter.type);
  if (filter.subject) q = q.where('subject', '=', filter.subject);
  if (filter.since !== undefined) q = q.where('created_at', '>=', filter.since);
  return (await q.execute()).map((r) => ({ id: r.id, type: r.type, subject: r.subject, data: JSON.parse(r.data) as Record<string, unknown>, createdAt: Number(r.created_at) }));
}
