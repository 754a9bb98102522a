/**
 * Forwarding of audit records to a second destination (`auditForward`):
 *
 *   syslog+udp://host[:port]   RFC 5424 messages, one per datagram (RFC 5426)
 *   syslog+tcp://host[:port]   RFC 5424 messages, octet-counting framing (RFC 6587)
 *   jsonl:/path/to/file        one JSON object (an AuditEntry) per line, appended
 *
 * The port defaults to 514. `send()` only queues: delivery happens on the
 * event loop, so a slow or absent receiver never blocks a request. The queue
 * is bounded (oldest dropped and counted); TCP and UDP senders reconnect with
 * exponential backoff (100 ms doubling to 30 s).
 *
 * API:
 *   parseForwardTarget(spec): ForwardTarget        throws AuditForwardError
 *   createForwarder(spec | target, options?): AuditForwarder
 *   formatSyslog(entry, { hostname?, pid? }): string   (without framing)
 *   formatJsonLine(entry): string                     (with the newline)
 */
import dgram from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { createWriteStream, openSync, type WriteStream } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { AuditEntry } from './schema.ts';

export class AuditForwardError extends Error {}

export type ForwardTarget =
  | { kind: 'syslog'; transport: 'udp' | 'tcp'; host: string; port: number }
  | { kind: 'jsonl'; path: string };

export const DEFAULT_SYSLOG_PORT = 514;

const FORMS = 'syslog+udp://host:port, syslog+tcp://host:port or jsonl:/path/to/file';

/** Parses and validates an `auditForward` value; the error names what is wrong. */
export function parseForwardTarget(spec: string): ForwardTarget {
  const s = spec.trim();
  if (s.startsWith('jsonl:')) {
    let file = s.slice('jsonl:'.length);
    if (file.startsWith('//')) file = file.replace(/^\/\/(localhost)?/, '');
    if (file === '') throw new AuditForwardError(`auditForward ${JSON.stringify(spec)}: jsonl: needs a file path, e.g. jsonl:/var/log/berth/audit.jsonl`);
    return { kind: 'jsonl', path: path.resolve(file) };
  }
  const m = /^syslog\+(udp|tcp):\/\//i.exec(s);
  if (!m) throw new AuditForwardError(`auditForward ${JSON.stringify(spec)}: unsupported form; use ${FORMS}`);
  let url: URL;
  try {
    url = new URL(`http://${s.slice(m[0].length)}`);
  } catch {
    throw new AuditForwardError(`auditForward ${JSON.stringify(spec)}: not a valid host:port`);
  }
  if (url.username || url.password || url.search || url.hash || (url.pathname !== '/' && url.pathname !== '')) {
    throw new AuditForwardError(`auditForward ${JSON.stringify(spec)}: only host and port are allowed after ${m[0]}`);
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (host === '') throw new AuditForwardError(`auditForward ${JSON.stringify(spec)}: missing host`);
  const port = url.port === '' ? DEFAULT_SYSLOG_PORT : Number(url.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new AuditForwardError(`auditForward ${JSON.stringify(spec)}: bad port`);
  return { kind: 'syslog', transport: m[1]!.toLowerCase() as 'udp' | 'tcp', host, port };
}

// --- formats ---------------------------------------------------------------

/** Facility local0 (16); severity notice (5) for success, warning (4) for failure. */
const FACILITY_LOCAL0 = 16;
const SEVERITY_NOTICE = 5;
const SEVERITY_WARNING = 4;
/** Private enterprise number used in the SD-ID (`berth@32473`). */
export const SD_ID = 'berth@32473';

/** RFC 5424 PRINTUSASCII, no spaces, at most `max` characters; `-` when empty. */
function headerField(value: string, max: number): string {
  const v = value.replace(/[^\x21-\x7e]/g, '').slice(0, max);
  return v === '' ? '-' : v;
}

/** SD-PARAM value escaping: `"`, `\` and `]` get a backslash. */
function sdValue(value: string): string {
  return value.replace(/["\\\]]/g, (c) => `\\${c}`);
}

/**
 * One RFC 5424 message, without transport framing:
 * `<133>1 2026-01-02T03:04:05.678Z host berth 4242 audit [berth@32473 id="…" actor="alice" …] alice push repository team/app:v1: success`
 * MSG is plain text (MSG-ANY: no BOM).
 */
export function formatSyslog(entry: AuditEntry, options: { hostname?: string; pid?: number } = {}): string {
  const pri = FACILITY_LOCAL0 * 8 + (entry.outcome === 'success' ? SEVERITY_NOTICE : SEVERITY_WARNING);
  const ts = new Date(entry.time).toISOString();
  const hostname = headerField(options.hostname ?? os.hostname(), 255);
  const procid = headerField(String(options.pid ?? process.pid), 128);
  const params: [string, string | null][] = [
    ['id', entry.id],
    ['actor', entry.actor.name],
    ['actorKind', entry.actor.kind],
    ['sourceIp', entry.sourceIp],
    ['resourceType', entry.resourceType],
    ['resource', entry.resource],
    ['project', entry.project],
    ['action', entry.action],
    ['outcome', entry.outcome],
    ['detail', entry.detail],
  ];
  const sd = `[${SD_ID}${params
    .filter((p): p is [string, string] => p[1] !== null && p[1] !== '')
    .map(([k, v]) => ` ${k}="${sdValue(v)}"`)
    .join('')}]`;
  const msg = `${entry.actor.name || entry.actor.kind} ${entry.action} ${entry.resourceType} ${entry.resource}: ${entry.outcome}${entry.detail ? ` (${entry.detail})` : ''}`;
  return `<${pri}>1 ${ts} ${hostname} berth ${procid} audit ${sd} ${msg.replace(/[\r\n]+/g, ' ')}`;
}

/** One JSON line: the AuditEntry as returned by `AuditLog.query`, plus the newline. */
export function formatJsonLine(entry: AuditEntry): string {
  return `${JSON.stringify(entry)}\n`;
}

// --- senders ---------------------------------------------------------------

export interface ForwarderLogger {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface ForwarderOptions {
  logger?: ForwarderLogger;
  /** Records queued while the destination is slow or down; default 10,000. */
  maxQueue?: number;
  /** Called with the number of records dropped because the queue was full. */
  onDrop?: (n: number) => void;
  /** HOSTNAME in syslog headers; default os.hostname(). */
  hostname?: string;
}

export interface ForwarderStats {
  queued: number;
  /** Handed to the socket or file. */
  sent: number;
  /** Dropped because the queue overflowed. */
  dropped: number;
  /** Transport errors seen (connection refused, write failures…). */
  errors: number;
}

export interface AuditForwarder {
  readonly target: ForwardTarget;
  /** Queues records for delivery; never blocks, never throws. */
  send(entries: readonly AuditEntry[]): void;
  stats(): ForwarderStats;
  /** Delivers what is queued (waiting at most `timeoutMs`, default 3 s), then closes. */
  close(timeoutMs?: number): Promise<void>;
}

const noopLogger: ForwarderLogger = { warn() {}, error() {} };
const BACKOFF_MIN_MS = 100;
const BACKOFF_MAX_MS = 30_000;
/** Messages written to a stream or socket per write call. */
const WRITE_BATCH = 512;

/** Creates the forwarder for a spec (validated first) or a parsed target. */
export function createForwarder(spec: string | ForwardTarget, options: ForwarderOptions = {}): AuditForwarder {
  const target = typeof spec === 'string' ? parseForwardTarget(spec) : spec;
  if (target.kind === 'jsonl') return new JsonlForwarder(target, options);
  if (target.transport === 'udp') return new UdpSyslogForwarder(target, options);
  return new TcpSyslogForwarder(target, options);
}

/** The bounded queue, drop accounting, backoff and close logic all senders share. */
abstract class QueueForwarder implements AuditForwarder {
  readonly target: ForwardTarget;
  protected readonly log: ForwarderLogger;
  protected queue: string[] = [];
  protected closing = false;
  protected closed = false;
  protected backoffMs = BACKOFF_MIN_MS;
  readonly #maxQueue: number;
  readonly #onDrop: ((n: number) => void) | undefined;
  protected readonly hostname: string;
  #sent = 0;
  #dropped = 0;
  #errors = 0;
  #lastErrorLog = 0;

  constructor(target: ForwardTarget, options: ForwarderOptions) {
    this.target = target;
    this.log = options.logger ?? noopLogger;
    this.#maxQueue = Math.max(1, options.maxQueue ?? 10_000);
    this.#onDrop = options.onDrop;
    this.hostname = options.hostname ?? os.hostname();
  }

  protected abstract format(entry: AuditEntry): string;
  /** Writes from `queue` while the transport accepts; called whenever it may. */
  protected abstract pump(): void;
  /** Ends the transport after the queue drained (or the deadline passed). */
  protected abstract shutdown(): Promise<void>;

  send(entries: readonly AuditEntry[]): void {
    if (this.closed || entries.length === 0) return;
    try {
      for (const e of entries) this.queue.push(this.format(e));
      const over = this.queue.length - this.#maxQueue;
      if (over > 0) {
        this.queue.splice(0, over);
        this.#dropped += over;
        this.#onDrop?.(over);
        this.#report(null, `audit forward queue full: dropped ${over} oldest records`);
      }
      this.pump();
    } catch (err) {
      this.#report(err, 'audit forward failed');
    }
  }

  stats(): ForwarderStats {
    return { queued: this.queue.length, sent: this.#sent, dropped: this.#dropped, errors: this.#errors };
  }

  protected takeBatch(): string[] {
    return this.queue.splice(0, WRITE_BATCH);
  }

  protected sent(n: number): void {
    this.#sent += n;
  }

  protected failed(err: unknown, msg: string): void {
    this.#errors++;
    this.#report(err, msg);
  }

  /** Logs at most once every 10 s so a dead receiver does not flood the log. */
  #report(err: unknown, msg: string): void {
    const now = Date.now();
    if (now - this.#lastErrorLog < 10_000) return;
    this.#lastErrorLog = now;
    const where = this.target.kind === 'jsonl' ? this.target.path : `${this.target.transport}://${this.target.host}:${this.target.port}`;
    this.log.warn({ err, target: where, ...this.stats() }, msg);
  }

  protected nextBackoff(): number {
    const d = this.backoffMs;
    this.backoffMs = Math.min(BACKOFF_MAX_MS, this.backoffMs * 2);
    return d;
  }

  /** Bytes or messages handed to the transport and not yet written out. */
  protected abstract inFlight(): number;

  async close(timeoutMs = 3000): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.pump();
    const deadline = Date.now() + timeoutMs;
    while ((this.queue.length > 0 || this.inFlight() > 0) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
    const lost = this.queue.length;
    if (lost > 0) this.log.error({ lost }, 'audit forward closed with undelivered records');
    this.closed = true;
    this.queue = [];
    await this.shutdown();
  }
}

class JsonlForwarder extends QueueForwarder {
  readonly #path: string;
  #stream: WriteStream | undefined;
  #waitingDrain = false;
  #retry: NodeJS.Timeout | undefined;

  constructor(target: Extract<ForwardTarget, { kind: 'jsonl' }>, options: ForwarderOptions) {
    super(target, options);
    this.#path = target.path;
    // Open now so a bad path fails at startup with a clear message.
    let fd: number;
    try {
      fd = openSync(this.#path, 'a');
    } catch (err) {
      throw new AuditForwardError(`auditForward jsonl:${this.#path}: cannot open for appending: ${(err as Error).message}`);
    }
    this.#open(fd);
  }

  #open(fd?: number): void {
    const stream = fd === undefined ? createWriteStream(this.#path, { flags: 'a' }) : createWriteStream('', { fd, flags: 'a' });
    stream.on('error', (err) => {
      this.failed(err, 'audit forward file write failed');
      if (this.#stream === stream) this.#stream = undefined;
      this.#waitingDrain = false;
      stream.destroy();
      if (!this.closed) {
        this.#retry = setTimeout(() => {
          this.#retry = undefined;
          if (this.closed) return;
          this.#open();
          this.pump();
        }, this.nextBackoff());
        this.#retry.unref();
      }
    });
    stream.on('drain', () => {
      this.#waitingDrain = false;
      this.pump();
    });
    this.#stream = stream;
  }

  protected format(entry: AuditEntry): string {
    return formatJsonLine(entry);
  }

  protected pump(): void {
    const stream = this.#stream;
    if (!stream || this.#waitingDrain) return;
    while (this.queue.length > 0) {
      const batch = this.takeBatch();
      const ok = stream.write(batch.join(''));
      this.backoffMs = BACKOFF_MIN_MS;
      this.sent(batch.length);
      if (!ok) {
        this.#waitingDrain = true;
        return;
      }
    }
  }

  protected inFlight(): number {
    return this.#stream?.writableLength ?? 0;
  }


  protected async shutdown(): Promise<void> {
    clearTimeout(this.#retry);
    const s = this.#stream;
    this.#stream = undefined;
    if (!s) return;
    await new Promise<void>((resolve) => {
      s.once('close', () => resolve());
      s.once('error', () => resolve());
      s.end();
    });
  }
}

class UdpSyslogForwarder extends QueueForwarder {
  readonly #host: string;
  readonly #port: number;
  #socket: dgram.Socket | undefined;
  #connecting = false;
  #pending = 0;
  #retry: NodeJS.Timeout | undefined;

  constructor(target: Extract<ForwardTarget, { kind: 'syslog' }>, options: ForwarderOptions) {
    super(target, options);
    this.#host = target.host;
    this.#port = target.port;
    this.#connect();
  }

  protected format(entry: AuditEntry): string {
    return formatSyslog(entry, { hostname: this.hostname });
  }

  #connect(): void {
    if (this.closed || this.#connecting) return;
    this.#connecting = true;
    void (async () => {
      try {
        const { address, family } = await lookup(this.#host);
        if (this.closed) return;
        const socket = dgram.createSocket(family === 6 ? 'udp6' : 'udp4');
        socket.unref();
        // After connect, ICMP "port unreachable" surfaces as send errors,
        // which are counted; the socket stays usable.
        socket.on('error', (err) => this.failed(err, 'audit forward (syslog/udp) socket error'));
        await new Promise<void>((resolve, reject) => {
          socket.once('error', reject);
          socket.connect(this.#port, address, () => {
            socket.off('error', reject);
            resolve();
          });
        });
        if (this.closed) {
          socket.close();
          return;
        }
        this.#socket = socket;
        this.backoffMs = BACKOFF_MIN_MS;
        this.pump();
      } catch (err) {
        this.failed(err, 'audit forward (syslog/udp) cannot reach the receiver');
        this.#retry = setTimeout(() => this.#connect(), this.nextBackoff());
        this.#retry.unref();
      } finally {
        this.#connecting = false;
      }
    })();
  }

  protected pump(): void {
    const socket = this.#socket;
    if (!socket) return;
    while (this.queue.length > 0) {
      const batch = this.takeBatch();
      for (const msg of batch) {
        this.#pending++;
        socket.send(msg, (err) => {
          this.#pending--;
          if (err) this.failed(err, 'audit forward (syslog/udp) send failed');
        });
      }
      this.sent(batch.length);
    }
  }

  protected inFlight(): number {
    return this.#pending;
  }

  protected async shutdown(): Promise<void> {
    clearTimeout(this.#retry);
    const s = this.#socket;
    this.#socket = undefined;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }
}

class TcpSyslogForwarder extends QueueForwarder {
  readonly #host: string;
  readonly #port: number;
  #socket: net.Socket | undefined;
  #connected = false;
  #waitingDrain = false;
  #retry: NodeJS.Timeout | undefined;

  constructor(target: Extract<ForwardTarget, { kind: 'syslog' }>, options: ForwarderOptions) {
    super(target, options);
    this.#host = target.host;
    this.#port = target.port;
    this.#connect();
  }

  /** RFC 6587 octet counting: `MSG-LEN SP SYSLOG-MSG`. */
  protected format(entry: AuditEntry): string {
    const msg = formatSyslog(entry, { hostname: this.hostname });
    return `${Buffer.byteLength(msg)} ${msg}`;
  }

  #connect(): void {
    if (this.closed) return;
    const socket = net.connect({ host: this.#host, port: this.#port });
    socket.unref();
    socket.setKeepAlive(true, 30_000);
    socket.setNoDelay(true);
    this.#socket = socket;
    socket.on('connect', () => {
      this.#connected = true;
      this.backoffMs = BACKOFF_MIN_MS;
      this.pump();
    });
    socket.on('drain', () => {
      this.#waitingDrain = false;
      this.pump();
    });
    // The receiver never talks back; discard anything it sends.
    socket.on('data', () => {});
    socket.on('error', (err) => this.failed(err, 'audit forward (syslog/tcp) connection error'));
    socket.on('close', () => {
      this.#connected = false;
      this.#waitingDrain = false;
      if (this.#socket === socket) this.#socket = undefined;
      if (this.closed) return;
      this.#retry = setTimeout(() => this.#connect(), this.nextBackoff());
      this.#retry.unref();
    });
  }

  protected pump(): void {
    const socket = this.#socket;
    if (!socket || !this.#connected || this.#waitingDrain) return;
    while (this.queue.length > 0) {
      const batch = this.takeBatch();
      const ok = socket.write(batch.join(''));
      this.sent(batch.length);
      if (!ok) {
        this.#waitingDrain = true;
        return;
      }
    }
  }

  protected inFlight(): number {
    return this.#socket && this.#connected ? this.#socket.writableLength : 0;
  }


  protected async shutdown(): Promise<void> {
    clearTimeout(this.#retry);
    const s = this.#socket;
    this.#socket = undefined;
    if (!s || s.destroyed) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        s.destroy();
        resolve();
      }, 2000);
      s.once('close', () => {
        clearTimeout(t);
        resolve();
      });
      s.end();
    });
  }
}
