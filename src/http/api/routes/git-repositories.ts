/**
 * /api/v1/git-repositories: Git repositories with credentials (system
 * administrators). Answers say which credentials a repository has, never
 * their values. Repositories that are not registered are read anonymously.
 */
import { z } from 'zod';
import type { AccessServices } from '../../../access/services.ts';
import type { ConnectionStates } from '../../../gitops/apps/connections.ts';
import type { RepositoryInfo, RepositoryStore } from '../../../gitops/apps/repositories.ts';
import { NEVER_CONTACTED, connectionSchema } from './clusters.ts';
import type { ApiRouter } from '../router.ts';

export interface GitRepositoryRouteDeps {
  repositories: RepositoryStore;
  connections: ConnectionStates;
}

const repositorySchema = z.object({
  url: z.string(),
  normalizedUrl: z.string(),
  type: z.enum(['https', 'http', 'ssh', 'other']),
  username: z.string().optional(),
  hasPassword: z.boolean(),
  hasSshPrivateKey: z.boolean(),
  hasKnownHosts: z.boolean(),
  insecureIgnoreHostKey: z.boolean(),
  createdBy: z.string(),
  createdAt: z.number().int(),
  connection: connectionSchema,
});

export function gitRepositoryRoutes(api: ApiRouter, _access: AccessServices, deps: GitRepositoryRouteDeps): void {
  const { repositories, connections } = deps;
  const withState = async (list: RepositoryInfo[]) => {
    const states = await connections.get('git', list.map((r) => r.normalizedUrl));
    return list.map((r) => ({ ...r, connection: states.get(r.normalizedUrl) ?? NEVER_CONTACTED }));
  };

  api.route({
    method: 'GET',
    path: '/git-repositories',
    tag: 'git-repositories',
    summary: 'List registered Git repositories (without credentials), each with its connection state',
    auth: 'admin',
    response: z.array(repositorySchema),
    handler: async () => withState(await repositories.list()),
  });

  api.route({
    method: 'POST',
    path: '/git-repositories',
    tag: 'git-repositories',
    summary: 'Register a Git repository with credentials: username and password (or token) for HTTPS, sshPrivateKey and knownHosts for SSH',
    auth: 'admin',
    status: 201,
    body: z.strictObject({
      url: z.string().min(1).max(2048),
      username: z.string().min(1).max(255).optional(),
      password: z.string().min(1).max(65_536).optional(),
      sshPrivateKey: z.string().min(1).max(65_536).optional(),
      knownHosts: z.string().min(1).max(1_048_576).optional(),
      insecureIgnoreHostKey: z.boolean().optional(),
    }),
    response: repositorySchema,
    handler: async (ctx) => (await withState([await repositories.add(ctx.body, ctx.audit)]))[0],
  });

  api.route({
    method: 'DELETE',
    path: '/git-repositories',
    tag: 'git-repositories',
    summary: 'Remove a registered repository (?url=, matched in normalized form); it is read anonymously from then on',
    auth: 'admin',
    status: 204,
    query: z.object({ url: z.string().min(1).max(2048) }),
    handler: (ctx) => repositories.remove(ctx.query.url, ctx.audit),
  });
}
