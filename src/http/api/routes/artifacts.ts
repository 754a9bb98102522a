/**
 * /api/v1/projects/{project}/repositories/{repository}/artifacts: browse,
 * tag, untag, delete and copy artifacts, in Harbor's shapes. Changes go
 * through the registry's own operations, so events and invariants are those
 * of /v2, and each is audited with the change.
 */
import { z } from 'zod';
import type { AccessServices } from '../../../access/services.ts';
import { ARTIFACT_Q_KEYS, ARTIFACT_SORT, artifactFilter } from '../../../registry/artifact-query.ts';
import type { ArtifactService } from '../../../registry/artifacts.ts';
import type { ScanService } from '../../../supply-chain/scanning/service.ts';
import type { ScanOverview } from '../../../supply-chain/scanning/views.ts';
import { projectGuard } from '../guards.ts';
import { type ApiRouter, boolString, listQuery, parseQ, parseSort, setPaging } from '../router.ts';
import { artifactDetailSchema, artifactParams, artifactSchema, repositoryParams, tagParams, tagSchema } from './artifact-schemas.ts';

const listArtifactsQuery = listQuery.extend({
  with_tag: boolString.optional().describe('include tags (default true)'),
  with_label: boolString.optional().describe("include the config's Labels (default false)"),
  with_scan_overview: boolString.optional().describe("include Harbor's scan_overview of scanned artifacts (default false)"),
});

export function artifactRoutes(api: ApiRouter, access: AccessServices, artifacts: ArtifactService, scans?: ScanService): void {
  const guard = projectGuard(access);
  /** Adds scan_overview to the artifacts that have a scan report (Harbor leaves it out for the others). */
  async function withOverview<T extends { digest: string }>(items: T[]): Promise<(T & { scan_overview?: ScanOverview })[]> {
    if (!scans) return items;
    const overviews = await scans.overviews(items.map((a) => a.digest));
    return items.map((a) => {
      const o = overviews.get(a.digest);
      return o ? { ...a, scan_overview: o } : a;
    });
  }

  api.route({
    method: 'GET',
    path: '/projects/:project/repositories/:repository/artifacts',
    tag: 'artifacts',
    summary: 'List artifacts (q: tags=x, tags=~x, tags=*, tags=nil, digest=…, digest=~prefix, type=IMAGE|INDEX|OTHER, media_type=…; sort: push_time, pull_time, pull_count, size, digest; default -push_time)',
    auth: 'optional',
    params: repositoryParams,
    query: listArtifactsQuery,
    paged: true,
    response: z.array(artifactSchema),
    handler: async ({ principal, params, query, req, reply }) => {
      await guard(principal, params.project, 'artifact:list');
      const result = await artifacts.listArtifacts(params.project, params.repository, {
        filter: artifactFilter(parseQ(query.q, ARTIFACT_Q_KEYS)),
        sort: parseSort(query.sort, ARTIFACT_SORT),
        page: query.page,
        pageSize: query.page_size,
        withTag: query.with_tag ?? true,
        withLabel: query.with_label ?? false,
      });
      setPaging(req, reply, query.page, query.page_size, result.total);
      return query.with_scan_overview ? withOverview(result.items) : result.items;
    },
  });

  api.route({
    method: 'POST',
    path: '/projects/:project/repositories/:repository/artifacts',
    tag: 'artifacts',
    summary: 'Copy an artifact here from another repository: from=<project>/<repository>@<digest> or :<tag> (needs pull there and push here; blobs are linked, not copied)',
    auth: 'user',
    status: 201,
    params: repositoryParams,
    query: z.object({ from: z.string().min(3).max(600).describe('<project>/<repository>@<digest> or <project>/<repository>:<tag>') }),
    response: artifactSchema,
    handler: async ({ principal, params, query, audit, reply }) => {
      await guard(principal, params.project, 'repository:push');
      const source = artifacts.parseCopySource(query.from);
      await guard(principal, source.project, 'repository:pull');
      const copied = await artifacts.copyArtifact(source, params.project, params.repository, audit);
      reply.header('location', `/api/v1/projects/${params.project}/repositories/${encodeURIComponent(params.repository)}/artifacts/${copied.digest}`);
      return copied;
    },
  });

  api.route({
    method: 'GET',
    path: '/projects/:project/repositories/:repository/artifacts/:reference',
    tag: 'artifacts',
    summary: 'Get an artifact by tag or digest: config summary, layers, index children with platforms, referrers',
    auth: 'optional',
    params: artifactParams,
    query: z.object({ with_scan_overview: boolString.optional().describe("include Harbor's scan_overview when the artifact was scanned (default false)") }),
    response: artifactDetailSchema,
    handler: async ({ principal, params, query }) => {
      await guard(principal, params.project, 'artifact:read');
      const detail = await artifacts.getArtifact(params.project, params.repository, params.reference);
      return query.with_scan_overview ? (await withOverview([detail]))[0] : detail;
    },
  });

  api.route({
    method: 'DELETE',
    path: '/projects/:project/repositories/:repository/artifacts/:reference',
    tag: 'artifacts',
    summary: 'Delete an artifact (by tag or digest) with all its tags, its referrers and the index children nothing else uses',
    auth: 'user',
    status: 204,
    params: artifactParams,
    handler: async ({ principal, params, audit }) => {
      await guard(principal, params.project, 'artifact:delete');
      await artifacts.deleteArtifact(params.project, params.repository, params.reference, audit);
    },
  });

  api.route({
    method: 'POST',
    path: '/projects/:project/repositories/:repository/artifacts/:reference/tags/:tag',
    tag: 'artifacts',
    summary: 'Tag an artifact; 409 when the tag exists already',
    auth: 'user',
    status: 201,
    params: tagParams,
    response: tagSchema,
    handler: async ({ principal, params, audit }) => {
      await guard(principal, params.project, 'tag:create');
      return artifacts.addTag(params.project, params.repository, params.reference, params.tag, audit);
    },
  });

  api.route({
    method: 'DELETE',
    path: '/projects/:project/repositories/:repository/artifacts/:reference/tags/:tag',
    tag: 'artifacts',
    summary: 'Remove a tag of the artifact (the artifact stays)',
    auth: 'user',
    status: 204,
    params: tagParams,
    handler: async ({ principal, params, audit }) => {
      await guard(principal, params.project, 'tag:delete');
      await artifacts.deleteTag(params.project, params.repository, params.reference, params.tag, audit);
    },
  });
}
