/**
 * Wiring: config → database → stores → services → HTTP server → background
 * jobs. `startBerth` is what `berth serve` and the tests run.
 */
import type { FastifyInstance } from 'fastify';
import { pino, type Logger } from 'pino';
import { createAccessServices, type AccessServices } from './access/services.ts';
import { OidcClient, OidcSignIn, oidcSettingsFromConfig } from './access/oidc.ts';
import { SessionStore } from './access/sessions.ts';
import { throttleOptionsFromConfig } from './access/throttle.ts';
import { TokenService } from './access/tokens.ts';
import { ADMIN_USERNAME } from './access/users.ts';
import { parseListen, type Config } from './config/config.ts';
import { openDatabase } from './platform/db/database.ts';
import type { Db } from './platform/db/schema.ts';
import { buildApp } from './http/app.ts';
import { Metrics } from './platform/observability/metrics.ts';
import { DeliveryMetrics } from './gitops/metrics.ts';
import { AuditLog } from './audit/audit-log.ts';
import { createBackground } from './background.ts';
import type { DomainEvents } from './platform/events/bus.ts';
import type { Jobs } from './platform/jobs/platform.ts';
import type { Scanning } from './supply-chain/scanning/index.ts';
import { ArtifactService } from './registry/artifacts.ts';
import { PullStats } from './registry/pull-stats.ts';
import { Registry } from './registry/registry.ts';
import { FilesystemStorage } from './storage/filesystem.ts';
import { sealStoredCredentials } from './gitops/apps/credentials.ts';
import { createDelivery, type Delivery } from './gitops/delivery.ts';
import { createNotify } from './notify/index.ts';
import { Sealer } from './platform/secrets/sealer.ts';
import { ScannerRegistrations } from './supply-chain/scanners/registrations.ts';
import { ownAdapterScan } from './supply-chain/scanners/own-scanner.ts';
import { VulnDb } from './supply-chain/vulndb/store.ts';
import { limitsFromConfig } from './supply-chain/analyzer/index.ts';
import { sbomDocument } from './supply-chain/sbom/index.ts';
import { attachSbom } from './supply-chain/sbom/attach.ts';
import { VulnDbMetrics } from './supply-chain/vulndb/metrics.ts';
import pkg from '../package.json' with { type: 'json' };

export const BERTH_VERSION: string = pkg.version;

export interface Berth {
  app: FastifyInstance;
  db: Db;
  registry: Registry;
  access: AccessServices;
  delivery?: Delivery;
  jobs: Jobs;
  events: DomainEvents;
  scanning: Scanning;
  /** External scanner registrations; `engineFor(project)` gives a project's external ScanEngine. */
  scanners: ScannerRegistrations;
  /** Imported vulnerability data; `vulndb.lookup` is the matcher's AdvisoryLookup. */
  vulndb: VulnDb;
  /** The bound address, e.g. http://127.0.0.1:5000. */
  address: string;
  close(): Promise<void>;
}

export function createLogger(config: Pick<Config, 'logLevel'>): Logger {
  return pino({
    level: config.logLevel,
    base: { service: 'berth' },
    redact: { paths: ['req.headers.authorization', '*.password', '*.token', '*.secret'], censor: '[redacted]' },
  });
}

export async function startBerth(config: Config, logger: Logger = createLogger(config)): Promise<Berth> {
  let ready = false;
  // A half-configured OIDC stops the start here, before anything is opened.
  const oidcSettings = oidcSettingsFromConfig(config);
  const db = await openDatabase(config.database);
  const tokens = await TokenService.open(db, { issuer: config.tokenService, audience: config.tokenService, ttlSeconds: config.tokenTtlSeconds });
  const metrics = new Metrics();
  // Validates auditForward before anything listens: a typo stops the start.
  const audit = AuditLog.fromConfig(db, config, { logger, metrics: metrics.registry });
  const access = createAccessServices(db, tokens, { anonymousPull: config.anonymousPull, audit, loginThrottle: throttleOptionsFromConfig(config) });
  const sessions = new SessionStore(db, access.users, { ttlSeconds: config.sessionTtlSeconds, baseUrl: config.baseUrl });
  access.sessions = sessions;
  const oidc = oidcSettings && new OidcSignIn(db, new OidcClient(oidcSettings, { warn: (m) => logger.warn(m) }), access.users, { baseUrl: config.baseUrl });
  oidc?.client.discover().catch((err: unknown) => logger.warn({ reason: (err as Error).message }, 'OIDC provider not reachable yet; sign-in retries discovery'));
  const generated = await access.users.ensureAdmin(config.adminPassword);
  if (generated) {
    // Printed once, on the console only: the log stream may be shipped elsewhere.
    process.stdout.write(`\nBerth created the ${ADMIN_USERNAME} account with the generated password:\n\n    ${generated}\n\nIt is not shown again. Set BERTH_ADMIN_PASSWORD before the first start to choose it.\n\n`);
  }
  const storage = await FilesystemStorage.open({ root: config.storage, fsync: config.storageFsync });
  const registry = new Registry(db, storage, { catalogPageSize: config.catalogDefaultPageSize });
  registry.uploads.onCountChange = (n) => metrics.uploadsInFlight.set(n);
  // Pull counts are written in batches, never on the pull's path (docs/artifacts.md).
  const pullStats = new PullStats(db, { metrics: metrics.registry, onError: (err) => logger.warn({ reason: (err as Error).message }, 'pull counts not written yet; retrying') });
  registry.pulls = pullStats;
  const adopted = await access.projects.adoptOrphanRepositories(ADMIN_USERNAME);
  if (adopted > 0) logger.info({ projects: adopted }, 'created projects for repositories that had none');

  // Jobs and events; background work runs as scheduled jobs (src/background.ts).
  const background = createBackground(config, db, logger, { registry, access, audit, metrics: metrics.registry, version: BERTH_VERSION });
  await background.recover();
  // One sealer for every secret kept in the database (webhooks, cluster and Git credentials).
  const sealer = await Sealer.open(db, config.secretKey);
  // Credentials stored before they were sealed (migration 0012) are sealed now, also with GitOps off.
  const sealed = await sealStoredCredentials(db, sealer);
  if (sealed.clusters + sealed.repositories > 0) logger.info(sealed, 'sealed stored cluster and Git repository credentials');
  const notify = await createNotify(db, config, { audit, jobs: background.jobs, events: background.events, metrics: metrics.registry, version: BERTH_VERSION, sealer });
  const vulndb = new VulnDb(db, {
    jobs: background.jobs,
    audit,
    metrics: new VulnDbMetrics(metrics.registry),
    limits: { maxFileBytes: config.vulndbMaxImportBytes, maxRecordBytes: config.vulndbMaxRecordBytes, maxJsonBytes: config.vulndbMaxJsonBytes },
  });
  await vulndb.refreshMetrics();
  const scanners = new ScannerRegistrations(db, registry, sealer, audit, access, {
    registryUrl: config.baseUrl,
    maxScanSeconds: config.externalScannerTimeoutSeconds,
    maxRefreshSeconds: config.externalScannerMaxRefreshSeconds,
    requestTimeoutMs: config.externalScannerRequestTimeoutSeconds * 1000,
    maxReportBytes: config.externalScannerMaxReportBytes,
  });
  // A project's configured external scanner replaces Berth's own engine for its scans.
  background.scanning.engines.resolver = (project) => scanners.engineFor(project);
  background.scanning.service.sbom = {
    render: (format, inventories, subject) => sbomDocument(format, inventories, subject, { toolVersion: BERTH_VERSION }),
    attach: (repository, digest, format, document, actor) => attachSbom(registry, repository, digest, format, document, { actor }),
  };
  // Berth's scanner served as an adapter: the analyzer with the configured limits, the scanning service's matcher.
  const adapterScan =
    config.scannerAdapterToken !== undefined
      ? ownAdapterScan({
          version: BERTH_VERSION,
          limits: limitsFromConfig(config),
          match: (inventories) => background.scanning.berth.match(inventories, vulndb.lookup),
          sources: () => vulndb.sources(),
        })
      : undefined;
  const delivery = config.gitopsEnabled ? createDelivery(config, db, sealer, audit, logger, access.projects, new DeliveryMetrics(metrics.registry), background.events) : undefined;

  const app = buildApp({
    logger,
    metrics,
    registry,
    access,
    audit,
    version: BERTH_VERSION,
    baseUrl: config.baseUrl,
    tokenService: config.tokenService,
    accessLog: config.accessLog,
    trustProxy: config.trustProxy,
    ready: () => ready,
    auth: { sessions, oidc, baseUrl: config.baseUrl },
    ...(delivery ? { delivery } : {}),
    jobs: background.jobs,
    notify: { notify, db },
    artifacts: new ArtifactService(registry, audit),
    ...(config.webDir ? { webDir: config.webDir } : {}),
    events: background.events,
    scanning: background.scanning.service,
    scanners,
    ...(adapterScan && config.scannerAdapterToken !== undefined
      ? {
          scannerAdapter: {
            scan: adapterScan,
            options: { token: config.scannerAdapterToken, maxConcurrent: config.scannerAdapterConcurrency, resultTtlSeconds: config.scannerAdapterResultTtlSeconds, maxRequests: config.scannerAdapterMaxRequests, refreshAfterSeconds: 1 },
          },
        }
      : {}),
    vulndb: { vulndb, downloadTimeoutMs: config.vulndbDownloadTimeoutSeconds * 1000 },
  });

  const { host, port } = parseListen(config.listen);
  const address = await app.listen({ host, port });
  await background.start();
  if (delivery) {
    await delivery.engine.start();
    if (config.appsDir) await delivery.loadAppsDir(config.appsDir);
  }
  ready = true;
  logger.info({ address, externalUrl: config.baseUrl, dataDir: config.dataDir }, 'berth is serving');

  return {
    app,
    db,
    registry,
    access,
    ...(delivery ? { delivery } : {}),
    jobs: background.jobs,
    events: background.events,
    scanning: background.scanning,
    scanners,
    vulndb,
    address,
    async close() {
      ready = false;
      await app.close();
      await delivery?.close();
      // Running jobs finish (or give their leases back) while the database is open.
      await background.stop();
      await notify.close();
      await pullStats.close().catch((err: unknown) => logger.warn({ reason: (err as Error).message }, 'pull counts not written at shutdown'));
      // After the server stops taking requests: every acknowledged record is written.
      await audit.close();
      await db.destroy();
    },
  };
}
