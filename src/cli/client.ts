/** A small client of Berth's /api/v1: JSON in and out, API errors as ApiError. */
import { CliError } from './errors.ts';

export const API_PREFIX = '/api/v1';
const TIMEOUT_MS = 60_000;

/** An error answer of the API: `message` is the API's own. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string | undefined;
  constructor(status: number, code: string | undefined, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

export interface ApiResponse<T> {
  status: number;
  data: T;
  headers: Headers;
  /** X-Total-Count of paged lists. */
  total: number | undefined;
}

export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  headers?: Record<string, string>;
  /**
   * A body sent as it is (a file upload, streamed) instead of JSON; give
   * its media type in `headers`.
   */
  raw?: ReadableStream<Uint8Array> | Uint8Array;
  /** Overrides the 60 s answer timeout (long uploads and imports). */
  timeoutMs?: number;
}

export class Client {
  readonly server: string;
  readonly #authorization: string | undefined;

  /** `authorization` is a whole header value (`Bearer …`, `Basic …`) or undefined. */
  constructor(server: string, authorization: string | undefined) {
    this.server = server;
    this.#authorization = authorization;
  }

  static bearer(server: string, token: string | undefined): Client {
    return new Client(server, token ? `Bearer ${token}` : undefined);
  }

  static basic(server: string, username: string, password: string): Client {
    return new Client(server, `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`);
  }

  get authenticated(): boolean {
    return this.#authorization !== undefined;
  }

  /** `path` is below /api/v1; segments must already be encoded (see `seg`). */
  async request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<ApiResponse<T>> {
    const url = new URL(`${this.server}${API_PREFIX}${path}`);
    for (const [k, v] of Object.entries(opts.query ?? {})) {
      if (v !== undefined) url.searchParams.set(k, String(v));
    }
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'berth-cli', ...opts.headers };
    if (this.#authorization) headers.authorization = this.#authorization;
    let body: string | ReadableStream<Uint8Array> | Uint8Array | undefined;
    if (opts.raw !== undefined) body = opts.raw;
    else if (opts.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.body);
    }
    const timeoutMs = opts.timeoutMs ?? TIMEOUT_MS;
    let res: Response;
    try {
      // duplex: a streamed body (undici requires it to be said).
      res = await fetch(url, { method, headers, body, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs), ...(opts.raw instanceof ReadableStream ? { duplex: 'half' } : {}) });
    } catch (err) {
      throw new CliError(`cannot reach ${this.server}: ${describeFetchError(err, timeoutMs)}`);
    }
    if (res.status >= 300 && res.status < 400) {
      const location = res.headers.get('location');
      throw new CliError(`${this.server} redirects ${method} ${url.pathname} to ${location ?? 'elsewhere'}: give the server's own URL with --server`);
    }
    const text = await res.text();
    if (!res.ok) throw apiError(res, text);
    let data: unknown = undefined;
    if (text.length > 0) {
      try {
        data = JSON.parse(text);
      } catch {
        throw new CliError(`${this.server} answered ${method} ${url.pathname} with something other than JSON: is it a Berth server?`);
      }
    }
    const count = res.headers.get('x-total-count');
    return { status: res.status, data: data as T, headers: res.headers, total: count === null ? undefined : Number(count) };
  }

  async get<T>(path: string, query?: Query): Promise<ApiResponse<T>> {
    return this.request<T>('GET', path, query ? { query } : {});
  }

  async post<T>(path: string, body: unknown): Promise<ApiResponse<T>> {
    return this.request<T>('POST', path, { body });
  }

  async put<T>(path: string, body: unknown): Promise<ApiResponse<T>> {
    return this.request<T>('PUT', path, { body });
  }

  async delete(path: string, query?: Query): Promise<ApiResponse<undefined>> {
    return this.request<undefined>('DELETE', path, query ? { query } : {});
  }
}

/** Encodes one path segment (`robot$team+ci` → `robot%24team%2Bci`). */
export const seg = (s: string) => encodeURIComponent(s);

function apiError(res: Response, text: string): ApiError {
  try {
    const body = JSON.parse(text) as { errors?: { code?: unknown; message?: unknown }[]; message?: unknown };
    const first = body.errors?.[0];
    if (first && typeof first.message === 'string') {
      const more = (body.errors?.length ?? 0) > 1 ? body.errors!.slice(1).map((e) => (typeof e.message === 'string' ? `; ${e.message}` : '')).join('') : '';
      return new ApiError(res.status, typeof first.code === 'string' ? first.code : undefined, `${first.message}${more}`);
    }
    if (typeof body.message === 'string') return new ApiError(res.status, undefined, body.message);
  } catch {
    // not JSON: fall through
  }
  const snippet = text.trim().slice(0, 200);
  return new ApiError(res.status, undefined, `HTTP ${res.status} ${res.statusText}${snippet ? `: ${snippet}` : ''}`);
}

function describeFetchError(err: unknown, timeoutMs = TIMEOUT_MS): string {
  if (err instanceof Error) {
    if (err.name === 'TimeoutError') return `no answer within ${timeoutMs / 1000} s`;
    const cause = (err as Error & { cause?: unknown }).cause;
    if (cause instanceof Error) {
      const code = (cause as NodeJS.ErrnoException).code;
      return code ? `${code} (${cause.message})` : cause.message;
    }
    return err.message;
  }
  return String(err);
}
