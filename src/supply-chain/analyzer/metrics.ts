/**
 * Prometheus metrics of the analyzer, registered on the registry the caller
 * passes (the process's Metrics.registry), so the scanning service decides
 * where they are exposed.
 */
import { Counter, Histogram, type Registry } from 'prom-client';
import type { Inventory } from '../types.ts';

export interface AnalyzerMetrics {
  layerRead(uncompressedBytes: number, compressedBytes: number, seconds: number): void;
  imageAnalysed(inventory: Inventory): void;
}

export function createAnalyzerMetrics(registry: Registry): AnalyzerMetrics {
  const layers = new Counter({ name: 'berth_analyzer_layers_total', help: 'Image layers read by the analyzer.', registers: [registry] });
  const bytes = new Counter({
    name: 'berth_analyzer_layer_bytes_total',
    help: 'Layer bytes read by the analyzer, compressed (as stored) and uncompressed (tar).',
    labelNames: ['form'],
    registers: [registry],
  });
  const layerSeconds = new Histogram({
    name: 'berth_analyzer_layer_duration_seconds',
    help: 'Time to stream and catalog one layer.',
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [registry],
  });
  const images = new Counter({ name: 'berth_analyzer_images_total', help: 'Image manifests analysed.', registers: [registry] });
  const packages = new Counter({ name: 'berth_analyzer_packages_total', help: 'Packages found, by package type.', labelNames: ['type'], registers: [registry] });
  const skipped = new Counter({ name: 'berth_analyzer_skipped_total', help: 'Files or layers not read (limits, hostile or unsupported entries).', registers: [registry] });
  const imageSeconds = new Histogram({
    name: 'berth_analyzer_image_duration_seconds',
    help: 'Time to analyse one image manifest.',
    buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900],
    registers: [registry],
  });
  return {
    layerRead(u, c, s) {
      layers.inc();
      bytes.inc({ form: 'uncompressed' }, u);
      bytes.inc({ form: 'compressed' }, c);
      layerSeconds.observe(s);
    },
    imageAnalysed(inv) {
      images.inc();
      imageSeconds.observe(inv.stats.durationMs / 1000);
      skipped.inc(inv.skipped.length);
      const byType = new Map<string, number>();
      for (const p of inv.packages) byType.set(p.type, (byType.get(p.type) ?? 0) + 1);
      for (const [type, n] of byType) packages.inc({ type }, n);
    },
  };
}
