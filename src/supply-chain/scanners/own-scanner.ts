/**
 * Berth's own scanner as the adapter serves it: the analyzer reads the image
 * from wherever the scan request says (an ImageSource over HTTP), the
 * matcher turns the inventories into findings with the vulnerability data
 * imported into this Berth. Nothing is stored: the adapter's caller keeps
 * the report.
 */
import { analyzeImage, type ImageSource } from '../analyzer/analyze.ts';
import type { Finding, Inventory } from '../types.ts';
import { matchInventory, type AdvisoryLookup } from '../vulnerabilities/match.ts';

export type { ImageSource } from '../analyzer/analyze.ts';

/** What Berth's scanner does with an image read from another registry. */
export interface AdapterScanFunction {
  scanner: { name: string; vendor: string; version: string };
  /** Properties for the metadata answer (vulnerability data age …). */
  properties?: () => Promise<Record<string, string>>;
  scan(source: ImageSource, artifact: { repository: string; digest: string; mediaType: string }, signal: AbortSignal): Promise<{ inventories: Inventory[]; findings: Finding[] }>;
}

/**
 * `lookup` is the vulnerability database's (VulnDb.lookup); without one
 * (no data imported, or the database not wired) the report lists no
 * vulnerabilities but the SBOM report is complete.
 */
export function ownAdapterScan(version: string, lookup?: AdvisoryLookup, sources?: () => Promise<{ name: string; imported_at: number }[]>): AdapterScanFunction {
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
      const inventories = await analyzeImage(source, { digest: artifact.digest, signal });
      const findings: Finding[] = [];
      if (lookup) for (const inventory of inventories) findings.push(...(await matchInventory(inventory, lookup)));
      return { inventories, findings };
    },
  };
}
