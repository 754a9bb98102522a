/**
 * A client of one Pluggable Scanner API adapter: metadata, scan request and
 * report polling, with every answer bounded in size and time and checked
 * against the spec's shapes before use.
 */
import { DomainError } from '../../core/errors.ts';
import { ScannerMime, metadataSchema, mimeBase, scanResponseSchema, vulnerabilityReportSchema, type ScanRequest, type ScannerMetadata, type VulnerabilityReport } from './spec.ts';

export type AdapterAuth = 'none' | 'Basic' | 'Bearer' | 'X-ScannerAdapter-API-Key';
export const ADAPTER_AUTHS: readonly AdapterAuth[] = ['none', 'Basic', 'Bearer', 'X-ScannerAdapter-API-Key'];

export interface AdapterEndpoint {
  /** Base URL; the API is under `<url>/api/v1`. */
  url: string;
  auth: AdapterAuth;
  /** Basic: `user:password`; Bearer: the token; API key: the key. */
  credential?: string;
}

export interface AdapterLimits {
  /** One request (metadata, scan, one report poll). */
  requestTimeoutMs: number;
  /** Largest report accepted. */
  maxReportBytes: number;
}

const SMALL_BODY = 1024 * 1024;

/** Harbor's header names for each scheme. */
export function authHeaders(endpoint: AdapterEndpoint): Record<string, string> {
  const c = endpoint.credential ?? '';
  switch (endpoint.auth) {
    case 'Basic':
      return { authorization: `Basic ${Buffer.from(c).toString('base64')}` };
    case 'Bearer':
      return { authorization: `Bearer ${c}` };
    case 'X-ScannerAdapter-API-Key':
      return { 'x-scanneradapter-api-key': c };
    default:
      return {};
  }
}

function apiUrl(endpoint: AdapterEndpoint, path: string): string {
  return `${endpoint.url.replace(/\/+$/, '')}/api/v1${path}`;
}

function unavailable(endpoint: AdapterEndpoint, what: string, cause?: unknown): DomainError {
  const reason = cause instanceof Error ? `: ${cause.message}` : '';
  return new DomainError('unavailable', `scanner adapter ${endpoint.url}: ${what}${reason}`, { cause });
}

/** Reads at most `max` bytes of a body, refusing more (a hostile adapter cannot exhaust memory). */
async function boundedText(res: Response, max: number): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > max) {
    await res.body?.cancel();
    throw new Error(`answer of ${declared} bytes exceeds the limit of ${max}`);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (res.body) {
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
      total += chunk.byteLength;
      if (total > max) throw new Error(`answer exceeds the limit of ${max} bytes`);
      chunks.push(chunk);
    }
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function errorMessage(res: Response): Promise<string> {
  try {
    const text = await boundedText(res, 16 * 1024);
    const parsed = JSON.parse(text) as { error?: { message?: unknown } };
    if (typeof parsed.error?.message === 'string') return parsed.error.message.slice(0, 500);
    return text.slice(0, 200);
  } catch {
    return res.statusText;
  }
}

async function call(endpoint: AdapterEndpoint, path: string, init: RequestInit, limits: AdapterLimits, signal?: AbortSignal): Promise<Response> {
  const timeout = AbortSignal.timeout(limits.requestTimeoutMs);
  try {
    return await fetch(apiUrl(endpoint, path), {
      ...init,
      redirect: 'manual',
      headers: { ...authHeaders(endpoint), ...(init.headers as Record<string, string>) },
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
  } catch (err) {
    if (signal?.aborted) throw err;
    throw unavailable(endpoint, `${init.method ?? 'GET'} ${path} failed`, err);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new Error('answer is not JSON');
  }
}

export async function fetchMetadata(endpoint: AdapterEndpoint, limits: AdapterLimits, signal?: AbortSignal): Promise<ScannerMetadata> {
  const res = await call(endpoint, '/metadata', { headers: { accept: `${ScannerMime.metadata}, ${ScannerMime.metadataV10}` } }, limits, signal);
  if (res.status !== 200) throw unavailable(endpoint, `GET /metadata answered ${res.status}: ${await errorMessage(res)}`);
  try {
    const parsed = metadataSchema.safeParse(parseJson(await boundedText(res, SMALL_BODY)));
    if (!parsed.success) throw new Error(`not the spec's metadata: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`);
    return parsed.data;
  } catch (err) {
    throw unavailable(endpoint, 'GET /metadata', err);
  }
}

export async function submitScan(endpoint: AdapterEndpoint, request: ScanRequest, limits: AdapterLimits, signal?: AbortSignal): Promise<string> {
  const res = await call(endpoint, '/scan', { method: 'POST', headers: { 'content-type': ScannerMime.scanRequest, accept: ScannerMime.scanResponse }, body: JSON.stringify(request) }, limits, signal);
  if (res.status !== 202 && res.status !== 200) throw unavailable(endpoint, `POST /scan answered ${res.status}: ${await errorMessage(res)}`);
  try {
    const parsed = scanResponseSchema.safeParse(parseJson(await boundedText(res, SMALL_BODY)));
    if (!parsed.success) throw new Error('no scan request id in the answer');
    return parsed.data.id;
  } catch (err) {
    throw unavailable(endpoint, 'POST /scan', err);
  }
}

export type ReportPoll = { done: false; refreshAfterSeconds: number } | { done: true; report: VulnerabilityReport };

/** One poll of the report: 302 (with Refresh-After) while the adapter works, 200 with the report when done. */
export async function pollReport(endpoint: AdapterEndpoint, id: string, limits: AdapterLimits, signal?: AbortSignal): Promise<ReportPoll> {
  const res = await call(endpoint, `/scan/${encodeURIComponent(id)}/report`, { headers: { accept: ScannerMime.vulnReport } }, limits, signal);
  if (res.status === 302) {
    await res.body?.cancel();
    const after = Number(res.headers.get('refresh-after') ?? '');
    return { done: false, refreshAfterSeconds: Number.isFinite(after) && after > 0 ? after : 5 };
  }
  if (res.status !== 200) throw unavailable(endpoint, `GET /scan/${id}/report answered ${res.status}: ${await errorMessage(res)}`);
  const type = res.headers.get('content-type') ?? '';
  if (mimeBase(type) !== mimeBase(ScannerMime.vulnReport) && mimeBase(type) !== mimeBase(ScannerMime.vulnReportHarbor)) {
    await res.body?.cancel();
    throw unavailable(endpoint, `report has media type ${type.slice(0, 100)}, not ${ScannerMime.vulnReport}`);
  }
  try {
    const parsed = vulnerabilityReportSchema.safeParse(parseJson(await boundedText(res, limits.maxReportBytes)));
    if (!parsed.success) throw new Error(`not the spec's report: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`);
    return { done: true, report: parsed.data };
  } catch (err) {
    throw unavailable(endpoint, `GET /scan/${id}/report`, err);
  }
}
