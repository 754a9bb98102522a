/**
 * /api/v1/clusters: clusters applications deploy to (system administrators:
 * they hold credentials). Answers never carry the token or keys.
 */
import { z } from 'zod';
import { notFound } from '../../../access/errors.ts';
import type { AccessServices } from '../../../access/services.ts';
import { type ClusterInfo, type ClusterStore, clusterInputSchema } from '../../../gitops/apps/clusters.ts';
import type { ConnectionState, ConnectionStates } from '../../../gitops/apps/connections.ts';
import type { ApiRouter } from '../router.ts';

export interface ClusterRouteDeps {
  clusters: ClusterStore;
  connections: ConnectionStates;
}

/** When Berth last reached it, and the last error when that came after (never credentials). */
export const connectionSchema = z.object({
  lastSuccessAt: z.number().int().nullable(),
  lastError: z.object({ message: z.string(), at: z.number().int() }).nullable(),
});
export const NEVER_CONTACTED: ConnectionState = { lastSuccessAt: null, lastError: null };

const clusterSchema = z.object({
  name: z.string(),
  server: z.string(),
  auth: z.enum(['token', 'client-certificate', 'none']),
  hasCaData: z.boolean(),
  insecureSkipTlsVerify: z.boolean(),
  createdBy: z.string(),
  createdAt: z.number().int(),
  connection: connectionSchema,
});
const nameParam = z.object({ name: z.string().min(1).max(253) });

export function clusterRoutes(api: ApiRouter, _access: AccessServices, deps: ClusterRouteDeps): void {
  const { clusters, connections } = deps;
  const withState = async (list: ClusterInfo[]) => {
    const states = await connections.get('cluster', list.map((c) => c.server));
    return list.map((c) => ({ ...c, connection: states.get(c.server) ?? NEVER_CONTACTED }));
  };

  api.route({
    method: 'GET',
    path: '/clusters',
    tag: 'clusters',
    summary: 'List registered clusters (without credentials), each with its connection state',
    auth: 'admin',
    response: z.array(clusterSchema),
    handler: async () => withState(await clusters.list()),
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
    handler: async (ctx) => (await withState([await clusters.add(ctx.body, ctx.audit)]))[0],
  });

  api.route({
    method: 'GET',
    path: '/clusters/:name',
    tag: 'clusters',
    summary: 'Get a registered cluster (without credentials), with its connection state',
    auth: 'admin',
    params: nameParam,
    response: clusterSchema,
    handler: async ({ params }) => {
      const c = await clusters.get(params.name);
      if (!c) throw notFound(`cluster ${params.name}`);
      return (await withState([c]))[0];
    },
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
