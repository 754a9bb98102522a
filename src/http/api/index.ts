/** Registers every /api/v1 route module. */
import type { FastifyInstance } from 'fastify';
import type { AccessServices } from '../../access/services.ts';
import type { AuditLog } from '../../audit/audit-log.ts';
import type { Delivery } from '../../gitops/delivery.ts';
import type { Jobs } from '../../platform/jobs/platform.ts';
import type { Notify } from '../../notify/index.ts';
import type { Db } from '../../platform/db/schema.ts';
import type { ArtifactService } from '../../registry/artifacts.ts';
import type { ScanService } from '../../supply-chain/scanning/service.ts';
import type { Registry } from 'prom-client';
import { ApiRouter } from './router.ts';
import { EventStreams, type StreamBus } from './stream.ts';
import { applicationTreeRoutes } from './routes/application-tree.ts';
import { applicationRoutes } from './routes/applications.ts';
import { artifactRoutes } from './routes/artifacts.ts';
import { auditRoutes } from './routes/audit.ts';
import { authRoutes, type AuthDeps } from './routes/auth.ts';
import { clusterRoutes } from './routes/clusters.ts';
import { deliveryPolicyRoutes } from './routes/delivery-policy.ts';
import { gitWebhookRoutes } from './routes/git-webhooks.ts';
import { jobRoutes } from './routes/jobs.ts';
import { projectRoutes } from './routes/projects.ts';
import { gitRepositoryRoutes } from './routes/git-repositories.ts';
import { registryRepositoryRoutes } from './routes/registry-repositories.ts';
import { robotRoutes } from './routes/robots.ts';
import { scanningRoutes } from './routes/scanning.ts';
import { systemRoutes } from './routes/system.ts';
import { userRoutes } from './routes/users.ts';
import { webhookRoutes } from './routes/webhooks.ts';
import { vulndbRoutes } from './routes/vulndb.ts';
import type { VulnDb } from '../../supply-chain/vulndb/store.ts';

export function registerApi(app: FastifyInstance, access: AccessServices, version: string, audit: AuditLog, auth?: AuthDeps, delivery?: Delivery, jobs?: Jobs, notify?: { notify: Notify; db: Db }, artifacts?: ArtifactService, events?: StreamBus, metrics?: Registry, scanning?: ScanService, vulndb?: { vulndb: VulnDb; downloadTimeoutMs: number }): ApiRouter {
  const api = new ApiRouter(app, access);
  if (auth) authRoutes(api, access, auth);
  auditRoutes(api, access, audit);
  userRoutes(api, access);
  projectRoutes(api, access, artifacts);
  if (artifacts) {
    registryRepositoryRoutes(api, access, artifacts);
    artifactRoutes(api, access, artifacts, scanning);
  }
  if (scanning) scanningRoutes(api, access, scanning);
  robotRoutes(api, access);
  systemRoutes(api, access, version, auth?.baseUrl);
  if (jobs) jobRoutes(api, jobs, audit);
  if (delivery) {
    applicationRoutes(api, access, { apps: delivery.apps, engine: delivery.engine, operations: delivery.operations });
    applicationTreeRoutes(api, access, { apps: delivery.apps, engine: delivery.engine });
    clusterRoutes(api, access, { clusters: delivery.clusters, connections: delivery.connections });
    gitRepositoryRoutes(api, access, { repositories: delivery.repositories, connections: delivery.connections });
    deliveryPolicyRoutes(api, access, { policies: delivery.policies });
    gitWebhookRoutes(api, access, { engine: delivery.engine, secrets: delivery.webhookSecrets, app });
  }
  if (notify) webhookRoutes(api, access, notify.notify, notify.db);
  if (events) new EventStreams(app, access, events, metrics).register(api);
  if (vulndb) vulndbRoutes(api, { ...vulndb, app });
  return api;
}
