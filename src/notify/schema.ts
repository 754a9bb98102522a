/** Table types of outgoing webhooks (migration 0008-webhooks). */
import type { Generated } from 'kysely';

export interface WebhookPolicyTable {
  /** UUID; delivery jobs and the log refer to the policy by it. */
  id: string;
  project: string;
  /** Unique within the project. */
  name: string;
  description: string;
  /** JSON array of event type names (PUSH_ARTIFACT, APPLICATION_SYNCED, …). */
  event_types: string;
  /** JSON array of application names, or `["*"]` for every application of the project. */
  applications: string;
  /** JSON array of StoredTarget (src/notify/policies.ts), auth headers sealed. */
  targets: string;
  enabled: number;
  /** The HMAC signing secret, sealed (src/platform/secrets/sealer.ts). */
  secret_sealed: string;
  created_by: string;
  created_at: number;
  updated_at: number;
}

/** One delivery attempt to one target. */
export interface WebhookDeliveryTable {
  id: Generated<number>;
  policy_id: string;
  event_id: string;
  event_type: string;
  /** The target address (never carries credentials: refused at create). */
  target: string;
  attempt: number;
  status_code: number | null;
  latency_ms: number;
  /** The first 1 KiB of the response body. */
  response_body: string;
  error: string | null;
  created_at: number;
}
