/**
 * GET /api/v1/stream: domain events as server-sent events, for the web UI's
 * live views and for scripts. Each caller hears only the events of projects
 * it may read (administrators hear everything), filtered by `?types=` globs.
 *
 * Every process listens to the bus from the start (EventBus.on hears events
 * committed by any process: PostgreSQL NOTIFY, SQLite tailing), so a stream
 * on one process sees what another process published. `id:` is the event id;
 * a client reconnecting with Last-Event-ID gets what it missed from the
 * `domain_events` table while it is kept (an `event: reset` tells it to
 * reload when it is not). Bounded: a few streams per account, and a client
 * that does not read is dropped rather than buffered for without limit (it
 * reconnects and resumes). Streams end when the server shuts down.
 */
import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, type Registry } from 'prom-client';
import { z } from 'zod';
import { AccessError } from '../../access/errors.ts';
import type { Permission } from '../../access/permissions.ts';
import type { Principal } from '../../access/principal.ts';
import type { AccessServices } from '../../access/services.ts';
import type { DomainEvent, DomainEventType, EventBus } from '../../platform/events/types.ts';
import type { ApiRouter } from './router.ts';

/** What a stream offers: every event type but `artifact.pulled` (one per pull; recorded only when wanted). */
export const STREAM_EVENT_TYPES = [
  'application.status_changed', 'application.operation_updated', 'application.synced', 'application.sync_failed', 'application.health_changed', 'application.deployed',
  'artifact.pushed', 'artifact.deleted', 'artifact.scanned', 'artifact.scan_failed', 'artifact.signature_verified', 'tag.created', 'tag.moved', 'tag.deleted',
  'project.created', 'project.updated', 'project.deleted',
  'robot.created', 'robot.deleted', 'robot.expiring', 'robot.expired',
] as const satisfies readonly DomainEventType[];
type StreamEventType = (typeof STREAM_EVENT_TYPES)[number];

/** The permission on the event's project that reading an event of each family needs. */
const READ_PERMISSION: Record<string, Permission> = { application: 'application:read', artifact: 'artifact:read', tag: 'artifact:read', project: 'project:read', robot: 'robot:list' };

export const HEARTBEAT_MS = 15_000;
/** Reconnection delay advised to clients (`retry:`). */
const RETRY_MS = 3_000;
export const MAX_STREAMS_PER_ACCOUNT = 8;
const MAX_STREAMS = 1_000;
/** Bytes waiting for a client's socket before it is dropped as too slow. */
const MAX_BUFFERED_BYTES = 1 << 20;
const MAX_QUEUED_EVENTS = 1_000;
const REPLAY_LIMIT = 1_000;

export interface StreamBus {
  on: EventBus['on'];
  after(id: string, types: readonly DomainEventType[], limit?: number): Promise<DomainEvent[] | undefined>;
}

interface Client {
  principal: Principal;
  account: string;
  /** The session cookie of a browser stream, re-checked at each heartbeat: sign-out or expiry ends the stream. */
  sessionCookie: string | undefined;
  types: ReadonlySet<StreamEventType>;
  raw: ServerResponse;
  /** Live events held while the replay runs (undefined once live). */
  held: DomainEvent[] | undefined;
  /** Events delivered in order: each waits for the previous one's permission check. */
  chain: Promise<void>;
  queued: number;
  closed: boolean;
}

/** Parses `?types=` globs (`application.*`, `artifact.pushed`) into the offered types they match. */
export function parseTypes(value: string | undefined): Set<StreamEventType> {
  if (value === undefined || value.trim() === '') return new Set(STREAM_EVENT_TYPES);
  const out = new Set<StreamEventType>();
  for (const raw of value.split(',')) {
    const glob = raw.trim();
    if (!/^[a-z_.*]{1,64}$/.test(glob)) throw new AccessError('BAD_REQUEST', `query.types: ${JSON.stringify(glob)} is not an event type or a glob such as application.*`);
    const re = new RegExp(`^${glob.replace(/\./g, '\\.').replace(/\*/g, '[a-z_.]*')}$`);
    const matched = STREAM_EVENT_TYPES.filter((t) => re.test(t));
    if (matched.length === 0) throw new AccessError('BAD_REQUEST', `query.types: ${JSON.stringify(glob)} matches no event type; offered: ${STREAM_EVENT_TYPES.join(', ')}`);
    for (const t of matched) out.add(t);
  }
  return out;
}

export class EventStreams {
  readonly #access: AccessServices;
  readonly #bus: StreamBus;
  readonly #clients = new Set<Client>();
  readonly #open: Gauge;
  readonly #dropped: Counter;
  #heartbeat: NodeJS.Timeout | undefined;

  constructor(app: FastifyInstance, access: AccessServices, bus: StreamBus, metrics?: Registry) {
    this.#access = access;
    this.#bus = bus;
    const registers = metrics ? [metrics] : [];
    this.#open = new Gauge({ name: 'berth_api_event_streams', help: 'Open /api/v1/stream connections', registers });
    this.#dropped = new Counter({ name: 'berth_api_event_streams_dropped_total', help: 'Event streams closed because the client did not read fast enough', registers });
    // Registered at start in every process: publishers then always notify, so any process's stream hears any process's events.
    bus.on(STREAM_EVENT_TYPES, (event) => {
      for (const c of this.#clients) this.#offer(c, event);
    });
    app.addHook('preClose', (done) => {
      this.close();
      done();
    });
  }

  get size(): number {
    return this.#clients.size;
  }

  register(api: ApiRouter): void {
    api.route({
      method: 'GET',
      path: '/stream',
      tag: 'stream',
      summary: `Domain events you may read, as server-sent events (text/event-stream): \`id:\` is the event id, \`event:\` its type, \`data:\` the event as JSON ({id, type, occurredAt, actor, data}). types: comma-separated types or globs (application.*). Last-Event-ID (header, or lastEventId) resumes after that event while it is kept, else \`event: reset\` says to reload. A comment every ${HEARTBEAT_MS / 1000} s; at most ${MAX_STREAMS_PER_ACCOUNT} streams per account (429); a client that does not read is disconnected`,
      auth: 'user',
      query: z.object({ types: z.string().max(1024).optional(), lastEventId: z.string().max(64).optional() }),
      response: z.string().describe('server-sent events: `id:`, `event:` (the type), `data:` (the event as JSON); comments start with `:`'),
      responseType: 'text/event-stream',
      handler: async ({ principal, query, req, reply }) => {
        const types = parseTypes(query.types);
        const account = `${principal.kind}:${principal.name}`;
        let mine = 0;
        for (const c of this.#clients) if (c.account === account) mine++;
        if (mine >= MAX_STREAMS_PER_ACCOUNT) throw new AccessError('TOO_MANY_REQUESTS', `at most ${MAX_STREAMS_PER_ACCOUNT} event streams per account; close another one first`, { retryAfterSeconds: 5 });
        if (this.#clients.size >= MAX_STREAMS) throw new AccessError('TOO_MANY_REQUESTS', 'too many event streams on this server; try again later', { retryAfterSeconds: 30 });
        const header = req.headers['last-event-id'];
        const lastEventId = (typeof header === 'string' && header.length <= 64 ? header : undefined) ?? query.lastEventId;

        reply.hijack();
        const raw = reply.raw;
        raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', 'x-accel-buffering': 'no', connection: 'keep-alive' });
        raw.socket?.setNoDelay(true);
        const sessionCookie = req.headers.authorization === undefined ? req.headers.cookie : undefined;
        const client: Client = { principal, account, sessionCookie, types, raw, held: lastEventId ? [] : undefined, chain: Promise.resolve(), queued: 0, closed: false };
        this.#clients.add(client);
        this.#open.set(this.#clients.size);
        this.#ensureHeartbeat();
        raw.on('close', () => this.#remove(client));
        raw.write(`retry: ${RETRY_MS}\n: connected\n\n`);
        if (lastEventId) void this.#replay(client, lastEventId).catch((err: unknown) => {
          req.log.warn({ err }, 'replaying events to a stream failed');
          this.#end(client);
        });
      },
    });
  }

  /** Ends every stream (server shutdown). */
  close(): void {
    clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
    for (const c of [...this.#clients]) this.#end(c);
  }

  async #replay(client: Client, lastEventId: string): Promise<void> {
    const missed = await this.#bus.after(lastEventId, [...client.types], REPLAY_LIMIT);
    if (client.closed) return;
    const held = client.held ?? [];
    client.held = undefined;
    if (missed === undefined || missed.length === REPLAY_LIMIT) {
      // Too old or too many: the client reloads its state, then follows live events.
      this.#write(client, `event: reset\ndata: ${JSON.stringify({ reason: missed === undefined ? 'the last event id is no longer kept' : `more than ${REPLAY_LIMIT} events were missed` })}\n\n`);
    } else {
      for (const e of missed) this.#offer(client, e);
    }
    const sent = new Set((missed ?? []).map((e) => e.id));
    for (const e of held) if (!sent.has(e.id)) this.#offer(client, e);
  }

  #offer(client: Client, event: DomainEvent): void {
    if (client.closed || !client.types.has(event.type as StreamEventType)) return;
    if (client.held) {
      if (client.held.length >= MAX_QUEUED_EVENTS) return this.#drop(client);
      client.held.push(event);
      return;
    }
    if (client.queued >= MAX_QUEUED_EVENTS) return this.#drop(client);
    client.queued++;
    client.chain = client.chain
      .then(async () => {
        if (!client.closed && (await this.#mayRead(client.principal, event))) {
          this.#write(client, `id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
        }
      })
      .catch(() => this.#end(client))
      .finally(() => client.queued--);
  }

  async #mayRead(principal: Principal, event: DomainEvent): Promise<boolean> {
    if (principal.admin) return true;
    const project = (event.data as { project?: unknown }).project;
    const permission = READ_PERMISSION[event.type.slice(0, event.type.indexOf('.'))];
    // Events of no project (system robots) are for administrators only.
    if (typeof project !== 'string' || !permission) return false;
    return this.#access.authorizer.can(principal, project, permission);
  }

  #write(client: Client, chunk: string): void {
    if (client.closed) return;
    client.raw.write(chunk);
    // Backpressure: a client that does not read is dropped; it resumes with Last-Event-ID.
    if (client.raw.writableLength > MAX_BUFFERED_BYTES) this.#drop(client);
  }

  #drop(client: Client): void {
    this.#dropped.inc();
    client.raw.destroy();
    this.#remove(client);
  }

  #end(client: Client): void {
    if (!client.closed) client.raw.end();
    this.#remove(client);
  }

  #remove(client: Client): void {
    client.closed = true;
    client.held = undefined;
    if (!this.#clients.delete(client)) return;
    this.#open.set(this.#clients.size);
    if (this.#clients.size === 0) {
      clearInterval(this.#heartbeat);
      this.#heartbeat = undefined;
    }
  }

  #ensureHeartbeat(): void {
    if (this.#heartbeat) return;
    this.#heartbeat = setInterval(() => void this.#beat(), HEARTBEAT_MS);
    this.#heartbeat.unref();
  }

  /**
   * A comment keeps proxies from closing an idle stream; an account disabled or deleted meanwhile loses its
   * streams, and so does a browser stream whose session ended (signed out or expired).
   */
  async #beat(): Promise<void> {
    for (const c of [...this.#clients]) {
      const current =
        c.sessionCookie !== undefined && this.#access.sessions
          ? await this.#access.sessions.principalOf({ headers: { cookie: c.sessionCookie, 'x-berth-csrf': '1' } }).catch(() => undefined)
          : await this.#access.identity.current(c.principal).catch(() => undefined);
      if (!current) this.#end(c);
      else {
        c.principal = current;
        this.#write(c, ': heartbeat\n\n');
      }
    }
  }
}
