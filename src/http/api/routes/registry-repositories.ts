/**
 * /api/v1/projects/{project}/repositories: the registry repositories of a
 * project, in Harbor's shapes. `repository` is the name within the project,
 * URL-encoded (`a%2Fb`, or Harbor's double-encoded `a%252Fb`).
 */
import { z } from 'zod';
import type { AccessServices } from '../../../access/services.ts';
import { REPOSITORY_Q_KEYS, REPOSITORY_SORT, repositoryFilter } from '../../../registry/artifact-query.ts';
import type { ArtifactService } from '../../../registry/artifacts.ts';
import { projectGuard } from '../guards.ts';
import { type ApiRouter, listQuery, parseQ, parseSort, setPaging } from '../router.ts';
import { repositoryParams, repositorySchema } from './artifact-schemas.ts';

const projectParams = z.object({ project: z.string().min(1).max(255) });

export function registryRepositoryRoutes(api: ApiRouter, access: AccessServices, artifacts: ArtifactService): void {
  const guard = projectGuard(access);

  api.route({
    method: 'GET',
    path: '/projects/:project/repositories',
    tag: 'repositories',
    summary: 'List the registry repositories of a project (q: name=x or name=~x; sort: name, creation_time, update_time, pull_count)',
    auth: 'optional',
    params: projectParams,
    query: listQuery,
    paged: true,
    response: z.array(repositorySchema),
    handler: async ({ principal, params, query, req, reply }) => {
      await guard(principal, params.project, 'repository:list');
      const result = await artifacts.listRepositories(params.project, {
        filter: repositoryFilter(parseQ(query.q, REPOSITORY_Q_KEYS)),
        sort: parseSort(query.sort, REPOSITORY_SORT),
        page: query.page,
        pageSize: query.page_size,
      });
      setPaging(req, reply, query.page, query.page_size, result.total);
      return result.items;
    },
  });

  api.route({
    method: 'GET',
    path: '/projects/:project/repositories/:repository',
    tag: 'repositories',
    summary: 'Get a registry repository',
    auth: 'optional',
    params: repositoryParams,
    response: repositorySchema,
    handler: async ({ principal, params }) => {
      await guard(principal, params.project, 'repository:list');
      return artifacts.getRepository(params.project, params.repository);
    },
  });

  api.route({
    method: 'PUT',
    path: '/projects/:project/repositories/:repository',
    tag: 'repositories',
    summary: "Change a repository's description (needs repository:push)",
    auth: 'user',
    params: repositoryParams,
    body: z.strictObject({ description: z.string().max(4096) }),
    response: repositorySchema,
    handler: async ({ principal, params, body, audit }) => {
      await guard(principal, params.project, 'repository:push');
      return artifacts.updateRepository(params.project, params.repository, body, audit);
    },
  });

  api.route({
    method: 'DELETE',
    path: '/projects/:project/repositories/:repository',
    tag: 'repositories',
    summary: 'Delete a repository with every artifact and tag in it (storage is reclaimed by garbage collection)',
    auth: 'user',
    status: 204,
    params: repositoryParams,
    handler: async ({ principal, params, audit }) => {
      await guard(principal, params.project, 'repository:delete');
      await artifacts.deleteRepository(params.project, params.repository, audit);
    },
  });
}
