/**
 * Runs one cataloger on a file the way the layer reader does (unit tests of
 * src/supply-chain/analyzer/catalogers/): checks `wants`, honours `maxBytes`
 * for buffer catalogers, streams for stream catalogers, and collects what the
 * cataloger reported as skipped.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { CatalogLimits, Cataloger, FileRef } from '../../src/supply-chain/analyzer/cataloger.ts';
import type { PackageFact, Skipped } from '../../src/supply-chain/types.ts';

export const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'catalogers');

export function fixture(...parts: string[]): Buffer {
  return readFileSync(join(FIXTURES, ...parts));
}

export const DEFAULT_TEST_LIMITS: CatalogLimits = { maxArchiveDepth: 5, maxArchiveBytes: 64 * 1024 * 1024, maxArchiveEntries: 50_000 };

export interface CatalogResult {
  wanted: boolean;
  facts: PackageFact[];
  skipped: Skipped[];
}

export async function catalog(
  cataloger: Cataloger,
  path: string,
  content: Buffer | string,
  limits: CatalogLimits = DEFAULT_TEST_LIMITS,
): Promise<CatalogResult> {
  const body = typeof content === 'string' ? Buffer.from(content) : content;
  const file: FileRef = { path, layer: 'sha256:' + '0'.repeat(64), size: body.length, mode: 0o644 };
  const skipped: Skipped[] = [];
  const ctx = { skip: (p: string, reason: string) => skipped.push({ path: p, reason }), signal: new AbortController().signal, limits };
  if (!cataloger.wants(file)) return { wanted: false, facts: [], skipped };
  if (cataloger.mode === 'buffer') {
    if (body.length > cataloger.maxBytes) {
      skipped.push({ path, reason: `larger than ${cataloger.maxBytes} bytes` });
      return { wanted: true, facts: [], skipped };
    }
    return { wanted: true, facts: await cataloger.parse({ ...file, content: body }, ctx), skipped };
  }
  return { wanted: true, facts: await cataloger.scan(file, Readable.from([body]), ctx), skipped };
}

/** `name@version` of each fact, sorted: the easiest form to compare with an expected list. */
export function ids(facts: PackageFact[]): string[] {
  return facts.map((f) => `${f.name}@${f.version}`).sort();
}
