/** Prometheus metrics of webhook deliveries. */
import { Counter, Histogram, type Registry } from 'prom-client';

/** success: a 2xx answer; http_error: another status; error: no answer (timeout, connection); refused: SSRF rules. */
export type DeliveryOutcome = 'success' | 'http_error' | 'error' | 'refused';

export class WebhookMetrics {
  readonly #deliveries: Counter<'outcome' | 'target_type'>;
  readonly #latency: Histogram<'outcome'>;

  constructor(registry?: Registry) {
    const registers = registry ? [registry] : [];
    this.#deliveries = new Counter({
      name: 'berth_webhook_deliveries_total',
      help: 'Webhook delivery attempts by outcome (success, http_error, error, refused) and target type.',
      labelNames: ['outcome', 'target_type'],
      registers,
    });
    this.#latency = new Histogram({
      name: 'berth_webhook_delivery_duration_seconds',
      help: 'Duration of webhook delivery attempts, from request start to the response (or the error).',
      labelNames: ['outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
  }

  delivered(outcome: DeliveryOutcome, targetType: string, latencyMs: number): void {
    this.#deliveries.inc({ outcome, target_type: targetType });
    this.#latency.observe({ outcome }, latencyMs / 1000);
  }
}
