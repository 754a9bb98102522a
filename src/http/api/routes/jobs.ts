/**
 * /api/v1/jobs: the durable job queue (system administrators: job:read to
 * look, job:manage to retry and cancel). Retry and cancel are audited in the
 * transaction that changes the job.
 */
import { z } from 'zod';
import { AccessError } from '../../../access/errors.ts';
import { hasSystemPermission, type SystemPermission } from '../../../access/permissions.ts';
import type { Principal } from '../../../access/principal.ts';
import { audited } from '../../../audit/audited.ts';
import type { AuditRecorder } from '../../../audit/types.ts';
import type { Jobs } from '../../../platform/jobs/platform.ts';
import { JOB_STATES, type JobRecord } from '../../../platform/jobs/queue.ts';
import { type ApiRouter, pageQuery, setPaging } from '../router.ts';

const jobSchema = z.object({
  id: z.string(),
  kind: z.string(),
  payload: z.unknown(),
  state: z.enum(JOB_STATES as ['queued', 'running', 'succeeded', 'failed', 'cancelled']),
  priority: z.number().int(),
  runAt: z.number().int(),
  attempts: z.number().int(),
  maxAttempts: z.number().int(),
  dedupeKey: z.string().nullable(),
  leaseOwner: z.string().nullable(),
  leaseExpiresAt: z.number().int().nullable(),
  lastError: z.string().nullable(),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
  startedAt: z.number().int().nullable(),
  finishedAt: z.number().int().nullable(),
});

const idParams = z.object({ id: z.uuid() });
const listQuery = z.object({
  ...pageQuery,
  kind: z.string().regex(/^[a-z0-9][a-z0-9._:-]{0,127}$/, 'a job kind: [a-z0-9._:-]').optional(),
  state: z.enum(JOB_STATES as ['queued', 'running', 'succeeded', 'failed', 'cancelled']).optional(),
});

function requirePermission(principal: Principal, permission: SystemPermission): void {
  if (!hasSystemPermission(principal, permission)) throw new AccessError('FORBIDDEN', `${permission} is held by system administrators only`);
}

export function jobRoutes(api: ApiRouter, jobs: Jobs, audit: AuditRecorder): void {
  api.route({
    method: 'GET',
    path: '/jobs',
    tag: 'jobs',
    summary: 'List jobs, newest first, filtered by kind and state (job:read)',
    auth: 'admin',
    query: listQuery,
    paged: true,
    response: z.array(jobSchema),
    handler: async ({ principal, query, req, reply }) => {
      requirePermission(principal, 'job:read');
      const filter = { ...(query.kind ? { kind: query.kind } : {}), ...(query.state ? { state: query.state } : {}) };
      const r = await jobs.queue.list(filter, { page: query.page, pageSize: query.page_size });
      setPaging(req, reply, query.page, query.page_size, r.total);
      return r.items;
    },
  });

  api.route({
    method: 'GET',
    path: '/jobs/:id',
    tag: 'jobs',
    summary: 'One job with its attempts and last error (job:read)',
    auth: 'admin',
    params: idParams,
    response: jobSchema,
    handler: async ({ principal, params }) => {
      requirePermission(principal, 'job:read');
      return jobs.queue.get(params.id);
    },
  });

  const change = (action: 'retry' | 'cancel', summary: string) =>
    api.route({
      method: 'POST',
      path: `/jobs/:id/${action}`,
      tag: 'jobs',
      summary,
      auth: 'admin',
      params: idParams,
      response: jobSchema,
      handler: async ({ principal, params, audit: ctx }) => {
        requirePermission(principal, 'job:manage');
        return audited(jobs.db, audit, ctx, (job: JobRecord) => ({ resourceType: 'job', resource: job.id, action, detail: job.kind }), (trx) =>
          action === 'retry' ? jobs.retry(params.id, trx) : jobs.cancel(params.id, trx),
        );
      },
    });
  change('retry', 'Queue a failed or cancelled job again with fresh attempts (job:manage)');
  change('cancel', "Cancel a queued or running job; a running job's signal is aborted (job:manage)");
}
