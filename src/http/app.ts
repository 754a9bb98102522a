/**
 * Builds the HTTP server: registry (/v2), token service (/auth), health,
 * metrics. Domain errors become HTTP responses only here.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import type { AccessServices } from '../access/services.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { DomainError } from '../core/errors.ts';
import type { Metrics } from '../platform/observability/metrics.ts';
import { RegistryError } from '../oci/errors.ts';
import type { ArtifactService } from '../registry/artifacts.ts';
import type { ScanService } from '../supply-chain/scanning/service.ts';
import type { Registry } from '../registry/registry.ts';
import { ociErrorBody, ociStatus } from './oci-errors.ts';
import { AuthChallenge, RegistryGate } from './registry-auth.ts';
import { registerRegistryRoutes } from './registry-routes.ts';
import { registerTokenRoutes } from './token-routes.ts';
import { registerUi } from './ui.ts';
import { registerApi } from './api/index.ts';
import { scannerRoutes } from './api/routes/scanners.ts';
import { registerScannerAdapter, type AdapterScanFunction, type ScannerAdapterOptions } from './scanner-adapter.ts';
import type { ScannerRegistrations } from '../supply-chain/scanners/registrations.ts';
import type { StreamBus } from './api/stream.ts';
import { API_ERRORS, apiErrorBody, sendApiError } from './api/errors.ts';
import type { Delivery } from '../gitops/delivery.ts';
import type { Jobs } from '../platform/jobs/platform.ts';
import type { Notify } from '../notify/index.ts';
import type { Db } from '../platform/db/schema.ts';
import type { AuthDeps } from './api/routes/auth.ts';
import type { VulnDb } from '../supply-chain/vulndb/store.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Logical endpoint name, the `route` label of metrics. */
    routeLabel: string;
    /** Request body bytes consumed, when known. */
    bytesIn: number;
  }
}

export interface AppOptions {
  logger: FastifyBaseLogger;
  metrics: Metrics;
  registry: Registry;
  access: AccessServices;
  audit: AuditLog;
  version: string;
  baseUrl: string;
  tokenService: string;
  accessLog: boolean;
  trustProxy: boolean;
  /** Resolves to true once the server can take traffic. */
  ready: () => boolean;
  /** Sessions and OIDC sign-in routes (/api/v1/auth). */
  auth?: AuthDeps;
  /** The delivery side's stores and engine; absent when gitopsEnabled is off. */
  delivery?: Delivery;
  /** The job platform, for /api/v1/jobs. */
  jobs?: Jobs;
  /** Outgoing webhooks (/api/v1/projects/{p}/webhooks). */
  notify?: { notify: Notify; db: Db };
  /** The registry browsing API (/api/v1/projects/{p}/repositories). */
  artifacts?: ArtifactService;
  /** The built web UI served at / (src/http/ui.ts); default web/dist of the installation. */
  webDir?: string;
  /** Domain events, for /api/v1/stream. */
  events?: StreamBus;
  /** The scanning service (scans, reports, vulnerabilities, SBOMs; scan_overview on artifact lists). */
  scanning?: ScanService;
  /** External scanner registrations (/api/v1/scanners, /api/v1/projects/{p}/scanner). */
  scanners?: ScannerRegistrations;
  /** Berth's own scanner served as a Pluggable Scanner API adapter (/scanner-adapter/api/v1). */
  scannerAdapter?: { scan: AdapterScanFunction; options: ScannerAdapterOptions };
  /** Vulnerability data (/api/v1/vulndb). */
  vulndb?: { vulndb: VulnDb; downloadTimeoutMs: number };
}

export function buildApp(options: AppOptions): FastifyInstance {
  const { metrics, logger } = options;
  const app = Fastify({
    trustProxy: options.trustProxy,
    loggerInstance: logger,
    logController: new LogController({ disableRequestLogging: true }),
    exposeHeadRoutes: false,
    // Registry bodies are streamed; this limit applies to JSON/form bodies.
    bodyLimit: 1024 * 1024,
    return503OnClosing: true,
    keepAliveTimeout: 65_000,
    requestTimeout: 0,
    routerOptions: { maxParamLength: 1000 },
  });

  app.decorateRequest('routeLabel', 'other');
  app.decorateRequest('bytesIn', 0);
  app.decorateRequest('apiCaller', null);
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  app.addHook('onResponse', (req, reply, done) => {
    const labels = { method: req.method, route: req.routeLabel, status: String(reply.statusCode) };
    metrics.requests.inc(labels);
    metrics.duration.observe(labels, reply.elapsedTime / 1000);
    if (req.bytesIn > 0) metrics.bytesIn.inc({ route: req.routeLabel }, req.bytesIn);
    const out = Number(reply.getHeader('content-length') ?? 0);
    if (req.method !== 'HEAD' && out > 0) metrics.bytesOut.inc({ route: req.routeLabel }, out);
    if (options.accessLog) {
      req.log.info({ method: req.method, url: req.url, route: req.routeLabel, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
    }
    done();
  });

  app.setErrorHandler((error: FastifyError | Error, req, reply) => {
    if (isClientAbort(error)) {
      req.log.debug({ err: error.message }, 'client went away');
      return reply.code(400).send();
    }
    // /api/v1 answers in its own shape, whatever failed (src/http/api/errors.ts); /v2 and /auth keep OCI bodies.
    if (isApi(req.url)) return sendApiError(req, reply, error, options.access.audit);
    if (error instanceof RegistryError) {
      return reply.code(ociStatus(error.code)).type('application/json').send(ociErrorBody(error.code, error.message, error.detail));
    }
    if (error instanceof AuthChallenge) {
      if (error.challenge) reply.header('www-authenticate', error.challenge);
      const code = error.status === 401 ? 'UNAUTHORIZED' : error.status === 429 ? 'TOOMANYREQUESTS' : 'DENIED';
      if (error.retryAfterSeconds !== undefined) reply.header('retry-after', error.retryAfterSeconds);
      return reply.code(error.status).type('application/json').send(ociErrorBody(code, error.message));
    }
    if (error instanceof DomainError) {
      const { status, code } = API_ERRORS[error.kind];
      if (status === 401) reply.header('www-authenticate', 'Basic realm="berth"');
      if (error.retryAfterSeconds !== undefined) reply.header('retry-after', String(Math.max(1, Math.ceil(error.retryAfterSeconds))));
      return reply.code(status).type('application/json').send(apiErrorBody(code, error.message));
    }
    const status = (error as FastifyError).statusCode;
    if (status && status >= 400 && status < 500) {
      // Framework-level refusals (malformed JSON, oversized body, bad media type).
      return reply.code(status).type('application/json').send(ociErrorBody('UNSUPPORTED', error.message));
    }
    req.log.error({ err: error, route: req.routeLabel }, 'request failed');
    return reply.code(500).type('application/json').send(ociErrorBody('UNKNOWN', 'internal server error'));
  });

  app.setNotFoundHandler((req, reply) => {
    req.routeLabel = 'not-found';
    const message = `no endpoint ${req.method} ${req.url.split('?', 1)[0]!.slice(0, 200)}`;
    return reply.code(404).type('application/json').send(JSON.stringify({ errors: [{ code: 'NOT_FOUND', message }] }));
  });

  app.get('/healthz', (req, reply) => {
    req.routeLabel = 'healthz';
    return reply.send({ status: 'ok' });
  });
  app.get('/readyz', (req, reply) => {
    req.routeLabel = 'readyz';
    return options.ready() ? reply.send({ status: 'ready' }) : reply.code(503).send({ status: 'starting' });
  });
  app.get('/metrics', async (req, reply) => {
    req.routeLabel = 'metrics';
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  const gate = new RegistryGate(options.access, { realm: `${options.baseUrl}/auth/token`, service: options.tokenService });
  registerRegistryRoutes(app, { registry: options.registry, gate, access: options.access });
  registerTokenRoutes(app, options.access);
  const api = registerApi(app, options.access, options.version, options.audit, options.auth, options.delivery, options.jobs, options.notify, options.artifacts, options.events, options.metrics.registry, options.scanning, options.vulndb);
  if (options.scanners) scannerRoutes(api, options.access, options.scanners);
  if (options.scannerAdapter) registerScannerAdapter(app, options.scannerAdapter.scan, options.scannerAdapter.options, options.metrics.registry);
  registerUi(app, { dir: options.webDir });
  return app;
}

function isApi(url: string): boolean {
  return url === '/api/v1' || url.startsWith('/api/v1/') || url.startsWith('/api/v1?');
}

function isClientAbort(error: Error): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' || error.message === 'aborted';
}
