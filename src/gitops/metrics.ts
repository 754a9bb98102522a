/**
 * Prometheus metrics of the delivery engine, named after Argo CD's
 * (argocd_app_info, argocd_app_sync_total, argocd_app_reconcile) so existing
 * dashboards and alerts translate directly.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { EngineObserver } from './engine/engine.ts';
import type { OperationState } from './types.ts';

export interface AppSnapshotSource {
  snapshot(): { name: string; project: string; destination: string; sync: string; health: string }[];
  readonly pending: number;
}

export class DeliveryMetrics implements EngineObserver {
  readonly #syncs: Counter<'name' | 'project' | 'phase' | 'trigger'>;
  readonly #reconcile: Histogram<'result'>;
  #source: AppSnapshotSource | undefined;

  constructor(registry: Registry) {
    const source = () => this.#source;
    new Gauge({
      name: 'berth_app_info',
      help: 'One series per application, value 1, with its sync and health status as labels.',
      labelNames: ['name', 'project', 'dest', 'sync_status', 'health_status'],
      registers: [registry],
      collect() {
        this.reset();
        for (const a of source()?.snapshot() ?? []) this.set({ name: a.name, project: a.project, dest: a.destination, sync_status: a.sync, health_status: a.health }, 1);
      },
    });
    new Gauge({
      name: 'berth_app_reconcile_queue',
      help: 'Applications waiting to be compared or being compared.',
      registers: [registry],
      collect() {
        this.set(source()?.pending ?? 0);
      },
    });
    this.#syncs = new Counter({
      name: 'berth_app_sync_total',
      help: 'Sync operations (not dry runs) by application, project, final phase and trigger.',
      labelNames: ['name', 'project', 'phase', 'trigger'],
      registers: [registry],
    });
    this.#reconcile = new Histogram({
      name: 'berth_app_reconcile_seconds',
      help: 'Duration of application comparisons (resolve, render, diff); result ok or error.',
      labelNames: ['result'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    });
  }

  attach(source: AppSnapshotSource): void {
    this.#source = source;
  }

  reconciled(_app: string, durationMs: number, ok: boolean): void {
    this.#reconcile.observe({ result: ok ? 'ok' : 'error' }, durationMs / 1000);
  }

  operationFinished(app: string, project: string, state: OperationState): void {
    this.#syncs.inc({ name: app, project, phase: state.phase, trigger: state.trigger });
  }
}
