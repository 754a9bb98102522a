/**
 * The delivery log: one row per delivery attempt to one target, the last
 * `keep` per policy (older rows are pruned as new ones are written).
 */
import type { Db } from '../platform/db/schema.ts';

export interface DeliveryRecord {
  id: number;
  policyId: string;
  eventId: string;
  eventType: string;
  target: string;
  attempt: number;
  /** Null when no response came (refused address, timeout, connection error). */
  statusCode: number | null;
  latencyMs: number;
  /** At most 1 KiB. */
  responseBody: string;
  error: string | null;
  createdAt: number;
  /** 2xx answer. */
  succeeded: boolean;
}

export type DeliveryRecordInput = Omit<DeliveryRecord, 'id' | 'createdAt' | 'succeeded'>;

export class DeliveryLog {
  readonly #db: Db;
  readonly #keep: number;

  constructor(db: Db, keep: number) {
    this.#db = db;
    this.#keep = keep;
  }

  async record(r: DeliveryRecordInput): Promise<void> {
    await this.#db
      .insertInto('webhook_deliveries')
      .values({
        policy_id: r.policyId,
        event_id: r.eventId,
        event_type: r.eventType,
        target: r.target,
        attempt: r.attempt,
        status_code: r.statusCode,
        latency_ms: r.latencyMs,
        response_body: r.responseBody,
        error: r.error === null ? null : r.error.slice(0, 1024),
        created_at: Date.now(),
      })
      .execute();
    // Prune below the keep-th newest id of this policy.
    const boundary = await this.#db
      .selectFrom('webhook_deliveries')
      .select('id')
      .where('policy_id', '=', r.policyId)
      .orderBy('id', 'desc')
      .offset(this.#keep)
      .limit(1)
      .executeTakeFirst();
    if (boundary) await this.#db.deleteFrom('webhook_deliveries').where('policy_id', '=', r.policyId).where('id', '<=', boundary.id).execute();
  }

  /** Newest first. */
  async list(policyId: string, limit: number): Promise<DeliveryRecord[]> {
    const rows = await this.#db.selectFrom('webhook_deliveries').selectAll().where('policy_id', '=', policyId).orderBy('id', 'desc').limit(limit).execute();
    return rows.map((r) => {
      const statusCode = r.status_code === null ? null : Number(r.status_code);
      return {
        id: Number(r.id),
        policyId: r.policy_id,
        eventId: r.event_id,
        eventType: r.event_type,
        target: r.target,
        attempt: Number(r.attempt),
        statusCode,
        latencyMs: Number(r.latency_ms),
        responseBody: r.response_body,
        error: r.error,
        createdAt: Number(r.created_at),
        succeeded: statusCode !== null && statusCode >= 200 && statusCode < 300,
      };
    });
  }
}
