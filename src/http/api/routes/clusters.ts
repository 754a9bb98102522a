/**
 * /api/v1/clusters: clusters applications deploy to (system administrators:
 * they hold credentials). Answers never carry the token or keys.
 */
import { z } from 'zod';
import { notFound } from '../../../access/errors.ts';
import type { AccessServices } from '../../../access/services.ts';
import { type ClusterStore, clusterInputSchema } from '../../../gitops/apps/clusters.ts';
import type { ApiRouter } from '../router.ts';

export interface ClusterRouteDeps {
  clusters: ClusterStore;
}

const clusterSchema = z.object({
  name: z.string(),
  server: z.string(),
  auth: z.enum(['token', 'client-certificate', 'none']),
  hasCaData: z.boolean(),
  insecureSkipTlsVerify: z.boolean(),
  createdBy: z.string(),
  createdAt: z.number().int(),
});
const nameParam = z.object({ name: z.string().min(1).max(253) });

export function clusterRoutes(api: ApiRouter, _access: AccessServices, deps: ClusterRouteDeps): void {
  const { clusters } = deps;

  api.route({
    method: 'GET',
    path: '/clusters',
    tag: 'clusters',
    summary: 'List registered clusters (without credentials)',
    auth: 'admin',
    response: z.array(clusterSchema),
    handler: () => clusters.list(),
  });

  api.route({
    method: 'POST',
    path: '/clusters',
    tag: 'clusters',
    summary: 'Register a cluster: API server URL and a bearer token or client certificate and key (PEM); the answer omits them',
    auth: 'admin',
    status: 201,
    body: clusterInputSchema,
    response: clusterSchema,
    handler: (ctx) => clusters.add(ctx.body, ctx.audit),
  });

  api.route({
    method: 'GET',
    path: '/clusters/:name',
    tag: 'clusters',
    summary: 'Get a registered cluster (without credentials)',
    auth: 'admin',
    params: nameParam,
    response: clusterSchema,
    handler: async ({ params }) => (await clusters.get(params.name)) ?? Promise.reject(notFound(`cluster ${params.name}`)),
  });

  api.route({
    method: 'DELETE',
    path: '/clusters/:name',
    tag: 'clusters',
    summary: 'Remove a cluster; refused while applications deploy to it',
    auth: 'admin',
    status: 204,
    params: nameParam,
    handler: (ctx) => clusters.remove(ctx.params.name, ctx.audit),
  });
}
