/**
 * /api/v1/projects/{project}/delivery: a project's delivery policy (Argo
 * CD's AppProject spec). Members who read applications read it; project
 * administrators (project:update) set it. Without one, the project holds no
 * applications.
 */
import { z } from 'zod';
import { AccessError, forbidden } from '../../../access/errors.ts';
import type { Permission } from '../../../access/permissions.ts';
import type { Principal } from '../../../access/principal.ts';
import type { AccessServices } from '../../../access/services.ts';
import type { DeliveryPolicyStore } from '../../../gitops/apps/policy.ts';
import { deliveryPolicySchema } from '../../../gitops/model.ts';
import type { ApiRouter } from '../router.ts';

export interface DeliveryPolicyRouteDeps {
  policies: DeliveryPolicyStore;
}

const projectParam = z.object({ project: z.string().min(1).max(255) });
const storedSchema = z.object({ project: z.string(), policy: deliveryPolicySchema, updatedBy: z.string(), updatedAt: z.number().int() });

export function deliveryPolicyRoutes(api: ApiRouter, access: AccessServices, deps: DeliveryPolicyRouteDeps): void {
  const { policies } = deps;

  async function require(principal: Principal, project: string, permission: Permission): Promise<void> {
    const perms = await access.authorizer.permissions(principal, project);
    if (perms.has(permission)) return;
    if (!perms.has('application:read')) throw new AccessError('NOT_FOUND', `project ${project} not found`);
    throw forbidden(`you need ${permission} on project ${project}`);
  }

  api.route({
    method: 'GET',
    path: '/projects/:project/delivery',
    tag: 'delivery',
    summary: "Get a project's delivery policy (404 when it has none)",
    auth: 'user',
    params: projectParam,
    response: storedSchema,
    handler: async ({ principal, params }) => {
      await require(principal, params.project, 'application:read');
      const stored = await policies.getStored(params.project);
      if (!stored) throw new AccessError('NOT_FOUND', `project ${params.project} has no delivery policy: set one with PUT /api/v1/projects/${params.project}/delivery`);
      return stored;
    },
  });

  api.route({
    method: 'PUT',
    path: '/projects/:project/delivery',
    tag: 'delivery',
    summary: "Set a project's delivery policy: sourceRepos, destinations, cluster and namespace resource white/blacklists (project administrators)",
    auth: 'user',
    params: projectParam,
    body: deliveryPolicySchema,
    response: storedSchema,
    handler: async (ctx) => {
      await require(ctx.principal, ctx.params.project, 'project:update');
      return policies.set(ctx.params.project, ctx.body, ctx.audit);
    },
  });
}
