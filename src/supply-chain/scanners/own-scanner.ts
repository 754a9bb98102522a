/**
 * Berth's own scanner as the adapter serves it: the analyzer reads the image
 * from wherever the scan request says (an ImageSource over HTTP), the
 * matcher turns the inventories into findings with the vulnerability data
 * imported into this Berth. Nothing is stored: the adapter's caller keeps
 * the report.
 */
import { analyzeImage, type AnalyzerLimits, type ImageSource } from '../analyzer/index.ts';
import type { Finding, Inventory } from '../types.ts';

export type { ImageSource } from '../analyzer/index.ts';

/** What Berth's scanner does with an image read from another registry. */
export interface AdapterScanFunction {
  scanner: { name: string; vendor: string; version: string };
  /** Properties for the metadata answer (vulnerability data age …). */
  properties?: () => Promise<Record<string, string>>;
  scan(source: ImageSource, artifact: { repository: string; digest: string; mediaType: string }, signal: AbortSignal): Promise<{ inventories: Inventory[]; findings: Finding[] }>;
}

/**
 * `limits` are the analyzer's (from the configuration, as for pushed
 * images); `match` turns inventories into findings — the scanning service's
 * own (BerthEngine.match over the vulnerability database), so a report from
 * the adapter is the one a scan inside Berth gives. Without it the report
 * lists no vulnerabilities but the SBOM report is complete.
 */
export function ownAdapterScan(options: {
  version: string;
  limits?: Partial<AnalyzerLimits>;
  match?: (inventories: Inventory[]) => Promise<Finding[]>;
  sources?: () => Promise<{ name: string; imported_at: number }[]>;
}): AdapterScanFunction {
  const { version, limits, match, sources } = options;
  return {
    scanner: { name: 'Berth', vendor: 'Berth', version },
    // Harbor shows these on the scanner's page: when the data was last imported, and from where.
    ...(sources
      ? {
          properties: async () => {
            const list = await sources();
            const newest = list.reduce((m, s) => Math.max(m, s.imported_at), 0);
            return {
              'harbor.scanner-adapter/vulnerability-database-updated-at': newest > 0 ? new Date(newest).toISOString() : '',
              'berth/vulnerability-data-sources': list.map((s) => s.name).join(','),
            };
          },
        }
      : {}),
    async scan(source, artifact, signal) {
      const inventories = await analyzeImage(source, { digest: artifact.digest, signal, ...(limits ? { limits } : {}) });
      signal.throwIfAborted();
      return { inventories, findings: match ? await match(inventories) : [] };
    },
  };
}
