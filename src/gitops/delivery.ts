/**
 * Wiring of the delivery side: stores (applications, clusters, repositories,
 * project delivery policies), the shared Git cache, the renderer, one
 * Kubernetes client and watch cache per cluster, and the engine.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { AuditRecorder } from '../audit/types.ts';
import type { Config } from '../config/config.ts';
import type { Db } from '../platform/db/schema.ts';
import { ApplicationStore, guardProjectDeletion } from './apps/store.ts';
import type { ProjectService } from '../access/projects.ts';
import type { DeliveryMetrics } from './metrics.ts';
import { applyManifests, loadManifests } from './apps/loader.ts';
import { ADMIN_USERNAME } from '../access/users.ts';
import { ClusterStore } from './apps/clusters.ts';
import { ConnectionStates } from './apps/connections.ts';
import { normalizeRepoUrl } from './git/urls.ts';
import { DeliveryPolicyStore, resourceAllowed } from './apps/policy.ts';
import { RepositoryStore } from './apps/repositories.ts';
import { DeliveryCatalog } from './engine/catalog.ts';
import { GitOpsEngine } from './engine/engine.ts';
import { OperationStore } from './engine/operations.ts';
import { LeaseManager, instanceId } from '../platform/leases/leases.ts';
import type { EventPublisher } from '../platform/events/types.ts';
import { GitRepositoryCache } from './git/repo-cache.ts';
import { createKubeClient } from './kube/client.ts';
import { LiveStateCache } from './kube/cluster-cache.ts';
import { inClusterConnection } from './kube/kubeconfig.ts';
import { ManifestRenderer } from './render/index.ts';
import { APP_LABEL } from './types.ts';

export interface Delivery {
  apps: ApplicationStore;
  clusters: ClusterStore;
  repositories: RepositoryStore;
  policies: DeliveryPolicyStore;
  engine: GitOpsEngine;
  /** Every operation, also after it ended (the operation history). */
  operations: OperationStore;
  /** When each cluster and Git repository was last reached, and its last error. */
  connections: ConnectionStates;
  git: GitRepositoryCache;
  renderer: ManifestRenderer;
  webhookSecrets: { github?: string; gitlab?: string; gitea?: string };
  /** Creates or updates the Application and AppProject documents of a directory (berth serve --apps-dir). */
  loadAppsDir(dir: string): Promise<void>;
  close(): Promise<void>;
}

export function createDelivery(config: Config, db: Db, audit: AuditRecorder, logger: Logger, projects: ProjectService, metrics?: DeliveryMetrics, events?: EventPublisher): Delivery {
  const log = logger.child({ component: 'gitops' });
  const policies = new DeliveryPolicyStore(db, audit);
  const inCluster = config.gitopsInCluster ? inClusterConnection() : undefined;
  const clusters = new ClusterStore(db, audit, { inCluster: () => inCluster !== undefined });
  const repositories = new RepositoryStore(db, audit);
  const apps = new ApplicationStore(db, { policies, clusters, audit });
  const operations = new OperationStore(db, audit, events);
  const connections = new ConnectionStates(db);
  const git = new GitRepositoryCache({ dir: path.join(config.dataDir, 'gitops', 'git'), logger: log, defaultMaxAgeMs: config.gitopsReconcileSeconds * 1000 });
  const renderTemp = path.join(config.dataDir, 'gitops', 'render');
  mkdirSync(renderTemp, { recursive: true, mode: 0o700 });
  const renderer = new ManifestRenderer({
    kustomizeBinary: config.kustomizePath,
    helmBinary: config.helmPath,
    timeoutMs: config.gitopsRenderTimeoutSeconds * 1000,
    tempDir: renderTemp,
  });
  const engine = new GitOpsEngine(
    {
      store: apps,
      clusters,
      // Only objects carrying Berth's tracking label are cached: memory and
      // watch traffic scale with what Berth manages, not with the cluster.
      connect: (connection) => {
        const client = connections.watchKube(createKubeClient(connection, { qps: config.gitopsKubeQps, burst: config.gitopsKubeBurst }));
        return { client, cache: new LiveStateCache(client, { labelSelector: APP_LABEL, logger: log.child({ cluster: connection.name }) }) };
      },
      policies,
      resourceAllowed,
      repositories,
      git: connections.watchGit(git, normalizeRepoUrl),
      render: (input, repoUrl, hard) => renderer.render(input, { repoUrl, bypassCache: hard }),
      logger: log,
      coordination: { leases: new LeaseManager(db, instanceId()), operations, catalog: new DeliveryCatalog(db) },
      ...(metrics ? { observer: metrics } : {}),
      ...(inCluster ? { inCluster: { ...inCluster, name: 'in-cluster' } } : {}),
    },
    {
      reconcileIntervalMs: config.gitopsReconcileSeconds * 1000,
      jitterMs: config.gitopsJitterSeconds * 1000,
      selfHealDelayMs: config.gitopsSelfHealSeconds * 1000,
      statusProcessors: config.gitopsStatusProcessors,
      operationProcessors: config.gitopsOperationProcessors,
      stepTimeoutMs: config.gitopsStepTimeoutSeconds * 1000,
      leaseTtlMs: config.gitopsLeaseSeconds * 1000,
    },
  );
  metrics?.attach(engine);
  clusters.onChange((name) => void engine.clustersChanged(name));
  // A project holding applications is deleted only with force, which deletes
  // the applications and (cascade) their resources.
  projects.addDeletionGuard(async (trx, project, force) => {
    const names = await guardProjectDeletion(trx, project, force);
    if (names.length === 0) return undefined;
    return () => {
      apps.forgotten(names);
      for (const name of names) engine.deleted(name, { cascade: true }).catch((err: unknown) => log.error({ app: name, err }, 'deleting the resources of a force-deleted project failed'));
    };
  });
  return {
    apps,
    clusters,
    repositories,
    policies,
    engine,
    operations,
    connections,
    git,
    renderer,
    webhookSecrets: {
      ...(config.gitWebhookSecretGithub ? { github: config.gitWebhookSecretGithub } : {}),
      ...(config.gitWebhookSecretGitlab ? { gitlab: config.gitWebhookSecretGitlab } : {}),
      ...(config.gitWebhookSecretGitea ? { gitea: config.gitWebhookSecretGitea } : {}),
    },
    async loadAppsDir(dir) {
      const results = await applyManifests(await loadManifests(dir), { apps, policies }, { actor: { kind: 'user', name: ADMIN_USERNAME }, sourceIp: '' });
      log.info({ dir, documents: results.length }, 'applied application manifests from the apps directory');
    },
    close: () => engine.close(),
  };
}
