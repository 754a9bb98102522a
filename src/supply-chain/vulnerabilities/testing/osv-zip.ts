/**
 * Test support: reads the real OSV records of /work/shared/vulndata (the
 * OSV project's per-ecosystem all.zip) with yauzl, and turns them into
 * Berth's Advisory shape the simple way (only what the matcher reads). The
 * vulnerability-data importer has its own, bounded parser; this one serves
 * tests that must not depend on it.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import yauzl from 'yauzl';
import type { Advisory, AffectedPackage } from '../../types.ts';

/** The shared real data, beside the repository (the work tree is /work/<…>/, shared/ is /work/shared/). */
export function vulndataDir(): string | undefined {
  const candidates = [process.env['BERTH_VULNDATA_DIR'], resolve(import.meta.dirname, '../../../../../shared/vulndata'), '/work/shared/vulndata'];
  return candidates.find((d): d is string => d !== undefined && existsSync(`${d}/README.md`));
}

export interface OsvRecord {
  id: string;
  modified?: string;
  published?: string;
  withdrawn?: string;
  aliases?: string[];
  summary?: string;
  details?: string;
  severity?: { type: string; score: string }[];
  affected?: {
    package?: { ecosystem: string; name: string; purl?: string };
    ranges?: { type: string; events: Record<string, string>[] }[];
    versions?: string[];
    ecosystem_specific?: unknown;
  }[];
  references?: { type: string; url: string }[];
}

/** Every JSON record of an OSV all.zip, read in one pass (the zips here are a few MB). */
export async function readOsvZip(path: string): Promise<OsvRecord[]> {
  const zip = await new Promise<yauzl.ZipFile>((ok, fail) => yauzl.open(path, { lazyEntries: true }, (err, z) => (err ? fail(err) : ok(z))));
  const records: OsvRecord[] = [];
  await new Promise<void>((ok, fail) => {
    zip.on('error', fail);
    zip.on('end', () => ok());
    zip.on('entry', (entry: yauzl.Entry) => {
      if (!entry.fileName.endsWith('.json') || entry.uncompressedSize > 8 << 20) {
        zip.readEntry();
        return;
      }
      zip.openReadStream(entry, (err, stream) => {
        if (err) return fail(err);
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('error', fail);
        stream.on('end', () => {
          records.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as OsvRecord);
          zip.readEntry();
        });
      });
    });
    zip.readEntry();
  });
  return records;
}

export function toAdvisory(r: OsvRecord, source: string): Advisory {
  const affected: AffectedPackage[] = (r.affected ?? [])
    .filter((a) => a.package)
    .map((a) => ({
      ecosystem: a.package!.ecosystem,
      name: a.package!.name,
      ranges: (a.ranges ?? []).map((rg) => ({
        type: rg.type as 'ECOSYSTEM' | 'SEMVER' | 'GIT',
        events: rg.events.map((e) => {
          const [k, v] = Object.entries(e)[0]!;
          return { [k]: v } as Advisory['affected'][number]['ranges'][number]['events'][number];
        }),
      })),
      versions: a.versions ?? [],
      status: 'affected' as const,
    }));
  const advisory: Advisory = {
    id: r.id,
    source,
    aliases: r.aliases ?? [],
    severity: (r.severity ?? []).map((s) => ({ type: s.type as 'CVSS_V3', score: s.score })),
    references: (r.references ?? []).map((x) => x.url),
    affected,
  };
  if (r.summary !== undefined) advisory.summary = r.summary;
  if (r.published !== undefined) advisory.published = r.published;
  if (r.modified !== undefined) advisory.modified = r.modified;
  if (r.withdrawn !== undefined) advisory.withdrawn = r.withdrawn;
  return advisory;
}
