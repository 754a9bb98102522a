/**
 * The Kubernetes API client of the delivery engine: one undici Pool per
 * cluster (keep-alive TLS connections, optionally HTTP/2 multiplexing), a
 * token-bucket rate limiter (client-go's qps/burst), discovery with caching
 * and refresh on a miss (aggregated discovery v2 with a legacy fallback),
 * server-side apply, replace, delete, paged list and a streaming watch.
 *
 * Errors are KubeApiError: `status` is the HTTP status (0 when the server
 * could not be reached or timed out), `reason` the Kubernetes Status reason.
 * Messages never include credentials.
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { StringDecoder } from 'node:string_decoder';
import { Pool } from 'undici';
import { DomainError, type DomainErrorKind } from '../../core/errors.ts';
import type { ApplyOptions, KubeClient, KubeObject, PropagationPolicy, ResourceType } from '../types.ts';
import type { KubeConnection } from './kubeconfig.ts';

/**
 * A cluster's answer as a DomainError: what the object asked for is wrong
 * (400, 422: `invalid`), missing (404) or clashing (409); the cluster refusing
 * Berth's own credentials (401, 403) is `forbidden`; throttling is
 * `rate_limited`; no answer (status 0) or a server error is `unavailable`.
 */
export function kubeErrorKind(status: number): DomainErrorKind {
  if (status === 404 || status === 410) return 'not_found';
  if (status === 409) return 'conflict';
  if (status === 401 || status === 403) return 'forbidden';
  if (status === 429) return 'rate_limited';
  if (status === 412) return 'precondition_failed';
  if (status >= 400 && status < 500) return 'invalid';
  return 'unavailable';
}

export class KubeApiError extends DomainError {
  override name = 'KubeApiError';
  status: number;
  reason: string;
  constructor(status: number, reason: string, message: string, details?: unknown) {
    super(kubeErrorKind(status), message, details === undefined ? {} : { details });
    this.status = status;
    this.reason = reason;
  }
}

/** True for 410 Gone / Expired (a watch or continue token too old). */
export function isGone(err: unknown): boolean {
  return err instanceof KubeApiError && (err.status === 410 || err.reason === 'Expired' || err.reason === 'Gone');
}

export interface KubeClientOptions {
  /** Sustained requests per second (watches excluded); default 50; 0 or Infinity = unlimited. */
  qps?: number;
  /** Requests allowed in a burst above qps; default 100. */
  burst?: number;
  /** Per-request timeout (headers and body idle), default 30 s. */
  timeoutMs?: number;
  /** Connections for ordinary requests; default 32 (HTTP/1.1) or 1 (HTTP/2). */
  connections?: number;
  /**
   * Multiplex requests over one HTTP/2 connection (TLS servers only). Default
   * false: against a local kube-apiserver it measured no better than the
   * HTTP/1.1 keep-alive pool (bench/kube-apply.ts), which also isolates slow requests.
   */
  http2?: boolean;
  /** Page size for list(); default 500. */
  pageSize?: number;
  userAgent?: string;
}

export type WatchEventKind = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';
export interface WatchEvent {
  type: WatchEventKind;
  object: KubeObject;
}

export interface WatchOptions {
  /** Start after this version ('' or absent: the server sends the current state as ADDED first). */
  resourceVersion?: string;
  namespace?: string;
  labelSelector?: string;
  signal?: AbortSignal;
  /** Default true. */
  allowWatchBookmarks?: boolean;
  /** Server closes the stream after this; default a random 300–600 s, as client-go. */
  timeoutSeconds?: number;
}

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  /** Page size (limit/continue); default the client's pageSize. */
  limit?: number;
}

/** A KubeClient plus what the live-state cache and tools need. */
export interface BerthKubeClient extends KubeClient {
  list(type: ResourceType, options?: ListOptions): Promise<{ items: KubeObject[]; resourceVersion: string }>;
  /**
   * Streams watch events to `onEvent` until the server ends the stream
   * (resolves), `signal` aborts (resolves) or an error: HTTP errors and
   * ERROR events reject with KubeApiError (410 Gone: see isGone).
   */
  watch(type: ResourceType, options: WatchOptions, onEvent: (event: WatchEvent) => void): Promise<void>;
  /** Every resource type the server serves (all versions), after a refresh if `refresh`. */
  resourceTypes(options?: { refresh?: boolean }): Promise<ResourceType[]>;
  /** Drops the discovery cache. */
  invalidateDiscovery(): void;
  /** Counters since creation: API requests sent (watches excluded), retries, watch streams opened. */
  metrics(): { requests: number; retries: number; watches: number };
  /** Closes all connections (watches end). */
  close(): Promise<void>;
}

/** Token bucket: tokens may go negative, each caller waits for its own reservation (FIFO). */
export class TokenBucket {
  private tokens: number;
  private last = performance.now();
  private readonly qps: number;
  private readonly burst: number;
  constructor(qps: number, burst: number) {
    this.qps = qps;
    this.burst = Math.max(1, burst);
    this.tokens = this.burst;
  }
  get unlimited(): boolean {
    return !(this.qps > 0) || this.qps === Infinity;
  }
  /** Resolves when the caller may send; undefined when it may send now. */
  take(): Promise<void> | undefined {
    if (this.unlimited) return undefined;
    const now = performance.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.qps) / 1000);
    this.last = now;
    this.tokens -= 1;
    if (this.tokens >= 0) return undefined;
    return sleep((-this.tokens * 1000) / this.qps);
  }
}

const DISCOVERY_ACCEPT =
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';

const RETRYABLE_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf('/');
  return i < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

export function apiVersionOf(type: Pick<ResourceType, 'group' | 'version'>): string {
  return type.group === '' ? type.version : `${type.group}/${type.version}`;
}

function basePath(t: ResourceType): string {
  return t.group === '' ? `/api/${t.version}` : `/apis/${t.group}/${t.version}`;
}

export function collectionPath(t: ResourceType, namespace?: string): string {
  const ns = t.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${basePath(t)}${ns}/${t.resource}`;
}

function objectPath(t: ResourceType, namespace: string, name: string): string {
  return `${collectionPath(t, namespace)}/${encodeURIComponent(name)}`;
}

function queryString(q: Record<string, string | number | boolean | undefined>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') parts.push(`${k}=${encodeURIComponent(String(v))}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

function errorFromStatus(status: number, body: unknown, fallback: string): KubeApiError {
  const s = body as { kind?: string; reason?: string; message?: string; details?: unknown; code?: number } | undefined;
  if (s && typeof s === 'object' && s.kind === 'Status') {
    return new KubeApiError(s.code || status, s.reason || reasonForStatus(s.code || status), s.message || fallback, s.details);
  }
  return new KubeApiError(status, reasonForStatus(status), fallback);
}

function reasonForStatus(status: number): string {
  const reasons: Record<number, string> = {
    400: 'BadRequest',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'NotFound',
    405: 'MethodNotAllowed',
    409: 'Conflict',
    410: 'Gone',
    415: 'UnsupportedMediaType',
    422: 'Invalid',
    429: 'TooManyRequests',
    500: 'InternalError',
    503: 'ServiceUnavailable',
    504: 'Timeout',
  };
  return reasons[status] ?? 'Unknown';
}

interface RequestSpec {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  body?: unknown;
  contentType?: string;
  accept?: string;
}

interface DiscoveryState {
  /** `${apiVersion}/${kind}` → type */
  byVersionKind: Map<string, ResourceType>;
  all: ResourceType[];
  at: number;
}

class HttpKubeClient implements BerthKubeClient {
  readonly server: string;
  private readonly connection: KubeConnection;
  private readonly pool: Pool;
  private readonly watchPool: Pool;
  private readonly limiter: TokenBucket;
  private readonly timeoutMs: number;
  private readonly pageSize: number;
  private readonly userAgent: string;
  private token: string | undefined;
  private tokenReadAt = 0;
  private discovery: DiscoveryState | undefined;
  private discoveryInFlight: Promise<DiscoveryState> | undefined;
  private closed = false;
  private readonly counters = { requests: 0, retries: 0, watches: 0 };

  constructor(connection: KubeConnection, options: KubeClientOptions = {}) {
    this.connection = connection;
    this.server = connection.server;
    const url = new URL(connection.server);
    const origin = url.origin;
    const tls = url.protocol === 'https:';
    const http2 = tls && options.http2 === true;
    const connect = tls
      ? {
          ca: connection.caData,
          cert: connection.clientCertData,
          key: connection.clientKeyData,
          rejectUnauthorized: !connection.insecureSkipTlsVerify,
          servername: connection.tlsServerName ?? (isIp(url.hostname) ? undefined : url.hostname),
        }
      : undefined;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.pool = new Pool(origin, {
      connections: options.connections ?? (http2 ? 1 : 32),
      pipelining: 1,
      keepAliveTimeout: 60_000,
      keepAliveMaxTimeout: 600_000,
      allowH2: http2,
      connect,
    });
    // Watches hold their connection for minutes: their own pool, unbounded.
    this.watchPool = new Pool(origin, { connections: null, pipelining: 1, allowH2: http2, keepAliveTimeout: 60_000, connect });
    this.limiter = new TokenBucket(options.qps ?? 50, options.burst ?? 100);
    this.pageSize = options.pageSize ?? 500;
    this.userAgent = options.userAgent ?? 'berth/0.1';
    this.token = connection.bearerToken;
    this.tokenReadAt = Date.now();
  }

  private bearer(): string | undefined {
    const file = this.connection.bearerTokenFile;
    if (file && Date.now() - this.tokenReadAt > 60_000) {
      this.tokenReadAt = Date.now();
      try {
        this.token = readFileSync(file, 'utf8').trim();
      } catch {
        // keep the last token
      }
    }
    return this.token;
  }

  private headers(contentType?: string, accept = 'application/json'): Record<string, string> {
    const h: Record<string, string> = { accept, 'user-agent': this.userAgent };
    if (contentType) h['content-type'] = contentType;
    const token = this.bearer();
    if (token) h.authorization = `Bearer ${token}`;
    return h;
  }

  /** One API call: rate limited, retried on 429 and (unless POST) on connection errors. */
  private async call<T = unknown>(spec: RequestSpec, allow404 = false): Promise<{ status: number; body: T | undefined }> {
    if (this.closed) throw new KubeApiError(0, 'ClientClosed', 'the Kubernetes client is closed');
    const payload = spec.body === undefined ? undefined : JSON.stringify(spec.body);
    for (let attempt = 0; ; attempt++) {
      const wait = this.limiter.take();
      if (wait) await wait;
      let statusCode: number;
      let text: string;
      let retryAfter: string | string[] | undefined;
      this.counters.requests++;
      if (attempt > 0) this.counters.retries++;
      try {
        const res = await this.pool.request({
          method: spec.method,
          path: spec.path,
          headers: this.headers(spec.contentType, spec.accept),
          body: payload,
          headersTimeout: this.timeoutMs,
          bodyTimeout: this.timeoutMs,
        });
        statusCode = res.statusCode;
        retryAfter = res.headers['retry-after'];
        text = await res.body.text();
      } catch (err) {
        const code = (err as { code?: string }).code ?? '';
        if (attempt < 2 && spec.method !== 'POST' && RETRYABLE_CODES.has(code) && !this.closed) {
          await sleep(50 * (attempt + 1));
          continue;
        }
        throw transportError(err, spec, this.server);
      }
      let body: unknown;
      if (text.length > 0) {
        try {
          body = JSON.parse(text);
        } catch {
          body = undefined;
        }
      }
      if (statusCode < 400) return { status: statusCode, body: body as T };
      if (statusCode === 404 && allow404) return { status: 404, body: undefined };
      if (statusCode === 429 && attempt < 5) {
        const seconds = Number(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter);
        await sleep(Math.min(10_000, Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 200 * (attempt + 1)));
        continue;
      }
      throw errorFromStatus(statusCode, body, `${spec.method} ${spec.path.split('?')[0]}: HTTP ${statusCode}`);
    }
  }

  // ------------------------------------------------------------ discovery

  async resourceType(apiVersion: string, kind: string): Promise<ResourceType> {
    const key = `${apiVersion}/${kind}`;
    const cached = this.discovery?.byVersionKind.get(key);
    if (cached) return cached;
    const fresh = await this.refreshDiscovery(this.discovery?.at);
    const found = fresh.byVersionKind.get(key);
    if (found) return found;
    throw new KubeApiError(404, 'NotFound', `the server has no resource type for kind ${kind} in ${apiVersion}`);
  }

  async resourceTypes(options: { refresh?: boolean } = {}): Promise<ResourceType[]> {
    const d = options.refresh || !this.discovery ? await this.refreshDiscovery(this.discovery?.at) : this.discovery;
    return d.all;
  }

  invalidateDiscovery(): void {
    this.discovery = undefined;
  }

  /** Single flight: callers that saw the state of `seenAt` share one refresh. */
  private refreshDiscovery(seenAt: number | undefined): Promise<DiscoveryState> {
    if (this.discoveryInFlight) return this.discoveryInFlight;
    if (this.discovery && seenAt !== undefined && this.discovery.at > seenAt) return Promise.resolve(this.discovery);
    const p = this.loadDiscovery().then(
      (d) => {
        this.discovery = d;
        this.discoveryInFlight = undefined;
        return d;
      },
      (err: unknown) => {
        this.discoveryInFlight = undefined;
        throw err;
      },
    );
    this.discoveryInFlight = p;
    return p;
  }

  private async loadDiscovery(): Promise<DiscoveryState> {
    const types: ResourceType[] = [];
    const [core, groups] = await Promise.all([
      this.call<Record<string, unknown>>({ method: 'GET', path: '/api', accept: DISCOVERY_ACCEPT }),
      this.call<Record<string, unknown>>({ method: 'GET', path: '/apis', accept: DISCOVERY_ACCEPT }),
    ]);
    for (const doc of [core.body, groups.body]) {
      if (doc?.kind === 'APIGroupDiscoveryList') types.push(...fromAggregated(doc));
      else if (doc?.kind === 'APIVersions') {
        for (const v of (doc.versions as string[] | undefined) ?? []) types.push(...(await this.legacyGroupVersion('', v)));
      } else if (doc?.kind === 'APIGroupList') {
        const gvs = ((doc.groups as { name: string; versions: { version: string }[] }[] | undefined) ?? []).flatMap((g) =>
          g.versions.map((v) => ({ group: g.name, version: v.version })),
        );
        const lists = await Promise.all(gvs.map((gv) => this.legacyGroupVersion(gv.group, gv.version).catch(() => [] as ResourceType[])));
        for (const l of lists) types.push(...l);
      }
    }
    const byVersionKind = new Map<string, ResourceType>();
    for (const t of types) {
      const k = `${apiVersionOf(t)}/${t.kind}`;
      if (!byVersionKind.has(k)) byVersionKind.set(k, t);
    }
    return { byVersionKind, all: types, at: performance.now() };
  }

  private async legacyGroupVersion(group: string, version: string): Promise<ResourceType[]> {
    const path = group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
    const res = await this.call<{ resources?: { name: string; kind: string; namespaced: boolean; verbs?: string[] }[] }>({ method: 'GET', path });
    return (res.body?.resources ?? [])
      .filter((r) => !r.name.includes('/'))
      .map((r) => ({ group, version, kind: r.kind, resource: r.name, namespaced: r.namespaced, verbs: r.verbs ?? [] }));
  }

  // ------------------------------------------------------------ objects

  private target(type: ResourceType, obj: KubeObject): { namespace: string; name: string } {
    const name = obj.metadata?.name;
    if (!name) throw new KubeApiError(400, 'BadRequest', `${obj.kind} has no metadata.name`);
    const namespace = type.namespaced ? obj.metadata.namespace || this.connection.namespace || 'default' : '';
    return { namespace, name };
  }

  /** The body to send: namespace filled in for namespaced kinds, removed for cluster-scoped ones. */
  private body(type: ResourceType, obj: KubeObject, namespace: string): KubeObject {
    if (type.namespaced ? obj.metadata.namespace === namespace : obj.metadata.namespace === undefined) return obj;
    const metadata = { ...obj.metadata };
    if (type.namespaced) metadata.namespace = namespace;
    else delete metadata.namespace;
    return { ...obj, metadata };
  }

  async apply(obj: KubeObject, options: ApplyOptions = {}): Promise<KubeObject> {
    const type = await this.resourceType(obj.apiVersion, obj.kind);
    const { namespace, name } = this.target(type, obj);
    const q = queryString({
      fieldManager: options.fieldManager ?? 'berth',
      force: options.force === false ? undefined : 'true',
      dryRun: options.dryRun ? 'All' : undefined,
    });
    const res = await this.call<KubeObject>({
      method: 'PATCH',
      path: objectPath(type, namespace, name) + q,
      body: this.body(type, obj, namespace),
      contentType: 'application/apply-patch+yaml',
    });
    return res.body!;
  }

  async replace(obj: KubeObject, options: { dryRun?: boolean } = {}): Promise<KubeObject> {
    const type = await this.resourceType(obj.apiVersion, obj.kind);
    const { namespace, name } = this.target(type, obj);
    const q = queryString({ fieldManager: 'berth', dryRun: options.dryRun ? 'All' : undefined });
    for (let attempt = 0; ; attempt++) {
      let body = this.body(type, obj, namespace);
      if (!obj.metadata.resourceVersion) {
        // Custom resources refuse unconditional updates: replace the version we just read.
        const live = await this.call<KubeObject>({ method: 'GET', path: objectPath(type, namespace, name) }, true);
        if (live.status === 404) {
          try {
            const created = await this.call<KubeObject>({ method: 'POST', path: collectionPath(type, namespace) + q, body, contentType: 'application/json' });
            return created.body!;
          } catch (err) {
            if (err instanceof KubeApiError && err.status === 409 && attempt < 3) continue; // created meanwhile
            throw err;
          }
        }
        body = { ...body, metadata: { ...body.metadata, resourceVersion: live.body!.metadata.resourceVersion } };
      }
      try {
        const res = await this.call<KubeObject>({ method: 'PUT', path: objectPath(type, namespace, name) + q, body, contentType: 'application/json' });
        return res.body!;
      } catch (err) {
        if (err instanceof KubeApiError && !obj.metadata.resourceVersion && attempt < 3 && (err.status === 409 || err.status === 404)) continue;
        throw err;
      }
    }
  }

  async get(apiVersion: string, kind: string, namespace: string, name: string): Promise<KubeObject | undefined> {
    const type = await this.resourceType(apiVersion, kind);
    const ns = type.namespaced ? namespace || this.connection.namespace || 'default' : '';
    const res = await this.call<KubeObject>({ method: 'GET', path: objectPath(type, ns, name) }, true);
    if (res.status === 404 || !res.body) return undefined;
    return withTypeMeta(res.body, type);
  }

  async delete(apiVersion: string, kind: string, namespace: string, name: string, options: { propagationPolicy?: PropagationPolicy } = {}): Promise<boolean> {
    const type = await this.resourceType(apiVersion, kind);
    const ns = type.namespaced ? namespace || this.connection.namespace || 'default' : '';
    const body = options.propagationPolicy ? { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: options.propagationPolicy } : undefined;
    const res = await this.call({ method: 'DELETE', path: objectPath(type, ns, name), body, contentType: body ? 'application/json' : undefined }, true);
    return res.status !== 404;
  }

  async list(type: ResourceType, options: ListOptions = {}): Promise<{ items: KubeObject[]; resourceVersion: string }> {
    const limit = options.limit ?? this.pageSize;
    const base = collectionPath(type, options.namespace);
    for (let restart = 0; ; restart++) {
      const items: KubeObject[] = [];
      let resourceVersion = '';
      let cont: string | undefined;
      try {
        do {
          const q = queryString({ limit: restart > 0 ? undefined : limit, continue: cont, labelSelector: options.labelSelector });
          const res = await this.call<{ items?: KubeObject[]; metadata?: { resourceVersion?: string; continue?: string } }>({ method: 'GET', path: base + q });
          for (const item of res.body?.items ?? []) items.push(withTypeMeta(item, type));
          resourceVersion = res.body?.metadata?.resourceVersion ?? resourceVersion;
          cont = res.body?.metadata?.continue || undefined;
        } while (cont);
        return { items, resourceVersion };
      } catch (err) {
        // An expired continue token: list again in one piece, as client-go's pager does.
        if (cont && isGone(err) && restart === 0) continue;
        throw err;
      }
    }
  }

  async version(): Promise<string> {
    const res = await this.call<{ gitVersion?: string }>({ method: 'GET', path: '/version' });
    return res.body?.gitVersion ?? '';
  }

  // ------------------------------------------------------------ watch

  async watch(type: ResourceType, options: WatchOptions, onEvent: (event: WatchEvent) => void): Promise<void> {
    if (this.closed) throw new KubeApiError(0, 'ClientClosed', 'the Kubernetes client is closed');
    const timeoutSeconds = options.timeoutSeconds ?? 300 + Math.floor(Math.random() * 300);
    const path =
      collectionPath(type, options.namespace) +
      queryString({
        watch: 'true',
        allowWatchBookmarks: options.allowWatchBookmarks === false ? undefined : 'true',
        resourceVersion: options.resourceVersion,
        labelSelector: options.labelSelector,
        timeoutSeconds,
      });
    const { signal } = options;
    if (signal?.aborted) return;
    this.counters.watches++;
    let res;
    try {
      res = await this.watchPool.request({
        method: 'GET',
        path,
        headers: this.headers(),
        signal: signal ?? null,
        headersTimeout: this.timeoutMs,
        // Bookmarks arrive about every minute; a silent stream longer than this is dead.
        bodyTimeout: (timeoutSeconds + 30) * 1000,
      });
    } catch (err) {
      if (signal?.aborted) return;
      throw transportError(err, { method: 'GET', path }, this.server);
    }
    if (res.statusCode >= 400) {
      const text = await res.body.text().catch(() => '');
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      throw errorFromStatus(res.statusCode, body, `watch ${collectionPath(type, options.namespace)}: HTTP ${res.statusCode}`);
    }
    const decoder = new StringDecoder('utf8');
    let buffered = '';
    const handleLine = (line: string): void => {
      if (line.trim() === '') return;
      const ev = JSON.parse(line) as { type: string; object: KubeObject };
      if (ev.type === 'ERROR') throw errorFromStatus(500, ev.object, 'watch error');
      onEvent({ type: ev.type as WatchEventKind, object: withTypeMeta(ev.object, type) });
    };
    try {
      for await (const chunk of res.body) {
        buffered += decoder.write(chunk as Buffer);
        let nl: number;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, nl);
          buffered = buffered.slice(nl + 1);
          handleLine(line);
        }
      }
      handleLine(buffered + decoder.end());
    } catch (err) {
      res.body.destroy();
      if (signal?.aborted) return;
      if (err instanceof KubeApiError) throw err;
      if (err instanceof SyntaxError) throw new KubeApiError(0, 'BadWatchEvent', `watch ${type.resource}: undecodable event`);
      throw transportError(err, { method: 'GET', path }, this.server);
    }
  }

  metrics(): { requests: number; retries: number; watches: number } {
    return { ...this.counters };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([this.pool.destroy(), this.watchPool.destroy()]);
  }
}

function isIp(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':') || host.startsWith('[');
}

/** List items and watch objects of some servers lack apiVersion/kind: fill them in. */
function withTypeMeta(obj: KubeObject, type: ResourceType): KubeObject {
  if (obj.kind && obj.apiVersion) return obj;
  obj.apiVersion ||= apiVersionOf(type);
  obj.kind ||= type.kind;
  return obj;
}

function transportError(err: unknown, spec: { method: string; path: string }, server: string): KubeApiError {
  const e = err as { code?: string; name?: string; message?: string };
  const code = e.code ?? e.name ?? 'Error';
  const timeout = code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT';
  // The path and code only: never headers (the bearer token).
  return new KubeApiError(0, timeout ? 'Timeout' : 'ConnectionError', `${spec.method} ${server}${spec.path.split('?')[0]}: ${code}${e.message && !timeout ? ` (${e.message})` : ''}`);
}

interface AggregatedResource {
  resource: string;
  responseKind?: { group?: string; version?: string; kind?: string };
  scope?: string;
  verbs?: string[];
}

function fromAggregated(doc: Record<string, unknown>): ResourceType[] {
  const out: ResourceType[] = [];
  for (const g of (doc.items as { metadata?: { name?: string }; versions?: { version: string; resources?: AggregatedResource[] }[] }[] | undefined) ?? []) {
    const group = g.metadata?.name ?? '';
    for (const v of g.versions ?? []) {
      for (const r of v.resources ?? []) {
        const kind = r.responseKind?.kind;
        if (!kind) continue;
        out.push({ group, version: v.version, kind, resource: r.resource, namespaced: r.scope === 'Namespaced', verbs: r.verbs ?? [] });
      }
    }
  }
  return out;
}

/** A client for one cluster (see the module comment). */
export function createKubeClient(connection: KubeConnection, options?: KubeClientOptions): BerthKubeClient {
  return new HttpKubeClient(connection, options);
}
