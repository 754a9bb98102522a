/**
 * /api/v1/audit-logs (administrators: everything) and
 * /api/v1/projects/:project/audit-logs (log:list on the project).
 * Filters: actor, actor_kind, resource_type, resource, action, outcome,
 * from, to (epoch ms or ISO 8601); paging and `sort` as everywhere.
 */
import { z } from 'zod';
import { AccessError } from '../../../access/errors.ts';
import type { AccessServices } from '../../../access/services.ts';
import { AuditQueryError, MAX_PAGE_SIZE, type AuditFilter, type AuditLog } from '../../../audit/audit-log.ts';
import { projectGuard } from '../guards.ts';
import { type ApiRouter, setPaging } from '../router.ts';

const time = z
  .string()
  .max(40)
  .transform((v, ctx) => {
    const n = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
    if (Number.isNaN(n)) {
      ctx.addIssue({ code: 'custom', message: 'use epoch milliseconds or an ISO 8601 time' });
      return z.NEVER;
    }
    return n;
  });

const filterQuery = z.object({
  page: z.coerce.number().int().min(1).default(1),
  page_size: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(10),
  sort: z.string().max(128).optional(),
  actor: z.string().max(255).optional(),
  actor_kind: z.enum(['user', 'robot', 'anonymous', 'system']).optional(),
  resource_type: z.string().max(64).optional(),
  resource: z.string().max(1024).optional(),
  action: z.string().max(64).optional(),
  outcome: z.enum(['success', 'failure']).optional(),
  from: time.optional(),
  to: time.optional(),
});

const entrySchema = z.object({
  id: z.string(),
  time: z.number().int(),
  actor: z.object({ kind: z.enum(['user', 'robot', 'anonymous', 'system']), name: z.string() }),
  sourceIp: z.string(),
  resourceType: z.string(),
  resource: z.string(),
  project: z.string().nullable(),
  action: z.string(),
  outcome: z.enum(['success', 'failure']),
  detail: z.string().nullable(),
});

export function auditRoutes(api: ApiRouter, access: AccessServices, audit: AuditLog): void {
  const guard = projectGuard(access);

  async function run(query: z.output<typeof filterQuery>, project: string | undefined) {
    const filter: AuditFilter = {};
    if (query.actor !== undefined) filter.actor = query.actor;
    if (query.actor_kind !== undefined) filter.actorKind = query.actor_kind;
    if (query.resource_type !== undefined) filter.resourceType = query.resource_type;
    if (query.resource !== undefined) filter.resource = query.resource;
    if (query.action !== undefined) filter.action = query.action;
    if (query.outcome !== undefined) filter.outcome = query.outcome;
    if (query.from !== undefined) filter.from = query.from;
    if (query.to !== undefined) filter.to = query.to;
    if (project !== undefined) filter.project = project;
    try {
      return await audit.query(filter, { page: query.page, pageSize: query.page_size }, query.sort);
    } catch (err) {
      if (err instanceof AuditQueryError) throw new AccessError('BAD_REQUEST', err.message);
      throw err;
    }
  }

  api.route({
    method: 'GET',
    path: '/audit-logs',
    tag: 'audit',
    summary: 'Query the whole audit log (administrators)',
    auth: 'admin',
    query: filterQuery,
    paged: true,
    response: z.array(entrySchema),
    handler: async ({ query, req, reply }) => {
      const r = await run(query, undefined);
      setPaging(req, reply, query.page, query.page_size, r.total);
      return r.items;
    },
  });

  api.route({
    method: 'GET',
    path: '/projects/:project/audit-logs',
    tag: 'audit',
    summary: "Query a project's audit records (log:list on the project)",
    auth: 'user',
    params: z.object({ project: z.string().min(1).max(255) }),
    query: filterQuery,
    paged: true,
    response: z.array(entrySchema),
    handler: async ({ principal, params, query, req, reply }) => {
      await guard(principal, params.project, 'log:list');
      const r = await run(query, params.project);
      setPaging(req, reply, query.page, query.page_size, r.total);
      return r.items;
    },
  });
}
