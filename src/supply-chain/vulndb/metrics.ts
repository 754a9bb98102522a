/** Prometheus metrics of vulnerability data imports and lookups. */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export class VulnDbMetrics {
  readonly #imports: Counter<'format' | 'outcome'>;
  readonly #duration: Histogram<'format'>;
  readonly #records: Gauge<'source'>;
  readonly #lookups: Histogram;

  constructor(registry?: Registry) {
    const registers = registry ? [registry] : [];
    this.#imports = new Counter({
      name: 'berth_vulndb_imports_total',
      help: 'Vulnerability data imports by format and outcome (success, invalid, error).',
      labelNames: ['format', 'outcome'],
      registers,
    });
    this.#duration = new Histogram({
      name: 'berth_vulndb_import_duration_seconds',
      help: 'Duration of successful vulnerability data imports, reading the file and writing the changes.',
      labelNames: ['format'],
      buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
      registers,
    });
    this.#records = new Gauge({
      name: 'berth_vulndb_records',
      help: 'Advisory records stored per vulnerability data source.',
      labelNames: ['source'],
      registers,
    });
    this.#lookups = new Histogram({
      name: 'berth_vulndb_lookup_duration_seconds',
      help: 'Duration of advisory lookups (one batch of package keys).',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
  }

  imported(format: string, outcome: 'success' | 'invalid' | 'error', ms?: number): void {
    this.#imports.inc({ format, outcome });
    if (ms !== undefined) this.#duration.observe({ format }, ms / 1000);
  }

  records(source: string, count: number | undefined): void {
    if (count === undefined) this.#records.remove({ source });
    else this.#records.set({ source }, count);
  }

  lookup(ms: number): void {
    this.#lookups.observe(ms / 1000);
  }
}
