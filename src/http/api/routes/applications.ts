/**
 * /api/v1/applications: GitOps applications (docs/applications.md). Rights
 * come from the application's project (application:read|create|update|
 * delete|sync); an application in a project the caller cannot read is
 * "not found", whatever its name reveals. Live state, diff, sync, refresh
 * and rollback go to the delivery engine.
 */
import { z } from 'zod';
import { AccessError, forbidden, notFound } from '../../../access/errors.ts';
import type { Permission } from '../../../access/permissions.ts';
import type { Principal } from '../../../access/principal.ts';
import type { AccessServices } from '../../../access/services.ts';
import { API_VERSIONS, SYNC_OPTIONS, applicationSpecSchema, dnsLabel } from '../../../gitops/model.ts';
import type { ApplicationStore } from '../../../gitops/apps/store.ts';
import type { OperationStore } from '../../../gitops/engine/operations.ts';
import { HEALTH_STATUSES, type ApplicationRecord, type ApplicationStatus, type DeliveryEngine } from '../../../gitops/types.ts';
import { type ApiRouter, boolString, pageQuery, parseQ, setPaging } from '../router.ts';

export interface ApplicationRouteDeps {
  apps: ApplicationStore;
  engine: DeliveryEngine;
  operations: Pick<OperationStore, 'list'>;
}

const resourceKeySchema = z.object({ group: z.string().max(253), kind: z.string().min(1).max(253), namespace: z.string().max(63), name: z.string().min(1).max(253) });
const healthSchema = z.object({ status: z.string(), message: z.string().optional() });
const resourceStatusSchema = z.object({
  key: resourceKeySchema,
  version: z.string(),
  status: z.string(),
  health: healthSchema.optional(),
  requiresPruning: z.boolean().optional(),
  hook: z.boolean().optional(),
});
const operationStateSchema = z.object({
  phase: z.string(),
  message: z.string(),
  trigger: z.string(),
  actor: z.string(),
  revision: z.string(),
  startedAt: z.number().int(),
  finishedAt: z.number().int().optional(),
  retryCount: z.number().int(),
  dryRun: z.boolean(),
  resources: z.array(z.object({ key: resourceKeySchema, version: z.string(), status: z.string(), message: z.string(), hookType: z.string().optional(), hookPhase: z.string().optional(), wave: z.number().int(), phase: z.string() })),
});
const statusSchema = z.object({
  sync: z.object({ status: z.string(), revision: z.string().optional() }),
  health: healthSchema,
  resources: z.array(resourceStatusSchema),
  operationState: operationStateSchema.optional(),
  conditions: z.array(z.object({ type: z.string(), message: z.string(), at: z.number().int() })),
  reconciledAt: z.number().int(),
  syncedRevision: z.string().optional(),
});
const applicationSchema = z.object({
  name: z.string(),
  project: z.string(),
  spec: applicationSpecSchema,
  createdBy: z.string(),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
  status: statusSchema.optional(),
});
const listItemSchema = z.object({
  name: z.string(),
  project: z.string(),
  repoURL: z.string(),
  path: z.string(),
  targetRevision: z.string(),
  destination: z.object({ server: z.string().optional(), name: z.string().optional(), namespace: z.string() }),
  automated: z.boolean(),
  sync: z.string(),
  health: z.string(),
  revision: z.string().optional(),
  operation: z.string().optional(),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
});
const historySchema = z.object({
  id: z.number().int(),
  app: z.string(),
  revision: z.string(),
  manifestDigest: z.string(),
  source: z.unknown(),
  trigger: z.string(),
  actor: z.string(),
  startedAt: z.number().int(),
  finishedAt: z.number().int(),
  phase: z.string(),
  message: z.string(),
});
const operationSchema = z.object({
  id: z.string(),
  app: z.string(),
  project: z.string(),
  kind: z.string(),
  trigger: z.string(),
  revision: z.string(),
  resolvedRevision: z.string().optional(),
  actor: z.object({ kind: z.string(), name: z.string() }),
  state: z.string(),
  /** The process (host:pid:random) running or last running it. */
  owner: z.string().optional(),
  attempts: z.number().int(),
  message: z.string(),
  resourcesDone: z.number().int(),
  createdAt: z.number().int(),
  startedAt: z.number().int().optional(),
  finishedAt: z.number().int().optional(),
});
const diffSchema = z.object({ key: resourceKeySchema, state: z.enum(['Synced', 'OutOfSync']), reason: z.enum(['missing', 'changed', 'extra']).optional(), diff: z.string() });

const nameParam = z.object({ name: z.string().min(1).max(253) });
const SYNC_STATUSES = ['Synced', 'OutOfSync', 'Unknown'] as const;
/** `a,b`: one or more of `allowed`. */
const statusList = (allowed: readonly string[]) =>
  z.string().max(256).transform((v, ctx) => {
    const values = v.split(',').map((x) => x.trim());
    const bad = values.find((x) => !allowed.includes(x));
    if (bad !== undefined) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(bad)} is not one of ${allowed.join(', ')}` });
    return values;
  });
const metadataSchema = z.object({ name: dnsLabel, namespace: z.string().max(63).optional(), labels: z.record(z.string(), z.string()).optional(), annotations: z.record(z.string(), z.string()).optional(), finalizers: z.array(z.string()).optional() }).strict();
/** An Application document, as in YAML (apiVersion and kind optional). */
const createBody = z.strictObject({
  apiVersion: z.enum(API_VERSIONS).optional(),
  kind: z.literal('Application').optional(),
  metadata: metadataSchema,
  spec: applicationSpecSchema,
});
/** The new spec, bare or inside an Application document whose name must match. */
const updateBody = z.strictObject({
  apiVersion: z.enum(API_VERSIONS).optional(),
  kind: z.literal('Application').optional(),
  metadata: metadataSchema.optional(),
  spec: applicationSpecSchema,
});
const syncBody = z.strictObject({
  revision: z.string().min(1).max(255).optional(),
  prune: z.boolean().optional(),
  dryRun: z.boolean().optional(),
  resources: z.array(resourceKeySchema).max(1000).optional(),
  syncOptions: z.array(z.enum(SYNC_OPTIONS)).max(20).optional(),
});

export function applicationRoutes(api: ApiRouter, access: AccessServices, deps: ApplicationRouteDeps): void {
  const { apps, engine } = deps;
  const { authorizer } = access;

  /** The application, if `principal` may read it and holds `permission`: 404 when it cannot read it, 403 when it lacks the permission. */
  async function authorized(principal: Principal, name: string, permission: Permission): Promise<ApplicationRecord> {
    const record = await apps.get(name);
    if (!record) throw notFound(`application ${name}`);
    await requireOnProject(principal, record.project, permission, `application ${name}`);
    return record;
  }

  async function requireOnProject(principal: Principal, project: string, permission: Permission, what = `project ${project}`): Promise<void> {
    const perms = await authorizer.permissions(principal, project);
    if (perms.has(permission)) return;
    if (!perms.has('application:read')) throw notFound(what);
    throw forbidden(`you need ${permission} on project ${project}`);
  }

  const statusOf = async (name: string): Promise<ApplicationStatus | undefined> => engine.status(name) ?? (await apps.loadStatus(name));

  api.route({
    method: 'GET',
    path: '/applications',
    tag: 'applications',
    summary: 'List the applications you can see, with their last saved sync and health status (q: name=x or name=~text; project=; cluster= name or server; namespace=; sync= and health= one value or several, comma-separated, e.g. health=Degraded,Missing)',
    auth: 'user',
    query: z.object({
      ...pageQuery,
      project: z.string().min(1).max(255).optional(),
      q: z.string().max(1024).optional(),
      cluster: z.string().min(1).max(2048).optional(),
      namespace: z.string().min(1).max(253).optional(),
      sync: statusList(SYNC_STATUSES).optional(),
      health: statusList(HEALTH_STATUSES).optional(),
    }),
    paged: true,
    response: z.array(listItemSchema),
    handler: async ({ principal, query, req, reply }) => {
      const q = parseQ(query.q, ['name']);
      let projects: string[] | undefined;
      if (query.project !== undefined) await requireOnProject(principal, query.project, 'application:read');
      else if (!principal.admin) {
        // Projects that hold applications, kept where the caller may read them.
        const candidates = await apps.projectsWithApplications();
        projects = [];
        for (const p of candidates) if (await authorizer.can(principal, p, 'application:read')) projects.push(p);
      }
      const name = q.get('name');
      const result = await apps.list({
        ...(query.project !== undefined ? { project: query.project } : {}),
        ...(projects !== undefined ? { projects } : {}),
        ...(name?.op === 'contains' ? { q: name.value } : {}),
        ...(name?.op === 'eq' ? { name: name.value } : {}),
        ...(query.cluster !== undefined ? { cluster: query.cluster } : {}),
        ...(query.namespace !== undefined ? { namespace: query.namespace } : {}),
        ...(query.sync !== undefined ? { sync: query.sync } : {}),
        ...(query.health !== undefined ? { health: query.health } : {}),
        page: query.page,
        pageSize: query.page_size,
      });
      setPaging(req, reply, query.page, query.page_size, result.total);
      // This process's engine view when it has one (fresher by the moment it takes to save it), else the saved status the filters matched.
      return result.items.map(({ record: a, status: saved }) => {
          const s = engine.status(a.name) ?? saved;
          const d = a.spec.destination;
          return {
            name: a.name,
            project: a.project,
            repoURL: a.spec.source.repoURL,
            path: a.spec.source.path,
            targetRevision: a.spec.source.targetRevision,
            destination: { ...(d.server !== undefined ? { server: d.server } : {}), ...(d.name !== undefined ? { name: d.name } : {}), namespace: d.namespace },
            automated: a.spec.syncPolicy.automated !== undefined,
            sync: s?.sync.status ?? 'Unknown',
            health: s?.health.status ?? 'Unknown',
            ...(s?.sync.revision ? { revision: s.sync.revision } : {}),
            ...(s?.operationState ? { operation: s.operationState.phase } : {}),
            createdAt: a.createdAt,
            updatedAt: a.updatedAt,
          };
        });
    },
  });

  api.route({
    method: 'POST',
    path: '/applications',
    tag: 'applications',
    summary: "Create an application (an Application document); checked against its project's delivery policy",
    auth: 'user',
    status: 201,
    body: createBody,
    response: applicationSchema,
    handler: async (ctx) => {
      await requireOnProject(ctx.principal, ctx.body.spec.project, 'application:create');
      return apps.create({ name: ctx.body.metadata.name, spec: ctx.body.spec }, ctx.audit);
    },
  });

  api.route({
    method: 'GET',
    path: '/applications/:name',
    tag: 'applications',
    summary: 'Get an application with its status',
    auth: 'user',
    params: nameParam,
    response: applicationSchema,
    handler: async ({ principal, params }) => {
      const record = await authorized(principal, params.name, 'application:read');
      const status = await statusOf(record.name);
      return { ...record, ...(status ? { status } : {}) };
    },
  });

  api.route({
    method: 'PUT',
    path: '/applications/:name',
    tag: 'applications',
    summary: "Replace an application's spec (moving it to another project needs application:create there)",
    auth: 'user',
    params: nameParam,
    body: updateBody,
    response: applicationSchema,
    handler: async (ctx) => {
      const current = await authorized(ctx.principal, ctx.params.name, 'application:update');
      if (ctx.body.metadata && ctx.body.metadata.name !== ctx.params.name) throw new AccessError('BAD_REQUEST', `body.metadata.name: ${ctx.body.metadata.name} is not ${ctx.params.name} (applications cannot be renamed)`);
      if (ctx.body.spec.project !== current.project) await requireOnProject(ctx.principal, ctx.body.spec.project, 'application:create');
      return apps.update(ctx.params.name, ctx.body.spec, ctx.audit);
    },
  });

  api.route({
    method: 'DELETE',
    path: '/applications/:name',
    tag: 'applications',
    summary: 'Delete an application; cascade=true (default) also deletes its resources from the cluster',
    auth: 'user',
    status: 204,
    params: nameParam,
    query: z.object({ cascade: boolString.default(true), propagationPolicy: z.enum(['Foreground', 'Background', 'Orphan']).optional() }),
    handler: async (ctx) => {
      await authorized(ctx.principal, ctx.params.name, 'application:delete');
      await apps.delete(ctx.params.name, ctx.audit);
      await engine.deleted(ctx.params.name, { cascade: ctx.query.cascade, ...(ctx.query.propagationPolicy ? { propagationPolicy: ctx.query.propagationPolicy } : {}) }, ctx.audit);
    },
  });

  api.route({
    method: 'POST',
    path: '/applications/:name/sync',
    tag: 'applications',
    summary: 'Sync: apply the revision (default: spec targetRevision) and wait for the operation; 409 while another runs',
    auth: 'user',
    params: nameParam,
    body: syncBody.optional(),
    response: operationStateSchema,
    handler: async (ctx) => {
      await authorized(ctx.principal, ctx.params.name, 'application:sync');
      const running = engine.status(ctx.params.name)?.operationState;
      if (running?.phase === 'Running' || running?.phase === 'Terminating') throw new AccessError('CONFLICT', `an operation is already running for application ${ctx.params.name} (started by ${running.actor})`);
      const b = ctx.body ?? {};
      return engine.sync(
        ctx.params.name,
        {
          ...(b.revision !== undefined ? { revision: b.revision } : {}),
          ...(b.prune !== undefined ? { prune: b.prune } : {}),
          ...(b.dryRun !== undefined ? { dryRun: b.dryRun } : {}),
          ...(b.resources !== undefined ? { resources: b.resources } : {}),
          ...(b.syncOptions !== undefined ? { syncOptions: b.syncOptions } : {}),
        },
        ctx.principal.name,
        'manual',
        ctx.audit,
      );
    },
  });

  api.route({
    method: 'GET',
    path: '/applications/:name/diff',
    tag: 'applications',
    summary: 'Differences between Git (rendered) and the cluster, per resource',
    auth: 'user',
    params: nameParam,
    response: z.array(diffSchema),
    handler: async ({ principal, params }) => {
      await authorized(principal, params.name, 'application:read');
      return engine.diff(params.name);
    },
  });

  api.route({
    method: 'POST',
    path: '/applications/:name/refresh',
    tag: 'applications',
    summary: 'Re-resolve the revision and compare now (hard=true also bypasses the render cache)',
    auth: 'user',
    params: nameParam,
    query: z.object({ hard: boolString.default(false) }),
    response: statusSchema,
    handler: async ({ principal, params, query }) => {
      await authorized(principal, params.name, 'application:sync');
      return engine.refresh(params.name, { hard: query.hard });
    },
  });

  api.route({
    method: 'GET',
    path: '/applications/:name/history',
    tag: 'applications',
    summary: 'Sync history, newest first (the last 10 operations)',
    auth: 'user',
    params: nameParam,
    response: z.array(historySchema),
    handler: async ({ principal, params }) => {
      await authorized(principal, params.name, 'application:read');
      return apps.listHistory(params.name);
    },
  });

  api.route({
    method: 'GET',
    path: '/applications/:name/operations',
    tag: 'applications',
    summary: 'Every sync, rollback and deletion recorded for the application, newest first (pending, running and ended; limit default 100)',
    auth: 'user',
    params: nameParam,
    query: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) }),
    response: z.array(operationSchema),
    handler: async ({ principal, params, query }) => {
      await authorized(principal, params.name, 'application:read');
      return (await deps.operations.list(params.name, query.limit)).map(({ request: _r, source: _s, result: _res, sourceIp: _ip, ...op }) => op);
    },
  });

  api.route({
    method: 'POST',
    path: '/applications/:name/rollback',
    tag: 'applications',
    summary: 'Sync the revision and source of a history entry (refused while automated sync is on)',
    auth: 'user',
    params: nameParam,
    body: z.strictObject({ id: z.number().int().min(1) }),
    response: operationStateSchema,
    handler: async (ctx) => {
      await authorized(ctx.principal, ctx.params.name, 'application:sync');
      if (!(await apps.getHistory(ctx.params.name, ctx.body.id))) throw notFound(`history entry ${ctx.body.id} of application ${ctx.params.name}`);
      return engine.rollback(ctx.params.name, ctx.body.id, ctx.principal.name, ctx.audit);
    },
  });

  api.route({
    method: 'GET',
    path: '/applications/:name/resources',
    tag: 'applications',
    summary: "The application's resources with their sync and health status",
    auth: 'user',
    params: nameParam,
    response: z.array(resourceStatusSchema),
    handler: async ({ principal, params }) => {
      await authorized(principal, params.name, 'application:read');
      return (await statusOf(params.name))?.resources ?? [];
    },
  });
}
