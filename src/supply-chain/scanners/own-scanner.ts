/**
 * Berth's own scanner as the adapter serves it: the analyzer reads the image
 * from wherever the scan request says (an ImageSource over HTTP), the
 * matcher turns the inventories into findings with the vulnerability data
 * imported into this Berth. Nothing is stored: the adapter's caller keeps
 * the report.
 */
import type { Db } from '../../platform/db/schema.ts';
import { analyzeImage, type ImageSource } from '../analyzer/analyze.ts';
import type { Finding, Inventory } from '../types.ts';

export type { ImageSource } from '../analyzer/analyze.ts';

/** What Berth's scanner does with an image read from another registry. */
export interface AdapterScanFunction {
  scanner: { name: string; vendor: string; version: string };
  /** Properties for the metadata answer (vulnerability data age …). */
  properties?: () => Promise<Record<string, string>>;
  scan(source: ImageSource, artifact: { repository: string; digest: string; mediaType: string }, signal: AbortSignal): Promise<{ inventories: Inventory[]; findings: Finding[] }>;
}

/** Inventories → findings with this Berth's vulnerability data (the matcher over the vulnerability database). */
export type InventoryMatcher = (inventories: Inventory[], signal: AbortSignal) => Promise<Finding[]>;

export function ownAdapterScan(_db: Db, version: string, match?: InventoryMatcher): AdapterScanFunction {
  return {
    scanner: { name: 'Berth', vendor: 'Berth', version },
    async scan(source, artifact, signal) {
      const inventories = await analyzeImage(source, { digest: artifact.digest, signal });
      const findings = match ? await match(inventories, signal) : [];
      return { inventories, findings };
    },
  };
}
