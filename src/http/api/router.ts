/**
 * The /api/v1 route layer. Each route is declared once with zod schemas for
 * params, query and body; the same declaration validates requests (with
 * messages naming the field), decides authentication, and feeds the
 * OpenAPI 3.1 document at /api/v1/openapi.json.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import { z } from 'zod';
import { AccessError } from '../../access/errors.ts';
import { ANONYMOUS, actorOf, type Principal } from '../../access/principal.ts';
import type { AuditContext } from '../../audit/audited.ts';
import type { AccessServices } from '../../access/services.ts';
import { authenticateApi } from './auth.ts';

export const API_PREFIX = '/api/v1';

export type AuthLevel = 'none' | 'optional' | 'user' | 'admin';

export interface Context<P, Q, B> {
  principal: Principal;
  /** Who acts and from where, for audit records written with the change. */
  audit: AuditContext;
  params: P;
  query: Q;
  body: B;
  ip: string;
  req: FastifyRequest;
  reply: FastifyReply;
}

export interface RouteDef<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path below /api/v1, with `:param` segments. */
  path: string;
  summary: string;
  tag: string;
  auth: AuthLevel;
  params?: P;
  query?: Q;
  body?: B;
  /** Success status; 200 by default. */
  status?: number;
  /** Schema of the success body, for the document. */
  response?: z.ZodType;
  /** Media type of the success body, for the document; application/json by default. */
  responseType?: string;
  /** Query parameters that page a list: adds X-Total-Count and Link to the document. */
  paged?: boolean;
  /**
   * Media types whose body reaches the handler unread, as a stream (a file
   * upload; the route module registers the content-type parser that keeps
   * it). `body` then validates only JSON bodies.
   */
  rawBody?: string[];
  handler: (ctx: Context<z.output<P>, z.output<Q>, z.output<B>>) => Promise<unknown>;
}

interface Registered {
  method: string;
  path: string;
  summary: string;
  tag: string;
  auth: AuthLevel;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  status: number;
  response?: z.ZodType;
  responseType?: string;
  paged: boolean;
  rawBody?: string[];
}

export class ApiRouter {
  readonly #app: FastifyInstance;
  readonly #access: AccessServices;
  readonly routes: Registered[] = [];

  constructor(app: FastifyInstance, access: AccessServices) {
    this.#app = app;
    this.#access = access;
  }

  route<P extends z.ZodType = z.ZodObject, Q extends z.ZodType = z.ZodObject, B extends z.ZodType = z.ZodUnknown>(def: RouteDef<P, Q, B>): void {
    const status = def.status ?? 200;
    this.routes.push({ ...def, status, paged: def.paged ?? false });
    const label = `api:${def.tag}`;
    this.#app.route({
      method: def.method,
      url: `${API_PREFIX}${def.path}`,
      config: { apiTag: def.tag },
      handler: async (req, reply) => {
        req.routeLabel = label;
        // Who calls which route, for the audit record should the call be refused (src/http/api/errors.ts).
        req.apiCaller = { principal: ANONYMOUS, resourceType: def.tag };
        const principal = def.auth === 'none' ? ANONYMOUS : await authenticateApi(req, this.#access);
        req.apiCaller.principal = principal;
        if ((def.auth === 'user' || def.auth === 'admin') && principal.kind === 'anonymous') {
          throw new AccessError('UNAUTHORIZED', 'sign in first: use HTTP Basic credentials or a personal API token (Authorization: Bearer berth_pat_…)');
        }
        if (def.auth === 'admin' && !principal.admin) throw new AccessError('FORBIDDEN', 'only system administrators may do this');
        const params = parse(def.params, req.params, 'path');
        const query = parse(def.query, req.query, 'query');
        const raw = def.rawBody !== undefined && req.body instanceof Readable;
        const body = raw ? req.body : parse(def.body, req.body, 'body');
        const audit: AuditContext = { actor: actorOf(principal), sourceIp: req.ip };
        const result = await def.handler({ principal, audit, params, query, body, ip: req.ip, req, reply } as Context<z.output<P>, z.output<Q>, z.output<B>>);
        if (reply.sent) return reply;
        reply.code(status);
        return result === undefined ? reply.send() : reply.send(result);
      },
    });
  }
}

function parse<T extends z.ZodType>(schema: T | undefined, value: unknown, where: string): z.output<T> | undefined {
  if (!schema) return undefined;
  const r = schema.safeParse(value ?? (where === 'body' ? undefined : {}));
  if (r.success) return r.data;
  const problems = r.error.issues.map((i) => `${[where, ...i.path].join('.')}: ${i.message}`);
  throw new AccessError('BAD_REQUEST', problems.join('; '));
}

/** Harbor's paging: `page` (from 1) and `page_size` (1–100, default 10). */
export const pageQuery = {
  page: z.coerce.number().int().min(1).default(1),
  page_size: z.coerce.number().int().min(1).max(100).default(10),
};

/** Sets X-Total-Count and a Link header with next/prev pages. */
export function setPaging(req: FastifyRequest, reply: FastifyReply, page: number, pageSize: number, total: number): void {
  reply.header('x-total-count', total);
  const url = new URL(req.url, 'http://x');
  const links: string[] = [];
  const at = (p: number) => {
    url.searchParams.set('page', String(p));
    url.searchParams.set('page_size', String(pageSize));
    return `${url.pathname}?${url.searchParams.toString()}`;
  };
  if (page > 1) links.push(`<${at(page - 1)}>; rel="prev"`);
  if (page * pageSize < total) links.push(`<${at(page + 1)}>; rel="next"`);
  if (links.length > 0) reply.header('link', links.join(' , '));
}

/**
 * Harbor's `q` filter: `k=v` exact, `k=~v` contains, comma-separated.
 * Only the listed keys are accepted.
 */
export function parseQ(q: string | undefined, allowed: readonly string[]): Map<string, { op: 'eq' | 'contains'; value: string }> {
  const out = new Map<string, { op: 'eq' | 'contains'; value: string }>();
  if (!q) return out;
  for (const part of q.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new AccessError('BAD_REQUEST', `invalid q term ${JSON.stringify(part)}: use key=value or key=~value`);
    const key = part.slice(0, eq).trim();
    // Already URL-decoded by the query-string parser: decoding again breaks on `%`.
    let value = part.slice(eq + 1).trim();
    let op: 'eq' | 'contains' = 'eq';
    if (value.startsWith('~')) {
      op = 'contains';
      value = value.slice(1);
    }
    if (!allowed.includes(key)) throw new AccessError('BAD_REQUEST', `cannot filter on ${JSON.stringify(key)}; allowed: ${allowed.join(', ')}`);
    out.set(key, { op, value });
  }
  return out;
}

/** Harbor's `sort`: `f1,-f2`. Only the listed fields (mapped to columns). */
export function parseSort<C extends string>(sort: string | undefined, allowed: Record<string, C>): { field: C; desc: boolean }[] {
  if (!sort) return [];
  return sort.split(',').map((raw) => {
    const desc = raw.startsWith('-');
    const name = desc ? raw.slice(1) : raw;
    const field = allowed[name];
    if (!field) throw new AccessError('BAD_REQUEST', `cannot sort by ${JSON.stringify(name)}; allowed: ${Object.keys(allowed).join(', ')}`);
    return { field, desc };
  });
}

export const listQuery = z.object({ ...pageQuery, q: z.string().max(1024).optional(), sort: z.string().max(256).optional() });

export const boolString = z.enum(['true', 'false']).transform((v) => v === 'true');
