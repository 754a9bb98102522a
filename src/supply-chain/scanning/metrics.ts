/** Prometheus metrics of the scanning service. */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export class ScanMetrics {
  readonly #scans: Counter<'outcome' | 'engine'>;
  readonly #duration: Histogram<'outcome'>;
  readonly #packages: Counter;
  readonly #rematch: Histogram;
  readonly #rematchReports: Gauge;

  constructor(registry?: Registry) {
    const registers = registry ? [registry] : [];
    this.#scans = new Counter({ name: 'berth_scans_total', help: 'Scan attempts by outcome (success, retry, failed, skipped) and engine.', labelNames: ['outcome', 'engine'], registers });
    this.#duration = new Histogram({
      name: 'berth_scan_duration_seconds',
      help: 'Duration of scan attempts (analysis, matching and storing the results).',
      labelNames: ['outcome'],
      buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900],
      registers,
    });
    this.#packages = new Counter({ name: 'berth_scan_packages_total', help: 'Packages inventoried by successful scans.', registers });
    this.#rematch = new Histogram({
      name: 'berth_scan_rematch_duration_seconds',
      help: 'Duration of re-matching every stored inventory after a vulnerability data import.',
      buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers,
    });
    this.#rematchReports = new Gauge({ name: 'berth_scan_rematch_reports', help: 'Reports re-matched by the last re-match in this process.', registers });
  }

  scanned(outcome: 'success' | 'retry' | 'failed' | 'skipped', engine: string, ms: number, packages = 0): void {
    this.#scans.inc({ outcome, engine });
    if (outcome !== 'skipped') this.#duration.observe({ outcome }, ms / 1000);
    if (packages > 0) this.#packages.inc(packages);
  }

  rematched(reports: number, ms: number): void {
    this.#rematch.observe(ms / 1000);
    this.#rematchReports.set(reports);
  }
}
