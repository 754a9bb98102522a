/**
 * The scanning API (docs/scanning.md, "API"): request scans of an artifact,
 * a repository or everything; read an artifact's report, vulnerabilities,
 * packages and SBOM. Reading needs artifact:read; scanning scan:create;
 * re-attaching an SBOM also repository:push; scan-all is for system
 * administrators.
 */
import { z } from 'zod';
import { DomainError } from '../../../core/errors.ts';
import type { AccessServices } from '../../../access/services.ts';
import { FINDING_SORTS, type FindingSort } from '../../../supply-chain/scanning/query.ts';
import type { ScanService, SbomFormat } from '../../../supply-chain/scanning/service.ts';
import { toPackage, toVulnerability } from '../../../supply-chain/scanning/views.ts';
import { SEVERITIES, type Severity } from '../../../supply-chain/types.ts';
import { projectGuard } from '../guards.ts';
import { type ApiRouter, boolString, pageQuery, setPaging } from '../router.ts';
import { artifactParams, repositoryParams } from './artifact-schemas.ts';
import { jobIdSchema, packageSchema, queuedSchema, scanReportSchema, vulnerabilitySchema } from './scan-schemas.ts';

const ARTIFACT = '/projects/:project/repositories/:repository/artifacts/:reference';

const severityList = z
  .string()
  .max(200)
  .transform((s, ctx) => {
    const out: Severity[] = [];
    for (const part of s.split(',').map((x) => x.trim()).filter(Boolean)) {
      const hit = SEVERITIES.find((v) => v.toLowerCase() === part.toLowerCase());
      if (!hit) {
        ctx.addIssue({ code: 'custom', message: `unknown severity ${JSON.stringify(part)}; use ${SEVERITIES.join(', ')}` });
        return z.NEVER;
      }
      out.push(hit);
    }
    return out;
  });

const sortParam = z
  .string()
  .max(32)
  .transform((s, ctx) => {
    const desc = s.startsWith('-');
    const field = (desc ? s.slice(1) : s) as FindingSort;
    if (!FINDING_SORTS.includes(field)) {
      ctx.addIssue({ code: 'custom', message: `cannot sort by ${JSON.stringify(s)}; use ${FINDING_SORTS.map((f) => `-${f}`).join(', ')} (or without -)` });
      return z.NEVER;
    }
    return { field, desc };
  });

const formatParam = z.enum(['cyclonedx', 'spdx']).default('cyclonedx');
const SBOM_TYPES: Record<SbomFormat, { mediaType: string; suffix: string }> = {
  cyclonedx: { mediaType: 'application/vnd.cyclonedx+json', suffix: 'cdx.json' },
  spdx: { mediaType: 'application/spdx+json', suffix: 'spdx.json' },
};

export function scanningRoutes(api: ApiRouter, access: AccessServices, scans: ScanService): void {
  const guard = projectGuard(access);
  const sbomWriters = () => {
    if (!scans.sbom) throw new DomainError('unavailable', 'SBOM documents are not part of this build');
    return scans.sbom;
  };

  api.route({
    method: 'POST',
    path: `${ARTIFACT}/scan`,
    tag: 'scanning',
    summary: 'Scan an image or index (by tag or digest): queues a scan.artifact job; one job per digest (a scan already queued or running is reused)',
    auth: 'user',
    status: 202,
    params: artifactParams,
    response: jobIdSchema,
    handler: async ({ principal, params, audit }) => {
      await guard(principal, params.project, 'scan:create');
      return scans.scanArtifact(params.project, params.repository, params.reference, audit);
    },
  });

  api.route({
    method: 'GET',
    path: `${ARTIFACT}/scan`,
    tag: 'scanning',
    summary: 'The scan report of an artifact: status, summary, scanner, error, platforms (distro, package count), what the analyzer skipped; 404 NOT_SCANNED before its first scan',
    auth: 'optional',
    params: artifactParams,
    response: scanReportSchema,
    handler: async ({ principal, params }) => {
      await guard(principal, params.project, 'artifact:read');
      return scans.report(params.project, params.repository, params.reference);
    },
  });

  api.route({
    method: 'GET',
    path: `${ARTIFACT}/vulnerabilities`,
    tag: 'scanning',
    summary: 'The vulnerabilities found in an artifact (severity=Critical,High; fixable=true|false; package: name contains; q: id, alias, package or description contains; sort: -severity (default), -cvss, package, id)',
    auth: 'optional',
    params: artifactParams,
    query: z.object({
      ...pageQuery,
      severity: severityList.optional(),
      fixable: boolString.optional(),
      package: z.string().max(256).optional(),
      q: z.string().max(256).optional(),
      sort: sortParam.optional(),
    }),
    paged: true,
    response: z.array(vulnerabilitySchema),
    handler: async ({ principal, params, query, req, reply }) => {
      await guard(principal, params.project, 'artifact:read');
      const result = await scans.vulnerabilities(params.project, params.repository, params.reference, {
        ...(query.severity ? { severities: query.severity } : {}),
        ...(query.fixable !== undefined ? { fixable: query.fixable } : {}),
        ...(query.package ? { package: query.package } : {}),
        ...(query.q ? { q: query.q } : {}),
        sort: query.sort ?? { field: 'severity', desc: true },
        page: query.page,
        pageSize: query.page_size,
      });
      setPaging(req, reply, query.page, query.page_size, result.total);
      return result.items.map(toVulnerability);
    },
  });

  api.route({
    method: 'GET',
    path: `${ARTIFACT}/packages`,
    tag: 'scanning',
    summary: 'The packages inventoried in an artifact (type: deb, apk, rpm, npm, pypi, golang, maven, cargo, nuget, composer, gem; q: name, version or purl contains)',
    auth: 'optional',
    params: artifactParams,
    query: z.object({ ...pageQuery, type: z.string().max(16).optional(), q: z.string().max(256).optional() }),
    paged: true,
    response: z.array(packageSchema),
    handler: async ({ principal, params, query, req, reply }) => {
      await guard(principal, params.project, 'artifact:read');
      const result = await scans.packages(params.project, params.repository, params.reference, {
        ...(query.type ? { type: query.type } : {}),
        ...(query.q ? { q: query.q } : {}),
        page: query.page,
        pageSize: query.page_size,
      });
      setPaging(req, reply, query.page, query.page_size, result.total);
      return result.items.map(toPackage);
    },
  });

  api.route({
    method: 'GET',
    path: `${ARTIFACT}/sbom`,
    tag: 'scanning',
    summary: 'The SBOM of a scanned artifact as a download: CycloneDX 1.6 JSON (default) or SPDX 2.3 JSON; 404 NOT_SCANNED when it has no stored inventory',
    auth: 'optional',
    params: artifactParams,
    query: z.object({ format: formatParam }),
    response: z.record(z.string(), z.unknown()).describe('the CycloneDX or SPDX document'),
    responseType: 'application/vnd.cyclonedx+json',
    handler: async ({ principal, params, query, reply }) => {
      await guard(principal, params.project, 'artifact:read');
      const writers = sbomWriters();
      const stored = await scans.inventories(params.project, params.repository, params.reference);
      const doc = writers.render(query.format, stored.inventories, { repository: stored.repository, digest: stored.digest, tags: stored.tags });
      const type = SBOM_TYPES[query.format];
      const file = `${stored.repository.replace(/[^a-zA-Z0-9._-]+/g, '_')}_${stored.digest.replace(':', '-').slice(0, 19)}.${type.suffix}`;
      reply.header('content-type', type.mediaType);
      reply.header('content-disposition', `attachment; filename="${file}"`);
      reply.code(200).send(JSON.stringify(doc));
      return reply;
    },
  });

  api.route({
    method: 'POST',
    path: `${ARTIFACT}/sbom`,
    tag: 'scanning',
    summary: 'Regenerate the SBOM from the stored inventory and attach it to the artifact as an OCI referrer (subject = the artifact); needs scan:create and repository:push',
    auth: 'user',
    status: 202,
    params: artifactParams,
    query: z.object({ format: formatParam }),
    response: z.object({ digest: z.string().describe('digest of the SBOM manifest pushed as a referrer'), format: z.enum(['cyclonedx', 'spdx']) }),
    handler: async ({ principal, params, query, audit }) => {
      await guard(principal, params.project, 'scan:create');
      await guard(principal, params.project, 'repository:push');
      const attached = await scans.attachSbom(params.project, params.repository, params.reference, query.format, audit.actor.name);
      return { digest: attached.digest, format: query.format };
    },
  });

  api.route({
    method: 'POST',
    path: '/projects/:project/repositories/:repository/scan',
    tag: 'scanning',
    summary: 'Scan every image and index of a repository (referrers and other artifacts are not scanned)',
    auth: 'user',
    status: 202,
    params: repositoryParams,
    response: queuedSchema,
    handler: async ({ principal, params, audit }) => {
      await guard(principal, params.project, 'scan:create');
      return scans.scanRepository(params.project, params.repository, audit);
    },
  });

  api.route({
    method: 'POST',
    path: '/scan-all',
    tag: 'scanning',
    summary: 'Scan every image and index of every project (system administrators)',
    auth: 'admin',
    status: 202,
    response: queuedSchema,
    handler: async ({ audit }) => scans.scanAll(audit),
  });
}
