/** Prometheus metrics for the HTTP server and the registry. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class Metrics {
  readonly registry = new Registry();
  readonly requests: Counter<'method' | 'route' | 'status'>;
  readonly duration: Histogram<'method' | 'route' | 'status'>;
  readonly bytesIn: Counter<'route'>;
  readonly bytesOut: Counter<'route'>;
  readonly uploadsInFlight: Gauge;

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'berth_process_' });
    this.requests = new Counter({
      name: 'berth_http_requests_total',
      help: 'HTTP requests by method, route and status code.',
      labelNames: ['method', 'route', 'status'],
      registers: [this.registry],
    });
    this.duration = new Histogram({
      name: 'berth_http_request_duration_seconds',
      help: 'HTTP request duration by method, route and status code.',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [this.registry],
    });
    this.bytesIn = new Counter({
      name: 'berth_http_request_bytes_total',
      help: 'Request body bytes received, by route.',
      labelNames: ['route'],
      registers: [this.registry],
    });
    this.bytesOut = new Counter({
      name: 'berth_http_response_bytes_total',
      help: 'Response body bytes sent, by route.',
      labelNames: ['route'],
      registers: [this.registry],
    });
    this.uploadsInFlight = new Gauge({
      name: 'berth_registry_upload_sessions',
      help: 'Blob upload sessions started on this process and not yet completed or cancelled.',
      registers: [this.registry],
    });
  }
}
