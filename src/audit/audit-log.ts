/**
 * The audit log: who did what to which resource, from where, with what
 * outcome. Stored in `audit_log` (migration 0003-audit), optionally forwarded
 * (src/audit/forward.ts). Semantics and guarantees: docs/audit.md.
 *
 * API
 *
 *   new AuditLog(db: Db, options?: AuditLogOptions)
 *   AuditLog.fromConfig(db, config, { logger?, metrics? })   options from Config
 *     Throws AuditForwardError when `auditForward` is invalid (startup check).
 *
 *   record(event: AuditEvent): void
 *     Pulls, pushes and other high-volume events. Buffers in memory and never
 *     throws; written every `flushIntervalMs` and at once when `bufferSize`
 *     records are waiting, in one transaction of multi-row inserts. A failed
 *     write keeps the records and retries; beyond 2 × bufferSize the oldest are
 *     dropped and counted (stats().dropped, berth_audit_dropped_total).
 *
 *   recordIn(trx: Transaction<Database>, event: AuditEvent): Promise<void>
 *     Management changes: inserted in the caller's transaction, so the record
 *     commits or rolls back with the change. Rejects when the insert fails
 *     (letting the change roll back too).
 *
 *   flush(): Promise<void>          writes what is buffered now; rejects if that write fails
 *   close(): Promise<void>          stops the timer, flushes everything, closes the forwarder
 *   query(filter: AuditFilter, page: { page, pageSize }, sort?: string): Promise<{ items: AuditEntry[]; total: number }>
 *     Flushes first, so a caller sees its own pulls. `sort` is Harbor-style,
 *     e.g. "-time" (default) or "actor,-time"; fields: SORT_FIELDS. Invalid
 *     page, page size or sort field → AuditQueryError (a 400 for the REST layer).
 *     Do not call flush() or query() inside a transaction (SQLite has one connection).
 *   purge(olderThanMs: number): Promise<number>   deletes records older than now − olderThanMs
 *   stats(): AuditLogStats
 *
 *   runAuditPurge(audit, { retentionDays, logger? }): Promise<number>
 *     One purge (the daily `audit.purge` job); retentionDays 0 keeps everything.
 *
 * Forwarding: buffered records are forwarded after their flush commits;
 * recordIn records once a later check sees them committed (a rolled-back
 * record is never forwarded).
 */
import { performance } from 'node:perf_hooks';
import { CompiledQuery, type ExpressionBuilder, type Expression, type Kysely, type SqlBool, type Transaction } from 'kysely';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Config } from '../config/config.ts';
import { DomainError } from '../core/errors.ts';
import { newUuidV7 } from '../core/ids.ts';
import { isPostgres } from '../platform/db/column-types.ts';
import type { Database, Db } from '../platform/db/schema.ts';
import { createForwarder, type AuditForwarder, type ForwarderStats } from './forward.ts';
import type { AuditEntry, AuditLogTable } from './schema.ts';
import type { ActorKind, AuditEvent, AuditRecorder } from './types.ts';

export type { AuditEntry } from './schema.ts';
export { AuditForwardError, parseForwardTarget } from './forward.ts';

/** Structured logger; a pino Logger fits. */
export interface AuditLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface AuditLogOptions {
  /** Buffered records are written at least this often (ms); default 1000. */
  flushIntervalMs?: number;
  /** Buffered records that trigger an immediate write; default 10,000. */
  bufferSize?: number;
  /** An `auditForward` spec, or a forwarder built elsewhere. */
  forward?: string | AuditForwarder | undefined;
  logger?: AuditLogger;
  /** Registers berth_audit_* metrics here (e.g. Metrics.registry). */
  metrics?: Registry;
  /**
   * How long a recordIn record may wait for its transaction to commit before
   * it is taken as rolled back and not forwarded (ms); default 60,000.
   */
  commitWaitMs?: number;
}

export interface AuditFilter {
  /** Actor name, exact. */
  actor?: string;
  actorKind?: ActorKind;
  /** Records whose resource is `<project>/…` or the project itself. */
  project?: string;
  resourceType?: string;
  /** Resource, exact. */
  resource?: string;
  action?: string;
  outcome?: 'success' | 'failure';
  /** Epoch ms, inclusive. */
  from?: number;
  /** Epoch ms, inclusive. */
  to?: number;
}

export interface AuditPageRequest {
  /** 1-based. */
  page: number;
  /** 1 to MAX_PAGE_SIZE. */
  pageSize: number;
}

export interface AuditQueryResult {
  items: AuditEntry[];
  /** Records matching the filter, over all pages. */
  total: number;
}

export interface AuditLogStats {
  /** Waiting in memory for the next flush. */
  buffered: number;
  /** record() calls accepted. */
  recorded: number;
  /** recordIn() inserts. */
  recordedIn: number;
  /** Buffered records written to the database. */
  written: number;
  /** Successful flushes that wrote at least one record. */
  flushes: number;
  /** INSERT statements those flushes ran. */
  inserts: number;
  flushFailures: number;
  /** Buffered records lost: overflow while the database failed, or record() after close(). */
  dropped: number;
  forward: ForwarderStats | null;
}

/** A bad page, page size or sort field: the caller's input. */
export class AuditQueryError extends DomainError {
  constructor(message: string) {
    super('invalid', message);
    this.name = 'AuditQueryError';
  }
}

export const MAX_PAGE_SIZE = 1000;

/** Sort keys accepted by query() and the columns they order by. */
export const SORT_FIELDS = {
  time: 'time',
  actor: 'actor_name',
  actorKind: 'actor_kind',
  sourceIp: 'source_ip',
  resourceType: 'resource_type',
  resource: 'resource',
  project: 'project',
  action: 'action',
  outcome: 'outcome',
} as const satisfies Record<string, keyof AuditLogTable>;

/**
 * Rows per INSERT, largest first. A flush splits its batch greedily into these
 * sizes, so only six statement shapes exist (the SQLite driver caches every
 * prepared statement) and 5,000 records take two statements. 11 columns ×
 * 2,500 = 27,500 bound parameters, under SQLite's 32,766 and PostgreSQL's
 * 65,535.
 */
const INSERT_SIZES = [2500, 500, 100, 25, 5, 1] as const;
const COLUMNS = ['id', 'time', 'actor_kind', 'actor_name', 'source_ip', 'resource_type', 'resource', 'project', 'action', 'outcome', 'detail'] as const satisfies readonly (keyof AuditLogTable)[];
const PURGE_BATCH = 5000;
const DAY_MS = 86_400_000;

/** Resource types that are not inside a project: no derived project (`vulndb`: vulnerability data sources, system-wide). */
const ACCOUNT_RESOURCE_TYPES = new Set(['user', 'session', 'login', 'token', 'config', 'system', 'group', 'usergroup', 'user_group', 'vulndb']);

const noopLogger: AuditLogger = { info() {}, warn() {}, error() {} };

// --- ids -------------------------------------------------------------------

/** Audit record ids are UUIDv7 (src/core/ids.ts): string order is time order. */
export { newUuidV7 as newAuditId };

// --- rows ------------------------------------------------------------------

/** A string fit for a varchar(max) on both databases: no NUL, no split surrogate pair. */
function fit(value: unknown, max: number): string {
  let s = typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
  if (s.includes('\0')) s = s.replaceAll('\0', '');
  if (s.length > max) {
    s = s.slice(0, max);
    const last = s.charCodeAt(s.length - 1);
    if (last >= 0xd800 && last <= 0xdbff) s = s.slice(0, -1);
  }
  return s;
}

/** The project a record belongs to (see AuditLogTable.project). */
export function projectOf(resourceType: string, resource: string): string | null {
  if (ACCOUNT_RESOURCE_TYPES.has(resourceType) || resource === '') return null;
  const slash = resource.indexOf('/');
  return slash === -1 ? resource : resource.slice(0, slash);
}

function toRow(event: AuditEvent, now: number): AuditLogTable {
  const time = typeof event.time === 'number' && Number.isFinite(event.time) ? Math.trunc(event.time) : now;
  const resourceType = fit(event.resourceType, 64);
  const resource = fit(event.resource, 1024);
  const explicit = event.project === undefined ? undefined : fit(event.project, 255);
  return {
    id: newUuidV7(now),
    time,
    actor_kind: fit(event.actor?.kind, 16) || 'anonymous',
    actor_name: fit(event.actor?.name, 255),
    source_ip: fit(event.sourceIp, 64),
    resource_type: resourceType,
    resource,
    project: explicit || (projectOf(resourceType, resource)?.slice(0, 255) ?? null),
    action: fit(event.action, 64),
    outcome: event.outcome === 'failure' ? 'failure' : 'success',
    detail: event.detail === undefined || event.detail === null || event.detail === '' ? null : fit(event.detail, 4096),
  };
}

export function toEntry(row: AuditLogTable): AuditEntry {
  return {
    id: row.id,
    time: Number(row.time),
    actor: { kind: row.actor_kind as ActorKind, name: row.actor_name },
    sourceIp: row.source_ip,
    resourceType: row.resource_type,
    resource: row.resource,
    project: row.project,
    action: row.action,
    outcome: row.outcome === 'failure' ? 'failure' : 'success',
    detail: row.detail,
  };
}

/**
 * `insert … values (…), (…) on conflict ("id") do nothing` for `rows` rows,
 * as SQL both databases run: built by hand rather than by Kysely's builder,
 * which costs more than the insert itself at this size.
 */
const insertSqlCache = new Map<string, string>();
function insertSql(rows: number, postgres: boolean): string {
  const key = `${rows}:${postgres}`;
  let text = insertSqlCache.get(key);
  if (text === undefined) {
    const tuples: string[] = [];
    let p = 0;
    for (let r = 0; r < rows; r++) tuples.push(`(${COLUMNS.map(() => (postgres ? `$${++p}` : '?')).join(', ')})`);
    text = `insert into "audit_log" (${COLUMNS.map((c) => `"${c}"`).join(', ')}) values ${tuples.join(', ')} on conflict ("id") do nothing`;
    insertSqlCache.set(key, text);
  }
  return text;
}

/** Splits `n` rows into INSERT_SIZES chunks, largest first. */
export function insertChunks(n: number): number[] {
  const out: number[] = [];
  for (const size of INSERT_SIZES) {
    while (n >= size) {
      out.push(size);
      n -= size;
    }
  }
  return out;
}

// --- the log ---------------------------------------------------------------

interface AwaitingCommit {
  row: AuditLogTable;
  since: number;
}

interface AuditMetrics {
  records: Counter<'path'>;
  dropped: Counter<'reason'>;
  flushFailures: Counter;
  flushDuration: Histogram;
}

export class AuditLog implements AuditRecorder {
  readonly #db: Db;
  readonly #log: AuditLogger;
  readonly #bufferSize: number;
  readonly #maxBuffered: number;
  readonly #commitWaitMs: number;
  readonly #forwarder: AuditForwarder | undefined;
  readonly #metrics: AuditMetrics | undefined;
  readonly #timer: NodeJS.Timeout;

  /** Buffered rows; those before #head were dropped (overflow) and are skipped. */
  #buffer: AuditLogTable[] = [];
  #head = 0;
  #awaitingCommit: AwaitingCommit[] = [];
  #flushing: Promise<void> | undefined;
  #failing = false;
  #closed = false;
  #verifyScheduled = false;
  #lastDropLog = 0;
  #lastFailLog = 0;
  readonly #stats = { recorded: 0, recordedIn: 0, written: 0, flushes: 0, inserts: 0, flushFailures: 0, dropped: 0 };

  constructor(db: Db, options: AuditLogOptions = {}) {
    this.#db = db;
    this.#log = options.logger ?? noopLogger;
    this.#bufferSize = Math.max(1, options.bufferSize ?? 10_000);
    this.#maxBuffered = 2 * this.#bufferSize;
    this.#commitWaitMs = options.commitWaitMs ?? 60_000;
    const forward = options.forward;
    this.#forwarder =
      forward === undefined || forward === ''
        ? undefined
        : typeof forward === 'string'
          ? createForwarder(forward, {
              logger: this.#log,
              maxQueue: this.#maxBuffered,
              onDrop: (n) => this.#metrics?.dropped.inc({ reason: 'forward' }, n),
            })
          : forward;
    this.#metrics = options.metrics ? this.#registerMetrics(options.metrics) : undefined;
    this.#timer = setInterval(() => this.#tick(), Math.max(10, options.flushIntervalMs ?? 1000));
    this.#timer.unref();
  }

  /** Options from the configuration (auditFlushIntervalMs, auditBufferSize, auditForward). */
  static fromConfig(
    db: Db,
    config: Pick<Config, 'auditFlushIntervalMs' | 'auditBufferSize' | 'auditForward'>,
    extra: { logger?: AuditLogger; metrics?: Registry } = {},
  ): AuditLog {
    return new AuditLog(db, {
      flushIntervalMs: config.auditFlushIntervalMs,
      bufferSize: config.auditBufferSize,
      forward: config.auditForward,
      ...extra,
    });
  }

  #registerMetrics(registry: Registry): AuditMetrics {
    const buffered = () => this.#buffered();
    new Gauge({
      name: 'berth_audit_buffered',
      help: 'Audit records waiting in memory to be written.',
      registers: [registry],
      collect() {
        this.set(buffered());
      },
    });
    return {
      records: new Counter({ name: 'berth_audit_records_total', help: 'Audit records accepted, by path (buffered or transactional).', labelNames: ['path'], registers: [registry] }),
      dropped: new Counter({
        name: 'berth_audit_dropped_total',
        help: 'Audit records lost, by reason: overflow (database failing), closed (recorded after shutdown), forward (forwarding queue full).',
        labelNames: ['reason'],
        registers: [registry],
      }),
      flushFailures: new Counter({ name: 'berth_audit_flush_failures_total', help: 'Failed writes of buffered audit records (they are retried).', registers: [registry] }),
      flushDuration: new Histogram({
        name: 'berth_audit_flush_duration_seconds',
        help: 'Time to write one batch of buffered audit records.',
        buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
        registers: [registry],
      }),
    };
  }

  #buffered(): number {
    return this.#buffer.length - this.#head;
  }

  /** Removes and returns every buffered row, oldest first. */
  #take(): AuditLogTable[] {
    const rows = this.#head === 0 ? this.#buffer : this.#buffer.slice(this.#head);
    this.#buffer = [];
    this.#head = 0;
    return rows;
  }

  record(event: AuditEvent): void {
    try {
      if (this.#closed) {
        this.#drop(1, 'closed');
        return;
      }
      this.#buffer.push(toRow(event, Date.now()));
      this.#stats.recorded++;
      this.#metrics?.records.inc({ path: 'buffered' });
      if (this.#buffered() > this.#maxBuffered) {
        // Drop the oldest in O(1); compact once half the array is dropped.
        this.#head++;
        this.#drop(1, 'overflow');
        if (this.#head * 2 >= this.#buffer.length) {
          this.#buffer = this.#buffer.slice(this.#head);
          this.#head = 0;
        }
      }
      if (this.#buffered() >= this.#bufferSize && !this.#failing) this.#background();
    } catch (err) {
      this.#log.error({ err }, 'audit record failed');
    }
  }

  async recordIn(trx: Transaction<Database>, event: AuditEvent): Promise<void> {
    const row = toRow(event, Date.now());
    await trx.insertInto('audit_log').values(row).execute();
    this.#stats.recordedIn++;
    this.#metrics?.records.inc({ path: 'transactional' });
    if (this.#forwarder && !this.#closed) {
      this.#awaitingCommit.push({ row, since: Date.now() });
      if (this.#awaitingCommit.length > this.#maxBuffered) {
        this.#awaitingCommit.shift();
        this.#metrics?.dropped.inc({ reason: 'forward' });
      }
      // Checked right after the transaction ends (on SQLite the check waits
      // for the connection), else at the next tick.
      if (!this.#verifyScheduled) {
        this.#verifyScheduled = true;
        setImmediate(() => {
          this.#verifyScheduled = false;
          this.#background();
        });
      }
    }
  }

  async flush(): Promise<void> {
    while (this.#flushing) await this.#flushing.catch(() => {});
    const run = this.#flushOnce().finally(() => {
      this.#flushing = undefined;
      if (this.#buffered() >= this.#bufferSize && !this.#failing && !this.#closed) this.#background();
    });
    this.#flushing = run;
    return run;
  }

  /** Starts a flush unless one is running; its errors are logged, not thrown. */
  #background(): void {
    if (this.#flushing) return;
    this.flush().catch(() => {});
  }

  #tick(): void {
    if (this.#buffered() > 0 || this.#awaitingCommit.length > 0) this.#background();
  }

  async #flushOnce(): Promise<void> {
    const batch = this.#take();
    if (batch.length > 0) {
      const started = performance.now();
      let inserts = 0;
      try {
        const postgres = isPostgres(this.#db as unknown as Kysely<unknown>);
        await this.#db.transaction().execute(async (trx) => {
          let offset = 0;
          for (const size of insertChunks(batch.length)) {
            // Let other work run between statements (node:sqlite is synchronous).
            if (offset > 0 && size >= 100) await new Promise<void>((r) => setImmediate(r));
            const params: (string | number | null)[] = [];
            for (let i = offset; i < offset + size; i++) {
              const row = batch[i]!;
              for (const c of COLUMNS) params.push(row[c]);
            }
            // "on conflict do nothing": a retry after a commit whose
            // acknowledgement was lost must not fail on the ids.
            await trx.executeQuery(CompiledQuery.raw(insertSql(size, postgres), params));
            offset += size;
            inserts++;
          }
        });
      } catch (err) {
        this.#buffer = batch.concat(this.#take());
        const over = this.#buffer.length - this.#maxBuffered;
        if (over > 0) {
          this.#buffer = this.#buffer.slice(over);
          this.#drop(over, 'overflow');
        }
        this.#failing = true;
        this.#stats.flushFailures++;
        this.#metrics?.flushFailures.inc();
        const now = Date.now();
        if (now - this.#lastFailLog >= 10_000) {
          this.#lastFailLog = now;
          this.#log.error({ err, buffered: this.#buffer.length, dropped: this.#stats.dropped }, 'audit flush failed; records kept for retry');
        }
        throw err;
      }
      if (this.#failing) this.#log.info({ written: batch.length }, 'audit flush recovered');
      this.#failing = false;
      this.#stats.written += batch.length;
      this.#stats.flushes++;
      this.#stats.inserts += inserts;
      this.#metrics?.flushDuration.observe((performance.now() - started) / 1000);
      this.#forwarder?.send(batch.map(toEntry));
    }
    if (this.#awaitingCommit.length > 0) await this.#forwardCommitted();
  }

  /** Forwards recordIn records now visible (committed); forgets those that never appear. */
  async #forwardCommitted(): Promise<void> {
    const waiting = this.#awaitingCommit;
    this.#awaitingCommit = [];
    const found = new Set<string>();
    try {
      for (let i = 0; i < waiting.length; i += 500) {
        const ids = waiting.slice(i, i + 500).map((w) => w.row.id);
        const rows = await this.#db.selectFrom('audit_log').select('id').where('id', 'in', ids).execute();
        for (const r of rows) found.add(r.id);
      }
    } catch (err) {
      this.#awaitingCommit = waiting.concat(this.#awaitingCommit);
      this.#log.warn({ err }, 'audit forward: cannot check committed records; will retry');
      return;
    }
    const now = Date.now();
    const committed: AuditEntry[] = [];
    const still: AwaitingCommit[] = [];
    for (const w of waiting) {
      if (found.has(w.row.id)) committed.push(toEntry(w.row));
      else if (now - w.since < this.#commitWaitMs && !this.#closed) still.push(w);
    }
    this.#awaitingCommit = still.concat(this.#awaitingCommit);
    if (committed.length > 0) this.#forwarder?.send(committed);
  }

  #drop(n: number, reason: 'overflow' | 'closed'): void {
    this.#stats.dropped += n;
    this.#metrics?.dropped.inc({ reason }, n);
    const now = Date.now();
    if (now - this.#lastDropLog >= 10_000) {
      this.#lastDropLog = now;
      this.#log.error({ reason, dropped: this.#stats.dropped }, reason === 'closed' ? 'audit record after close dropped' : 'audit buffer full: oldest records dropped');
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    for (let attempt = 1; ; attempt++) {
      try {
        await this.flush();
        if (this.#buffered() === 0) break;
      } catch (err) {
        if (attempt >= 3) {
          const lost = this.#take().length;
          this.#drop(lost, 'overflow');
          this.#log.error({ err, lost }, 'audit log closed with unwritten records');
          break;
        }
        await new Promise((r) => setTimeout(r, 200 * attempt));
      }
    }
    this.#awaitingCommit = [];
    await this.#forwarder?.close();
  }

  async query(filter: AuditFilter, page: AuditPageRequest, sort = '-time'): Promise<AuditQueryResult> {
    if (!Number.isInteger(page.page) || page.page < 1) throw new AuditQueryError('page must be an integer ≥ 1');
    if (!Number.isInteger(page.pageSize) || page.pageSize < 1 || page.pageSize > MAX_PAGE_SIZE) {
      throw new AuditQueryError(`page size must be an integer from 1 to ${MAX_PAGE_SIZE}`);
    }
    const order = parseSort(sort);
    if (!this.#closed) await this.flush().catch(() => {});

    const where = (eb: ExpressionBuilder<Database, 'audit_log'>) => {
      const c: Expression<SqlBool>[] = [];
      if (filter.actor !== undefined) c.push(eb('actor_name', '=', filter.actor));
      if (filter.actorKind !== undefined) c.push(eb('actor_kind', '=', filter.actorKind));
      if (filter.project !== undefined) c.push(eb('project', '=', filter.project));
      if (filter.resourceType !== undefined) c.push(eb('resource_type', '=', filter.resourceType));
      if (filter.resource !== undefined) c.push(eb('resource', '=', filter.resource));
      if (filter.action !== undefined) c.push(eb('action', '=', filter.action));
      if (filter.outcome !== undefined) c.push(eb('outcome', '=', filter.outcome));
      if (filter.from !== undefined) c.push(eb('time', '>=', filter.from));
      if (filter.to !== undefined) c.push(eb('time', '<=', filter.to));
      return eb.and(c);
    };

    const counted = await this.#db
      .selectFrom('audit_log')
      .where(where)
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    const total = Number(counted.n);
    let q = this.#db.selectFrom('audit_log').selectAll().where(where);
    for (const o of order) q = q.orderBy(o.column, o.direction);
    const rows = await q
      .limit(page.pageSize)
      .offset((page.page - 1) * page.pageSize)
      .execute();
    return { items: rows.map(toEntry), total };
  }

  async purge(olderThanMs: number): Promise<number> {
    if (!Number.isFinite(olderThanMs) || olderThanMs < 0) throw new RangeError('olderThanMs must be a non-negative number');
    const cutoff = Date.now() - olderThanMs;
    let removed = 0;
    // In batches, so a large purge never holds the write lock for long.
    for (;;) {
      const result = await this.#db
        .deleteFrom('audit_log')
        .where('id', 'in', (eb) => eb.selectFrom('audit_log').select('id').where('time', '<', cutoff).limit(PURGE_BATCH))
        .executeTakeFirst();
      const n = Number(result.numDeletedRows);
      removed += n;
      if (n < PURGE_BATCH) return removed;
      await new Promise<void>((r) => setImmediate(r));
    }
  }

  stats(): AuditLogStats {
    return { ...this.#stats, buffered: this.#buffered(), forward: this.#forwarder?.stats() ?? null };
  }
}

/** Parses `"-time"`, `"actor,-time"`…; the id (time order) breaks ties. */
export function parseSort(sort: string): { column: keyof AuditLogTable; direction: 'asc' | 'desc' }[] {
  const out: { column: keyof AuditLogTable; direction: 'asc' | 'desc' }[] = [];
  for (const raw of sort.split(',')) {
    const part = raw.trim();
    if (part === '') continue;
    const desc = part.startsWith('-');
    const name = desc || part.startsWith('+') ? part.slice(1) : part;
    if (!Object.hasOwn(SORT_FIELDS, name)) {
      throw new AuditQueryError(`cannot sort by ${JSON.stringify(name)}; use ${Object.keys(SORT_FIELDS).join(', ')} (prefix - for descending)`);
    }
    out.push({ column: SORT_FIELDS[name as keyof typeof SORT_FIELDS], direction: desc ? 'desc' : 'asc' });
  }
  if (out.length === 0) out.push({ column: 'time', direction: 'desc' });
  const timeOrder = out.find((o) => o.column === 'time')?.direction ?? 'desc';
  out.push({ column: 'id', direction: timeOrder });
  return out;
}

// --- retention -------------------------------------------------------------

/**
 * One purge of records older than `retentionDays` (0 keeps everything): the
 * `audit.purge` job, scheduled daily on the job platform (src/main.ts).
 */
export async function runAuditPurge(audit: Pick<AuditLog, 'purge'>, options: { retentionDays: number; logger?: AuditLogger }): Promise<number> {
  if (options.retentionDays <= 0) return 0;
  const removed = await audit.purge(options.retentionDays * DAY_MS);
  if (removed > 0) (options.logger ?? noopLogger).info({ removed, retentionDays: options.retentionDays }, 'old audit records purged');
  return removed;
}
