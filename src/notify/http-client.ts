/**
 * The HTTP client of webhook deliveries: one POST with a deadline, the
 * response summarised (status, first 1 KiB of the body), and the address
 * every connection actually reaches checked against the SSRF rules
 * (src/notify/targets.ts) — after DNS, on the connected socket — so a name
 * that resolves to a refused address at delivery time is refused even if it
 * passed when the policy was saved.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { Agent, buildConnector, request } from 'undici';
import { refusalOf, type TargetPolicy } from './targets.ts';

export const RESPONSE_BODY_LIMIT = 1024;

export interface DeliveryRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  skipCertVerify: boolean;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface DeliveryResponse {
  status: number;
  /** At most RESPONSE_BODY_LIMIT bytes, decoded as UTF-8. */
  body: string;
  latencyMs: number;
}

/** A refused target address (never retried with the same result in mind, but the job rules decide). */
export class RefusedAddressError extends Error {}

export class WebhookHttpClient {
  readonly #policy: TargetPolicy;
  readonly #agents = new Map<boolean, Agent>();

  constructor(policy: TargetPolicy) {
    this.#policy = policy;
  }

  async post(req: DeliveryRequest): Promise<DeliveryResponse> {
    const started = performance.now();
    const deadline = AbortSignal.timeout(req.timeoutMs);
    const signal = req.signal ? AbortSignal.any([deadline, req.signal]) : deadline;
    try {
      const res = await request(req.url, {
        method: 'POST',
        headers: req.headers,
        body: req.body,
        dispatcher: this.#agent(req.skipCertVerify),
        signal,
        headersTimeout: req.timeoutMs,
        bodyTimeout: req.timeoutMs,
      });
      const body = await readLimited(res.body, RESPONSE_BODY_LIMIT);
      return { status: res.statusCode, body, latencyMs: Math.round(performance.now() - started) };
    } catch (err) {
      if (deadline.aborted) throw new Error(`no response within ${req.timeoutMs} ms`, { cause: err });
      throw unwrap(err);
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.#agents.values()].map((a) => a.close()));
    this.#agents.clear();
  }

  #agent(skipCertVerify: boolean): Agent {
    let agent = this.#agents.get(skipCertVerify);
    if (!agent) {
      const policy = this.#policy;
      const base = buildConnector({ rejectUnauthorized: !skipCertVerify, lookup: checkedLookup(policy) });
      agent = new Agent({
        connections: 16,
        keepAliveTimeout: 4_000,
        connect: (options, callback) => {
          base(options, (...args) => {
            const [err, socket] = args;
            if (err) return callback(err, null);
            // The authority: the peer this socket is connected to, whatever resolved it.
            const why = socket.remoteAddress === undefined ? 'connection has no remote address' : refusalOf(socket.remoteAddress, policy);
            if (why) {
              socket.destroy();
              return callback(new RefusedAddressError(`refused: ${why}`), null);
            }
            callback(null, socket);
          });
        },
      });
      this.#agents.set(skipCertVerify, agent);
    }
    return agent;
  }
}

/** A DNS lookup that drops refused addresses, failing when none is left. */
function checkedLookup(policy: TargetPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 0);
      const allowed = addresses.filter((a) => refusalOf(a.address, policy) === undefined);
      if (allowed.length === 0) {
        const why = addresses.length > 0 ? refusalOf(addresses[0]!.address, policy) : 'no address';
        return callback(new RefusedAddressError(`refused: ${hostname} resolves to ${why}`), '', 0);
      }
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, allowed);
      callback(null, allowed[0]!.address, allowed[0]!.family);
    });
  };
}

async function readLimited(body: AsyncIterable<Buffer> & { destroy(): void }, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= limit) {
      body.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, limit).toString('utf8');
}

/** undici wraps connect errors; the refusal's own message is what the log should show. */
function unwrap(err: unknown): Error {
  let e = err as Error & { cause?: unknown };
  while (!(e instanceof RefusedAddressError) && e.cause instanceof Error) e = e.cause;
  if (e instanceof RefusedAddressError) return e;
  const base = err as Error & { code?: string };
  return new Error(base.code ? `${base.code}: ${base.message}` : base.message);
}
