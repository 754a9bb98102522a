/**
 * The default parts of Berth's own engine: the analyzer (limits from the
 * configuration), the matcher, and the imported vulnerability data.
 */
import type { Registry as PromRegistry } from 'prom-client';
import type { Config } from '../../config/config.ts';
import type { Db } from '../../platform/db/schema.ts';
import { analyzeImage, createAnalyzerMetrics, limitsFromConfig } from '../analyzer/index.ts';
import { matchInventory } from '../vulnerabilities/match.ts';
import { VulnDb } from '../vulndb/store.ts';
import type { EngineParts } from './index.ts';

export function defaultEngineParts(config: Config, db: Db, metrics: PromRegistry): EngineParts {
  const limits = limitsFromConfig(config);
  const analyzerMetrics = createAnalyzerMetrics(metrics);
  const vulndb = new VulnDb(db);
  return {
    analyze: (source, target, signal) => analyzeImage(source, { digest: target.digest, limits, signal, metrics: analyzerMetrics }),
    match: (inventory, lookup) => matchInventory(inventory, lookup),
    lookup: () => vulndb.lookup,
  };
}
