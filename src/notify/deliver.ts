/**
 * One delivery attempt of one event to one target (the `webhook.deliver`
 * job, and the "send test event" action): render the payload, sign it, POST
 * it with a deadline, record the attempt in the delivery log and the
 * metrics. A non-2xx answer or an error throws, so the job platform retries
 * with backoff; a refused address fails at once.
 */
import type { Logger } from 'pino';
import { PermanentJobError } from '../platform/jobs/runner.ts';
import type { JobContext } from '../platform/jobs/types.ts';
import type { DeliveryLog } from './delivery-log.ts';
import { renderPayload, type NotificationEvent } from './formats/index.ts';
import { RefusedAddressError, type DeliveryResponse, type WebhookHttpClient } from './http-client.ts';
import type { DeliveryOutcome, WebhookMetrics } from './metrics.ts';
import type { DeliveryTarget, WebhookPolicyStore } from './policies.ts';
import { signatureHeaders } from './signature.ts';
import { TargetError, validateAddress, type TargetPolicy } from './targets.ts';

export const DELIVER_KIND = 'webhook.deliver';

export interface DeliveryJobPayload {
  policyId: string;
  targetId: string;
  event: NotificationEvent;
}

export interface AttemptSummary {
  target: string;
  statusCode: number | null;
  latencyMs: number;
  responseBody: string;
  error: string | null;
  succeeded: boolean;
}

export interface DelivererOptions {
  baseUrl: string;
  timeoutMs: number;
  targets: TargetPolicy;
  userAgent: string;
}

export class WebhookDeliverer {
  readonly #policies: WebhookPolicyStore;
  readonly #log: DeliveryLog;
  readonly #http: WebhookHttpClient;
  readonly #metrics: WebhookMetrics;
  readonly #options: DelivererOptions;

  constructor(policies: WebhookPolicyStore, log: DeliveryLog, http: WebhookHttpClient, metrics: WebhookMetrics, options: DelivererOptions) {
    this.#policies = policies;
    this.#log = log;
    this.#http = http;
    this.#metrics = metrics;
    this.#options = options;
  }

  /** The job handler. */
  async handle(job: DeliveryJobPayload, ctx: JobContext): Promise<void> {
    const dt = await this.#policies.deliveryTarget(job.policyId, job.targetId);
    // The policy or target was removed (or the policy disabled) since the event: nothing to deliver.
    if (!dt || !dt.policy.enabled) return;
    const summary = await this.attempt(dt, job.event, ctx.attempt, ctx.signal, false, ctx.log);
    if (summary.succeeded) return;
    const why = summary.error ?? `answered ${summary.statusCode}`;
    if (summary.refused) throw new PermanentJobError(`webhook ${dt.policy.project}/${dt.policy.name} → ${dt.target.address}: ${why}`);
    throw new Error(`webhook ${dt.policy.project}/${dt.policy.name} → ${dt.target.address}: ${why}`);
  }

  /** One attempt, recorded; never throws for the receiver's failures. */
  async attempt(dt: DeliveryTarget, event: NotificationEvent, attempt: number, signal: AbortSignal | undefined, test: boolean, log?: Logger): Promise<AttemptSummary & { refused: boolean }> {
    const { body, contentType } = renderPayload(dt.target, event, { baseUrl: this.#options.baseUrl, policyName: dt.policy.name });
    const headers: Record<string, string> = {
      'content-type': contentType,
      'user-agent': this.#options.userAgent,
      'x-berth-event': event.type,
      'x-berth-event-id': event.id,
      'x-berth-webhook': dt.policy.name,
      'x-berth-delivery-attempt': String(attempt),
      ...signatureHeaders(dt.secret, body),
      ...(test ? { 'x-berth-test': 'true' } : {}),
      ...(dt.authHeader !== undefined ? { authorization: dt.authHeader } : {}),
    };
    let response: DeliveryResponse | undefined;
    let error: string | null = null;
    let outcome: DeliveryOutcome;
    const started = performance.now();
    try {
      // Checked again at delivery: the rules may have changed since the policy was saved.
      await validateAddress(dt.target.address, this.#options.targets);
      response = await this.#http.post({ url: dt.target.address, headers, body, skipCertVerify: dt.target.skipCertVerify, timeoutMs: this.#options.timeoutMs, ...(signal ? { signal } : {}) });
      outcome = response.status >= 200 && response.status < 300 ? 'success' : 'http_error';
    } catch (err) {
      error = (err as Error).message;
      outcome = err instanceof TargetError || err instanceof RefusedAddressError ? 'refused' : 'error';
    }
    const latencyMs = response?.latencyMs ?? Math.round(performance.now() - started);
    this.#metrics.delivered(outcome, dt.target.type, latencyMs);
    const summary = {
      target: dt.target.address,
      statusCode: response?.status ?? null,
      latencyMs,
      responseBody: response?.body ?? '',
      error,
      succeeded: outcome === 'success',
      refused: outcome === 'refused',
    };
    await this.#log.record({ policyId: dt.policy.id, eventId: event.id, eventType: event.type, target: dt.target.address, attempt, statusCode: summary.statusCode, latencyMs, responseBody: summary.responseBody, error });
    // Never the headers: they carry the auth header and signatures.
    log?.info({ webhook: `${dt.policy.project}/${dt.policy.name}`, target: dt.target.address, event: event.type, attempt, status: summary.statusCode, latencyMs, error }, 'webhook delivery');
    return summary;
  }
}
