/**
 * The vulnerability database: imported sources, their advisories and the
 * (ecosystem, name) index the matcher looks packages up by.
 *
 * An import replaces one source as a whole and is atomic: the file is read
 * and checked through first, outside any transaction (pass 1, keeping only
 * the records that differ from what is stored); then everything (rows, the
 * source's summary, the audit record and the re-match job) is written in
 * one transaction (pass 2), so a bad file or a failure half-way leaves the
 * previous data in use, and the transaction lasts only as long as the
 * writes. It is incremental: each record's normalised content is hashed and
 * only records whose hash changed are rewritten; records the new file no
 * longer has are removed. Importing the very same file again writes nothing
 * but the source's timestamps.
 */
import type { Transaction } from 'kysely';
import { DomainError } from '../../core/errors.ts';
import { audited, NO_AUDIT, type AuditContext } from '../../audit/audited.ts';
import type { AuditRecorder } from '../../audit/types.ts';
import type { Database, Db } from '../../platform/db/schema.ts';
import type { JobEnqueuer } from '../../platform/jobs/types.ts';
import type { Advisory } from '../types.ts';
import { openImport, SOURCE_NAME } from './import-file.ts';
import type { VulnDbMetrics } from './metrics.ts';
import { contentHash, DEFAULT_LIMITS, lookupKey, VulnDataError, type ImportFormat, type ImportLimits } from './records.ts';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** The job kind an import enqueues; the scanning service handles it. */
export const REMATCH_JOB = 'vulnerabilities.rematch';

export interface VulnSource {
  name: string;
  kind: ImportFormat;
  version: string | null;
  imported_at: number;
  imported_by: string;
  records: number;
  ecosystems: string[];
  duration_ms: number;
  content_sha256: string;
}

export interface ImportResult {
  source: string;
  kind: ImportFormat;
  version: string | null;
  records: number;
  added: number;
  updated: number;
  removed: number;
  duration_ms: number;
  /** The `vulnerabilities.rematch` job enqueued with the import; null when nothing changed. */
  rematch_job_id: string | null;
}

export interface AdvisoryKey {
  ecosystem: string;
  name: string;
}

export interface VulnDbOptions {
  limits?: Partial<ImportLimits>;
  jobs?: JobEnqueuer;
  audit?: AuditRecorder;
  metrics?: VulnDbMetrics;
  /** Changed records kept in memory between the passes of an import; default 128 MiB. */
  stagingBytes?: number;
}

const ADVISORY_BATCH = 400;
/** Changed records kept in memory between the two passes of an import (beyond it the file is read twice). */
const STAGING_BYTES = 128 * 1024 * 1024;

interface Staged {
  hashes: Map<string, string>;
  ecosystems: Set<string>;
  changed: Map<string, Advisory> | undefined;
}

function sameHashes(a: Map<string, string>, b: Map<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}
const AFFECTED_BATCH = 1000;
const LOOKUP_BATCH = 500;

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function rowOf(r: { name: string; kind: string; version: string | null; imported_at: number; imported_by: string; record_count: number; ecosystems: string; duration_ms: number; content_sha256: string }): VulnSource {
  return {
    name: r.name,
    kind: r.kind as ImportFormat,
    version: r.version,
    imported_at: Number(r.imported_at),
    imported_by: r.imported_by,
    records: Number(r.record_count),
    ecosystems: JSON.parse(r.ecosystems) as string[],
    duration_ms: Number(r.duration_ms),
    content_sha256: r.content_sha256,
  };
}

export class VulnDb {
  readonly #db: Db;
  readonly limits: ImportLimits;
  readonly #jobs: JobEnqueuer | undefined;
  readonly #audit: AuditRecorder;
  readonly #metrics: VulnDbMetrics | undefined;
  readonly #stagingBytes: number;

  constructor(db: Db, options: VulnDbOptions = {}) {
    this.#db = db;
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.#jobs = options.jobs;
    this.#audit = options.audit ?? NO_AUDIT;
    this.#metrics = options.metrics;
    this.#stagingBytes = options.stagingBytes ?? STAGING_BYTES;
  }

  async sources(): Promise<VulnSource[]> {
    const rows = await this.#db.selectFrom('vuln_sources').selectAll().orderBy('name').execute();
    return rows.map(rowOf);
  }

  async source(name: string): Promise<VulnSource> {
    const row = SOURCE_NAME.test(name) ? await this.#db.selectFrom('vuln_sources').selectAll().where('name', '=', name).executeTakeFirst() : undefined;
    if (!row) throw new DomainError('not_found', `no vulnerability data source ${JSON.stringify(name.slice(0, 140))}`);
    return rowOf(row);
  }

  /** Sets the records gauge of every source (at start; imports and removals keep it current). */
  async refreshMetrics(): Promise<void> {
    for (const s of await this.sources()) this.#metrics?.records(s.name, s.records);
  }

  /**
   * Imports a file (the caller keeps it until this resolves). `actor` names
   * who imported it in the source row; `ctx` writes the audit record.
   */
  async importFile(file: string, options: { format?: ImportFormat | undefined; source?: string | undefined }, ctx?: AuditContext): Promise<ImportResult> {
    const started = performance.now();
    const label = options.format ?? 'sniffed';
    try {
      const result = await this.#import(file, options, ctx, started);
      this.#metrics?.imported(result.kind, 'success', result.duration_ms);
      this.#metrics?.records(result.source, result.records);
      return result;
    } catch (err) {
      this.#metrics?.imported(label, err instanceof DomainError ? 'invalid' : 'error');
      throw err;
    }
  }

  /** Advisory id → content hash of what a source holds now. */
  async #hashes(db: Db | Transaction<Database>, source: string): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const r of await db.selectFrom('vuln_advisories').select(['id', 'content_hash']).where('source', '=', source).execute()) out.set(r.id, r.content_hash);
    return out;
  }

  /**
   * Pass 1, outside any transaction: reads and checks the whole file and
   * keeps the records that differ from what the source holds (`changed`,
   * undefined once they exceed `stagingBytes`). A file that is bad fails
   * here, before anything is locked.
   */
  async #stage(records: AsyncIterable<Advisory>, stored: Map<string, string>): Promise<Staged> {
    const hashes = new Map<string, string>();
    const ecosystems = new Set<string>();
    let changed: Map<string, Advisory> | undefined = new Map();
    let bytes = 0;
    for await (const advisory of records) {
      if (hashes.has(advisory.id)) throw new VulnDataError(`the file has ${advisory.id} twice`);
      if (hashes.size >= this.limits.maxRecords) throw new VulnDataError(`more than ${this.limits.maxRecords} records`);
      const hash = contentHash(advisory);
      hashes.set(advisory.id, hash);
      for (const a of advisory.affected) ecosystems.add(a.ecosystem);
      if (!changed || stored.get(advisory.id) === hash) continue;
      changed.set(advisory.id, advisory);
      bytes += advisory.id.length + JSON.stringify(advisory.affected).length + (advisory.summary?.length ?? 0);
      if (bytes > this.#stagingBytes) changed = undefined;
    }
    return { hashes, ecosystems, changed };
  }

  async #import(file: string, options: { format?: ImportFormat | undefined; source?: string | undefined }, ctx: AuditContext | undefined, started: number): Promise<ImportResult> {
    const sha = await sha256File(file);
    const stream = await openImport(file, options, this.limits);
    const name = stream.source;
    const stored = await this.#hashes(this.#db, name);
    const staged = await this.#stage(stream.records, stored);
    const version = stream.version() ?? null;
    // Pass 2: one transaction writes the changes. On SQLite it holds the only connection, so it is kept to the writes.
    return audited(
      this.#db,
      this.#audit,
      ctx,
      (r: ImportResult) => ({ resourceType: 'vulndb', resource: name, action: 'import', detail: `${r.kind} ${r.version ?? '-'}: ${r.records} records, ${r.added} added, ${r.updated} updated, ${r.removed} removed` }),
      async (trx) => {
        const now = Date.now();
        const actor = ctx?.actor.name ?? 'system';
        // Claim the source row before reading it: a placeholder (empty content_sha256) when it is new, then
        // a no-op update that takes the row lock on PostgreSQL, so two processes importing into one source
        // run one after the other (SQLite transactions already do). The placeholder goes with a failed import.
        await trx
          .insertInto('vuln_sources')
          .values({ name, kind: stream.format, version: null, content_sha256: '', imported_at: now, imported_by: actor, record_count: 0, ecosystems: '[]', duration_ms: 0 })
          .onConflict((oc) => oc.column('name').doNothing())
          .execute();
        await trx.updateTable('vuln_sources').set({ name }).where('name', '=', name).execute();
        const previous = await trx.selectFrom('vuln_sources').select(['kind', 'content_sha256']).where('name', '=', name).executeTakeFirstOrThrow();
        if (previous.content_sha256 !== '' && previous.kind !== stream.format) {
          throw new DomainError('conflict', `source ${name} holds ${previous.kind} data, not ${stream.format}: remove it first or import under another --source`);
        }
        const existing = await this.#hashes(trx, name);
        // The staged changes hold when the source is as pass 1 saw it; otherwise (another import came
        // between, or staging overflowed) the file is read again here and compared with what is stored now.
        const records: Iterable<Advisory> | AsyncIterable<Advisory> =
          staged.changed && sameHashes(existing, stored) ? staged.changed.values() : (await openImport(file, { format: stream.format, source: name }, this.limits)).records;

        const writer = new BatchWriter(trx, name);
        let added = 0;
        let updated = 0;
        for await (const advisory of records) {
          const hash = staged.hashes.get(advisory.id) ?? contentHash(advisory);
          const before = existing.get(advisory.id);
          if (before === hash) continue;
          if (before === undefined) added++;
          else {
            updated++;
            await writer.remove([advisory.id]);
          }
          await writer.add(advisory, hash);
        }
        await writer.flush();
        const gone = [...existing.keys()].filter((id) => !staged.hashes.has(id));
        for (let i = 0; i < gone.length; i += ADVISORY_BATCH) await writer.remove(gone.slice(i, i + ADVISORY_BATCH));
        const removed = gone.length;

        const duration = Math.round(performance.now() - started);
        await trx
          .updateTable('vuln_sources')
          .set({ version, content_sha256: sha, imported_at: now, imported_by: actor, record_count: staged.hashes.size, ecosystems: JSON.stringify([...staged.ecosystems].sort()), duration_ms: duration })
          .where('name', '=', name)
          .execute();
        const changed = added + updated + removed > 0;
        const rematch = changed && this.#jobs ? await this.#jobs.enqueue(trx, REMATCH_JOB, { sources: [name] }) : null;
        return { source: name, kind: stream.format, version, records: staged.hashes.size, added, updated, removed, duration_ms: duration, rematch_job_id: rematch };
      },
    );
  }

  /** Removes a source and everything imported with it; enqueues a re-match (its findings go away). */
  async remove(name: string, ctx?: AuditContext): Promise<{ rematch_job_id: string | null }> {
    const source = await this.source(name);
    const result = await audited(this.#db, this.#audit, ctx, { resourceType: 'vulndb', resource: source.name, action: 'delete', detail: `${source.kind}: ${source.records} records` }, async (trx) => {
      await trx.deleteFrom('vuln_affected').where('source', '=', source.name).execute();
      await trx.deleteFrom('vuln_advisories').where('source', '=', source.name).execute();
      const { numDeletedRows } = await trx.deleteFrom('vuln_sources').where('name', '=', source.name).executeTakeFirst();
      if (Number(numDeletedRows) === 0) throw new DomainError('not_found', `no vulnerability data source ${source.name}`);
      return { rematch_job_id: this.#jobs && source.records > 0 ? await this.#jobs.enqueue(trx, REMATCH_JOB, { sources: [source.name] }) : null };
    });
    this.#metrics?.records(source.name, undefined);
    return result;
  }

  /**
   * The advisories naming any of `keys` (the matcher's `AdvisoryLookup`):
   * one query per ecosystem and batch of names, on the (ecosystem, name)
   * index. Each advisory once, whichever keys named it.
   */
  lookup = async (keys: readonly AdvisoryKey[]): Promise<Advisory[]> => {
    const started = performance.now();
    const byEcosystem = new Map<string, Set<string>>();
    for (const k of keys) {
      const names = byEcosystem.get(k.ecosystem) ?? new Set<string>();
      names.add(lookupKey(k.ecosystem, k.name));
      byEcosystem.set(k.ecosystem, names);
    }
    const out = new Map<string, Advisory>();
    for (const [ecosystem, nameSet] of byEcosystem) {
      const names = [...nameSet];
      for (let i = 0; i < names.length; i += LOOKUP_BATCH) {
        const rows = await this.#db
          .selectFrom('vuln_affected as f')
          .innerJoin('vuln_advisories as a', (j) => j.onRef('a.source', '=', 'f.source').onRef('a.id', '=', 'f.advisory_id'))
          .select(['a.source', 'a.id', 'a.data'])
          .where('f.ecosystem', '=', ecosystem)
          .where('f.name', 'in', names.slice(i, i + LOOKUP_BATCH))
          .execute();
        for (const r of rows) {
          const key = `${r.source}\u0000${r.id}`;
          if (!out.has(key)) out.set(key, JSON.parse(r.data) as Advisory);
        }
      }
    }
    this.#metrics?.lookup(performance.now() - started);
    return [...out.values()];
  };

  /** One stored advisory, as imported. */
  async advisory(source: string, id: string): Promise<Advisory | undefined> {
    const row = await this.#db.selectFrom('vuln_advisories').select('data').where('source', '=', source).where('id', '=', id).executeTakeFirst();
    return row ? (JSON.parse(row.data) as Advisory) : undefined;
  }
}

/** Multi-row inserts in batches (bounded parameter counts on both databases). */
class BatchWriter {
  readonly #trx: Transaction<Database>;
  readonly #source: string;
  #advisories: Database['vuln_advisories'][] = [];
  #affected: Database['vuln_affected'][] = [];

  constructor(trx: Transaction<Database>, source: string) {
    this.#trx = trx;
    this.#source = source;
  }

  async add(a: Advisory, hash: string): Promise<void> {
    this.#advisories.push({ source: this.#source, id: a.id, content_hash: hash, modified: a.modified ?? null, withdrawn: a.withdrawn ?? null, aliases: JSON.stringify(a.aliases), data: JSON.stringify(a) });
    const keys = new Set<string>();
    for (const p of a.affected) {
      const name = lookupKey(p.ecosystem, p.name);
      const k = `${p.ecosystem}\u0000${name}`;
      if (keys.has(k)) continue;
      keys.add(k);
      this.#affected.push({ source: this.#source, advisory_id: a.id, ecosystem: p.ecosystem, name });
    }
    if (this.#advisories.length >= ADVISORY_BATCH || this.#affected.length >= AFFECTED_BATCH) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.#advisories.length > 0) await this.#trx.insertInto('vuln_advisories').values(this.#advisories).execute();
    for (let i = 0; i < this.#affected.length; i += AFFECTED_BATCH) await this.#trx.insertInto('vuln_affected').values(this.#affected.slice(i, i + AFFECTED_BATCH)).execute();
    this.#advisories = [];
    this.#affected = [];
  }

  /** Deletes advisories (and their index rows); pending inserts are written first so order holds. */
  async remove(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.flush();
    await this.#trx.deleteFrom('vuln_affected').where('source', '=', this.#source).where('advisory_id', 'in', ids).execute();
    await this.#trx.deleteFrom('vuln_advisories').where('source', '=', this.#source).where('id', 'in', ids).execute();
  }
}
