/**
 * Job metrics: queue depth per kind and state (read from the database at
 * scrape, so every process reports the shared queue), run time per kind and
 * outcome, and failed attempts per kind.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { JobQueue } from './queue.ts';

export class JobMetrics {
  readonly runSeconds: Histogram<'kind' | 'outcome'>;
  readonly failures: Counter<'kind' | 'final'>;

  constructor(registry: Registry, queue: JobQueue) {
    this.runSeconds = new Histogram({
      name: 'berth_job_run_seconds',
      help: 'Time one job attempt ran in this process, by kind and outcome (succeeded, retry, failed, lost).',
      labelNames: ['kind', 'outcome'],
      buckets: [0.005, 0.025, 0.1, 0.5, 1, 5, 30, 120, 600, 3600],
      registers: [registry],
    });
    this.failures = new Counter({
      name: 'berth_job_failures_total',
      help: 'Failed job attempts in this process, by kind; final="true" when the job failed for good.',
      labelNames: ['kind', 'final'],
      registers: [registry],
    });
    new Gauge({
      name: 'berth_jobs',
      help: 'Jobs in the database by kind and state (shared by all processes).',
      labelNames: ['kind', 'state'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const d of await queue.depth()) this.set({ kind: d.kind, state: d.state }, d.count);
      },
    });
  }

  /** The runner's onFinished hook. */
  readonly observe = (kind: string, outcome: 'succeeded' | 'retry' | 'failed' | 'lost', seconds: number): void => {
    this.runSeconds.observe({ kind, outcome }, seconds);
    if (outcome === 'retry' || outcome === 'failed') this.failures.inc({ kind, final: outcome === 'failed' ? 'true' : 'false' });
  };
}
