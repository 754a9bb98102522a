/**
 * Small HTTP helpers for the security matrix and the REST API suite: one
 * `call` returning status, headers and the parsed body, Basic and Bearer
 * headers, the registry token flow, and audit-log queries.
 *
 * Login throttling counts failures per account and address, per account and
 * per address (src/access/throttle.ts): failures from 127.0.0.1 would add up
 * for the whole suite. Suites that fail logins on purpose start Berth
 * with BERTH_TRUST_PROXY=true and send those requests from a fresh
 * X-Forwarded-For address (`freshIp()`).
 */
import { request } from 'node:http';

export interface Res {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed JSON body, or undefined when the body is not JSON. */
  body: unknown;
}

export interface CallOptions {
  auth?: string | undefined;
  body?: unknown;
  headers?: Record<string, string>;
  /** Raw body (not JSON-encoded). */
  raw?: string | Buffer;
}

export function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

export function bearer(token: string): string {
  return `Bearer ${token}`;
}

let ipCounter = 0;
/** A source address never used before in this process (for X-Forwarded-For). */
export function freshIp(): string {
  ipCounter++;
  return `10.${(ipCounter >> 16) & 255}.${(ipCounter >> 8) & 255}.${ipCounter & 255}`;
}

export async function call(base: string, method: string, path: string, options: CallOptions = {}): Promise<Res> {
  const headers = new Headers(options.headers);
  if (options.auth) headers.set('authorization', options.auth);
  let body: string | Buffer | undefined;
  if (options.raw !== undefined) body = options.raw;
  else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    if (!headers.has('content-type')) headers.set('content-type', 'application/json');
  }
  const res = await fetch(`${base}${path}`, { method, headers, ...(body !== undefined ? { body } : {}), redirect: 'manual' });
  const text = method === 'HEAD' ? '' : await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, text, body: parsed };
}

/** Sends the path byte for byte (fetch would normalise `..` and `%2e%2e`). */
export function rawCall(base: string, method: string, rawPath: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string; headers: Record<string, string | string[] | undefined> }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path: rawPath, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The first error of a {"errors":[{code,message}]} body, or undefined. */
export function firstError(res: { body?: unknown; text?: string }): { code: string; message: string } | undefined {
  let body = res.body;
  if (body === undefined && res.text) {
    try {
      body = JSON.parse(res.text);
    } catch {
      return undefined;
    }
  }
  const errors = (body as { errors?: unknown } | undefined)?.errors;
  if (!Array.isArray(errors) || errors.length === 0) return undefined;
  const e = errors[0] as { code?: unknown; message?: unknown };
  return typeof e.code === 'string' && typeof e.message === 'string' ? { code: e.code, message: e.message } : undefined;
}

/**
 * GET /auth/token with the given scopes (and Basic credentials unless
 * anonymous). Returns the token, or the refusing response.
 */
export async function fetchToken(base: string, scopes: string[], auth?: string, headers: Record<string, string> = {}): Promise<{ token: string; res: Res } | { token: undefined; res: Res }> {
  const qs = new URLSearchParams({ service: 'berth' });
  for (const s of scopes) qs.append('scope', s);
  const res = await call(base, 'GET', `/auth/token?${qs.toString()}`, { auth, headers });
  const token = res.status === 200 ? (res.body as { token?: string }).token : undefined;
  return token ? { token, res } : { token: undefined, res };
}

/** The payload of a JWT (no verification: for looking at claims only). */
export function jwtPayload(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

export interface AuditEntry {
  id: string;
  time: number;
  actor: { kind: string; name: string };
  sourceIp: string;
  resourceType: string;
  resource: string;
  project: string | null;
  action: string;
  outcome: 'success' | 'failure';
  detail: string | null;
}

/** Every audit record matching `filter` (GET /api/v1/audit-logs as an administrator, all pages). */
export async function auditEntries(base: string, adminAuth: string, filter: Record<string, string>): Promise<AuditEntry[]> {
  const out: AuditEntry[] = [];
  for (let page = 1; ; page++) {
    const qs = new URLSearchParams({ ...filter, page: String(page), page_size: '1000' });
    const res = await call(base, 'GET', `/api/v1/audit-logs?${qs.toString()}`, { auth: adminAuth });
    if (res.status !== 200) throw new Error(`audit query ${qs.toString()}: ${res.status} ${res.text}`);
    const items = res.body as AuditEntry[];
    out.push(...items);
    const total = Number(res.headers.get('x-total-count') ?? 0);
    if (items.length === 0 || out.length >= total) return out;
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `check` until it returns true (or throws on timeout with `what`). */
export async function eventually(what: string, check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
    await sleep(50);
  }
}
