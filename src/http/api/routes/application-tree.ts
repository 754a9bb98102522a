/**
 * /api/v1/applications/{name}/resource-tree: the application's managed
 * resources and what the cluster made of them (Argo CD's resource tree),
 * for whoever may read the application (404 otherwise, as for the other
 * application routes).
 */
import { z } from 'zod';
import { notFound } from '../../../access/errors.ts';
import type { AccessServices } from '../../../access/services.ts';
import type { ApplicationStore } from '../../../gitops/apps/store.ts';
import type { DeliveryEngine } from '../../../gitops/types.ts';
import type { ApiRouter } from '../router.ts';

const refSchema = z.object({ group: z.string(), kind: z.string(), namespace: z.string(), name: z.string(), uid: z.string().optional() });
const nodeSchema = z.object({
  group: z.string(),
  version: z.string(),
  kind: z.string(),
  namespace: z.string(),
  name: z.string(),
  uid: z.string().optional(),
  parentRefs: z.array(refSchema),
  managed: z.boolean(),
  sync: z.enum(['Synced', 'OutOfSync', 'Unknown']).optional(),
  requiresPruning: z.boolean().optional(),
  health: z.object({ status: z.string(), message: z.string().optional() }).optional(),
  info: z.object({
    images: z.array(z.string()).optional(),
    replicas: z.object({ ready: z.number().int(), desired: z.number().int() }).optional(),
    podPhase: z.string().optional(),
    ready: z.string().optional(),
    restarts: z.number().int().optional(),
    createdAt: z.string().optional(),
  }),
});

export function applicationTreeRoutes(api: ApiRouter, access: AccessServices, deps: { apps: ApplicationStore; engine: DeliveryEngine }): void {
  api.route({
    method: 'GET',
    path: '/applications/:name/resource-tree',
    tag: 'applications',
    summary: 'The resource tree: managed resources (sync state, health) and their children by ownerReferences (ReplicaSets, Pods, EndpointSlices, Jobs, ControllerRevisions), listed live from the cluster (cached a few seconds); at most 2,000 nodes (truncated)',
    auth: 'user',
    params: z.object({ name: z.string().min(1).max(253) }),
    response: z.object({ nodes: z.array(nodeSchema), truncated: z.boolean() }),
    handler: async ({ principal, params }) => {
      const record = await deps.apps.get(params.name);
      if (!record || !(await access.authorizer.can(principal, record.project, 'application:read'))) throw notFound(`application ${params.name}`);
      return deps.engine.resourceTree(params.name);
    },
  });
}
