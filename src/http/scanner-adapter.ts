/**
 * Berth's own scanner served as a Harbor Pluggable Scanner API v1.2 adapter
 * at /scanner-adapter/api/v1/{metadata, scan, scan/{id}/report}, so an
 * existing Harbor (or another Berth) can register it. Callers authenticate
 * with the bearer token configured as scannerAdapterToken. A scan request
 * names a registry and gives the Authorization to pull with; Berth reads the
 * image from there (supply-chain/scanners/remote-source.ts), analyses and
 * matches it as it does its own images, and keeps the result in memory for
 * scannerAdapterResultTtlSeconds (Harbor polls within minutes; a restart
 * loses pending requests, which Harbor then reports as failed scans).
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Counter, type Registry as PromRegistry } from 'prom-client';
import { isSbomFormat, sbomDocument, type SbomFormat } from '../supply-chain/sbom/index.ts';
import { RemoteImageSource } from '../supply-chain/scanners/remote-source.ts';
import type { AdapterScanFunction } from '../supply-chain/scanners/own-scanner.ts';
import { toHarborReport } from '../supply-chain/scanners/report.ts';
import { CONSUMED_MIME_TYPES, SBOM_MEDIA_TYPES_SPEC, ScannerMime, mimeBase, sameMime, scanRequestSchema, type ScanRequest } from '../supply-chain/scanners/spec.ts';
import type { Finding, Inventory } from '../supply-chain/types.ts';

export type { AdapterScanFunction } from '../supply-chain/scanners/own-scanner.ts';
import { parseDigest } from '../oci/digest.ts';
import { MediaTypes } from '../oci/manifest.ts';
import { isValidRepositoryName } from '../oci/names.ts';

export const ADAPTER_PREFIX = '/scanner-adapter';

export interface ScannerAdapterOptions {
  token: string;
  maxConcurrent: number;
  resultTtlSeconds: number;
  /** Requests kept (queued, running or done) at most; more are refused with 503. */
  maxRequests: number;
  /** Seconds a caller is told to wait before polling again. */
  refreshAfterSeconds: number;
}

interface ScanState {
  request: ScanRequest;
  mediaType: string;
  state: 'queued' | 'running' | 'done' | 'failed';
  result?: { inventories: Inventory[]; findings: Finding[]; generatedAt: string };
  error?: string;
  finishedAt?: number;
}

const CONSUMED = new Set<string>([...CONSUMED_MIME_TYPES, MediaTypes.ociIndex, MediaTypes.dockerList]);
const SCAN_REQUEST_TYPE = /^application\/vnd\.scanner\.adapter\.scan\.request\+json/i;

/** Bytes, not a string: fastify then sends the spec's media type verbatim (no quoted version, no charset). */
function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

function sendError(reply: FastifyReply, status: number, message: string): FastifyReply {
  return reply.code(status).header('content-type', ScannerMime.error).send(Buffer.from(JSON.stringify({ error: { message } })));
}

export function registerScannerAdapter(app: FastifyInstance, adapter: AdapterScanFunction, options: ScannerAdapterOptions, metrics?: PromRegistry): void {
  const scans = new Map<string, ScanState>();
  const expected = createHash('sha256').update(options.token).digest();
  let running = 0;
  const queue: string[] = [];
  /** Running analyses, aborted when the server closes (the database goes away after it). */
  const controllers = new Set<AbortController>();
  app.addHook('onClose', async () => {
    for (const c of controllers) c.abort(new Error('Berth is shutting down'));
  });
  const counter = new Counter({ name: 'berth_scanner_adapter_scans_total', help: 'Scan requests served by Berth as a Pluggable Scanner API adapter, by outcome', labelNames: ['outcome'], registers: metrics ? [metrics] : [] });

  const authorized = (req: FastifyRequest): boolean => {
    const header = req.headers.authorization ?? '';
    const m = /^Bearer\s+(.+)$/i.exec(header);
    if (!m) return false;
    return timingSafeEqual(createHash('sha256').update(m[1]!.trim()).digest(), expected);
  };

  const prune = (): void => {
    const cutoff = Date.now() - options.resultTtlSeconds * 1000;
    for (const [id, s] of scans) if (s.finishedAt !== undefined && s.finishedAt < cutoff) scans.delete(id);
  };

  const pump = (): void => {
    while (running < options.maxConcurrent && queue.length > 0) {
      const id = queue.shift()!;
      const s = scans.get(id);
      if (!s) continue;
      running++;
      s.state = 'running';
      const controller = new AbortController();
      controllers.add(controller);
      const { registry, artifact } = s.request;
      void (async () => {
        try {
          const source = new RemoteImageSource(registry.url, artifact.repository, registry.authorization, controller.signal);
          const result = await adapter.scan(source, { repository: artifact.repository, digest: artifact.digest, mediaType: s.mediaType }, controller.signal);
          s.result = { ...result, generatedAt: new Date().toISOString() };
          s.state = 'done';
          counter.inc({ outcome: 'success' });
        } catch (err) {
          s.error = (err as Error).message.slice(0, 1000);
          s.state = 'failed';
          counter.inc({ outcome: 'failure' });
          app.log.warn({ repository: artifact.repository, digest: artifact.digest, reason: s.error }, 'scanner adapter: scan failed');
        } finally {
          controllers.delete(controller);
          s.finishedAt = Date.now();
          running--;
          pump();
        }
      })();
    }
  };

  void app.register(
    (scope, _opts, done) => {
      scope.addContentTypeParser(SCAN_REQUEST_TYPE, { parseAs: 'string', bodyLimit: 64 * 1024 }, (_req, body, next) => next(null, body));
      scope.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_req, body, next) => next(null, body));
      scope.addHook('onRequest', async (req, reply) => {
        req.routeLabel = 'scanner-adapter';
        if (!authorized(req)) {
          reply.header('www-authenticate', 'Bearer realm="berth-scanner-adapter"');
          return sendError(reply, 401, 'a valid bearer token is required');
        }
      });

      scope.get('/api/v1/metadata', async (_req, reply) => {
        const properties = { 'harbor.scanner-adapter/scanner-type': 'os-package-vulnerability', ...((await adapter.properties?.()) ?? {}) };
        const consumes = [...CONSUMED];
        return reply
          .header('content-type', ScannerMime.metadata)
          .send(
            json({
              scanner: adapter.scanner,
              capabilities: [
                { type: 'vulnerability', consumes_mime_types: consumes, produces_mime_types: [ScannerMime.vulnReport, ScannerMime.vulnReportHarbor] },
                { type: 'sbom', consumes_mime_types: consumes, produces_mime_types: [ScannerMime.sbomReport], additional_attributes: { sbom_media_types: [...SBOM_MEDIA_TYPES_SPEC] } },
              ],
              properties,
            }),
          );
      });

      scope.post('/api/v1/scan', async (req, reply) => {
        let raw: unknown;
        try {
          raw = JSON.parse(typeof req.body === 'string' ? req.body : '');
        } catch {
          return sendError(reply, 400, 'the body is not JSON');
        }
        const parsed = scanRequestSchema.safeParse(raw);
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          return sendError(reply, 400, `invalid scan request: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim());
        }
        const request = parsed.data;
        const { artifact, registry } = request;
        if (!isValidRepositoryName(artifact.repository)) return sendError(reply, 422, `invalid artifact.repository ${JSON.stringify(artifact.repository.slice(0, 100))}`);
        try {
          parseDigest(artifact.digest);
        } catch {
          return sendError(reply, 422, `invalid artifact.digest ${JSON.stringify(artifact.digest.slice(0, 100))}: sha256 or sha512 digests only`);
        }
        if (!URL.canParse(registry.url.includes('://') ? registry.url : `https://${registry.url}`)) return sendError(reply, 422, 'invalid registry.url');
        const mediaType = artifact.mime_type ?? MediaTypes.ociManifest;
        if (!CONSUMED.has(mimeBase(mediaType))) return sendError(reply, 501, `cannot scan artifacts of type ${mediaType.slice(0, 100)}`);
        for (const cap of request.enabled_capabilities ?? []) {
          for (const t of cap.parameters?.sbom_media_types ?? []) if (!(SBOM_MEDIA_TYPES_SPEC as readonly string[]).includes(t)) return sendError(reply, 422, `unsupported sbom media type ${t.slice(0, 100)}`);
        }
        prune();
        if (scans.size >= options.maxRequests) {
          reply.header('retry-after', String(options.refreshAfterSeconds));
          return sendError(reply, 503, 'too many scan requests pending: try again later');
        }
        const id = randomUUID();
        scans.set(id, { request, mediaType: mimeBase(mediaType), state: 'queued' });
        queue.push(id);
        pump();
        return reply.code(202).header('content-type', ScannerMime.scanResponse).send(json({ id }));
      });

      scope.get<{ Params: { id: string }; Querystring: { sbom_media_type?: string } }>('/api/v1/scan/:id/report', async (req, reply) => {
        const s = scans.get(req.params.id);
        if (!s) return sendError(reply, 404, `no scan request ${req.params.id.slice(0, 100)}`);
        const accept = req.headers.accept ?? '';
        const wanted = accept === '' || accept === '*/*' ? ScannerMime.vulnReport : accept.split(',').map((a) => a.trim()).find((a) => [ScannerMime.vulnReport, ScannerMime.vulnReportHarbor, ScannerMime.sbomReport].some((m) => sameMime(a, m)));
        if (wanted === undefined) return sendError(reply, 501, `cannot produce ${accept.slice(0, 200)}`);
        let sbomFormat: SbomFormat | undefined;
        if (sameMime(wanted, ScannerMime.sbomReport)) {
          const t = req.query.sbom_media_type;
          const format = t === 'application/spdx+json' ? 'spdx' : t === 'application/vnd.cyclonedx+json' ? 'cyclonedx' : undefined;
          if (format === undefined || !isSbomFormat(format)) return sendError(reply, 400, 'an SBOM report needs ?sbom_media_type=application/spdx+json or application/vnd.cyclonedx+json');
          sbomFormat = format;
        }
        if (s.state === 'queued' || s.state === 'running') {
          return reply.code(302).header('refresh-after', String(options.refreshAfterSeconds)).send();
        }
        if (s.state === 'failed' || !s.result) return sendError(reply, 500, s.error ?? 'scan failed');
        const { artifact } = s.request;
        const scannedArtifact = { repository: artifact.repository, digest: artifact.digest, ...(artifact.tag ? { tag: artifact.tag } : {}), mime_type: s.mediaType };
        if (sbomFormat !== undefined) {
          const subject = { repository: artifact.repository, digest: artifact.digest, tags: artifact.tag ? [artifact.tag] : [] };
          return reply
            .header('content-type', ScannerMime.sbomReport)
            .send(json({ generated_at: s.result.generatedAt, artifact: scannedArtifact, scanner: adapter.scanner, media_type: req.query.sbom_media_type, sbom: sbomDocument(sbomFormat, s.result.inventories, subject) }));
        }
        const report = toHarborReport(s.result.findings, { artifact: scannedArtifact, scanner: adapter.scanner, generatedAt: s.result.generatedAt });
        return reply.header('content-type', sameMime(wanted, ScannerMime.vulnReportHarbor) ? ScannerMime.vulnReportHarbor : ScannerMime.vulnReport).send(json(report));
      });
      done();
    },
    { prefix: ADAPTER_PREFIX },
  );
}
