/** The domain event table (migration 0006-jobs). */
import type { Generated } from 'kysely';

export interface DomainEventTable {
  seq: Generated<number>;
  id: string;
  type: string;
  actor: string;
  /** JSON of the event's data. */
  data: string;
  occurred_at: number;
}
