/** /api/v1/users and /api/v1/users/me: accounts, passwords, API tokens. */
import { z } from 'zod';
import type { AccessServices } from '../../../access/services.ts';
import type { User } from '../../../access/users.ts';
import { AccessError } from '../../../access/errors.ts';
import { SYSTEM_PERMISSIONS, hasSystemPermission } from '../../../access/permissions.ts';
import { type ApiRouter, listQuery, parseQ, parseSort, setPaging } from '../router.ts';

const userSchema = z.object({
  username: z.string(),
  email: z.string().nullable(),
  admin: z.boolean(),
  source: z.enum(['local', 'oidc']),
  disabled: z.boolean(),
  groups: z.array(z.string()),
  createdAt: z.number().int(),
  updatedAt: z.number().int().nullable(),
});
const tokenSchema = z.object({ id: z.string(), name: z.string(), createdAt: z.number().int(), expiresAt: z.number().int().nullable(), lastUsedAt: z.number().int().nullable() });
const nameParam = z.object({ username: z.string().min(1).max(255) });

export function userRoutes(api: ApiRouter, access: AccessServices): void {
  const { users, apiTokens } = access;

  api.route({
    method: 'GET',
    path: '/users',
    tag: 'users',
    summary: 'List users (q: username, email, admin; sort: username, created)',
    auth: 'admin',
    query: listQuery,
    paged: true,
    response: z.array(userSchema),
    handler: async ({ query, req, reply }) => {
      const q = parseQ(query.q, ['username', 'email', 'admin']);
      const username = q.get('username');
      const result = await users.list(
        {
          ...(username?.op === 'eq' ? { username: username.value } : {}),
          ...(username?.op === 'contains' ? { usernameContains: username.value } : {}),
          ...(q.get('email') ? { email: q.get('email')!.value } : {}),
          ...(q.get('admin') ? { admin: q.get('admin')!.value === 'true' } : {}),
        },
        parseSort(query.sort, { username: 'username', created: 'created_at', email: 'email' } as const),
        { page: query.page, pageSize: query.page_size },
      );
      setPaging(req, reply, query.page, query.page_size, result.total);
      return result.items;
    },
  });

  api.route({
    method: 'POST',
    path: '/users',
    tag: 'users',
    summary: 'Create a local user',
    auth: 'admin',
    status: 201,
    body: z.strictObject({ username: z.string(), password: z.string(), email: z.email().nullable().optional(), admin: z.boolean().optional() }),
    response: userSchema,
    handler: async (ctx) => {
      return users.create(ctx.body, ctx.audit);
    },
  });

  api.route({
    method: 'GET',
    path: '/users/me',
    tag: 'users',
    summary: 'The signed-in account',
    auth: 'user',
    response: userSchema.or(z.object({ username: z.string(), kind: z.literal('robot') })),
    handler: async ({ principal }): Promise<User | { username: string; kind: 'robot' }> =>
      principal.kind === 'robot' ? { username: principal.name, kind: 'robot' } : users.get(principal.name),
  });

  api.route({
    method: 'GET',
    path: '/users/me/permissions',
    tag: 'users',
    summary: "What you may do, so a client can leave out what you cannot: with ?project=, your permissions on that project (none for a project you cannot see, as for one that does not exist); without, your system permissions (job:read, job:manage, project:create). admin: you are a system administrator",
    auth: 'optional',
    query: z.object({ project: z.string().min(1).max(255).optional() }),
    response: z.object({ admin: z.boolean(), permissions: z.array(z.string()) }),
    handler: async ({ principal, query }) => {
      if (query.project !== undefined) {
        // The authorizer that every route asks: the answer cannot drift from what the API allows.
        const perms = await access.authorizer.permissions(principal, query.project);
        return { admin: principal.admin, permissions: [...perms].sort() };
      }
      const system: string[] = SYSTEM_PERMISSIONS.filter((p) => hasSystemPermission(principal, p));
      // The same rule as POST /projects.
      if (principal.admin || (principal.kind === 'user' && (await access.settings.get()).projectCreation === 'everyone')) system.push('project:create');
      return { admin: principal.admin, permissions: system.sort() };
    },
  });

  api.route({
    method: 'PUT',
    path: '/users/me/password',
    tag: 'users',
    summary: 'Change your own password (the current one is required)',
    auth: 'user',
    status: 204,
    body: z.strictObject({ oldPassword: z.string(), newPassword: z.string() }),
    handler: async (ctx) => {
      await users.setPassword(ctx.principal.name, ctx.body.newPassword, ctx.body.oldPassword, ctx.audit);
      access.identity.invalidate();
    },
  });

  api.route({
    method: 'GET',
    path: '/users/me/tokens',
    tag: 'users',
    summary: 'Your personal API tokens',
    auth: 'user',
    response: z.array(tokenSchema),
    handler: async ({ principal }) => apiTokens.list(principal.name),
  });

  api.route({
    method: 'POST',
    path: '/users/me/tokens',
    tag: 'users',
    summary: 'Create a personal API token (the secret is in the response only)',
    auth: 'user',
    status: 201,
    body: z.strictObject({ name: z.string(), expiresInDays: z.number().int().optional() }),
    response: tokenSchema.extend({ secret: z.string() }),
    handler: async (ctx) => {
      if (ctx.principal.kind !== 'user') throw new AccessError('FORBIDDEN', 'only users have personal API tokens');
      const { token, secret } = await apiTokens.create(ctx.principal.name, ctx.body.name, ctx.body.expiresInDays, ctx.audit);
      return { ...token, secret };
    },
  });

  api.route({
    method: 'DELETE',
    path: '/users/me/tokens/:id',
    tag: 'users',
    summary: 'Revoke one of your personal API tokens',
    auth: 'user',
    status: 204,
    params: z.object({ id: z.string().max(64) }),
    handler: async (ctx) => {
      await apiTokens.revoke(ctx.principal.name, ctx.params.id, ctx.audit);
    },
  });

  api.route({
    method: 'GET',
    path: '/users/:username',
    tag: 'users',
    summary: 'Get a user',
    auth: 'admin',
    params: nameParam,
    response: userSchema,
    handler: async ({ params }) => users.get(params.username),
  });

  api.route({
    method: 'PUT',
    path: '/users/:username',
    tag: 'users',
    summary: 'Update a user (email, admin flag, disabled)',
    auth: 'admin',
    params: nameParam,
    body: z.strictObject({ email: z.email().nullable().optional(), admin: z.boolean().optional(), disabled: z.boolean().optional() }),
    response: userSchema,
    handler: async (ctx) => {
      const user = await users.update(ctx.params.username, ctx.body, ctx.audit);
      access.identity.invalidate();
      access.authorizer.invalidate();
      return user;
    },
  });

  api.route({
    method: 'PUT',
    path: '/users/:username/password',
    tag: 'users',
    summary: "Reset a user's password",
    auth: 'admin',
    status: 204,
    params: nameParam,
    body: z.strictObject({ newPassword: z.string() }),
    handler: async (ctx) => {
      await users.setPassword(ctx.params.username, ctx.body.newPassword, undefined, ctx.audit);
      access.identity.invalidate();
    },
  });

  api.route({
    method: 'DELETE',
    path: '/users/:username',
    tag: 'users',
    summary: 'Delete a user (memberships and tokens go with it)',
    auth: 'admin',
    status: 204,
    params: nameParam,
    handler: async (ctx) => {
      await users.delete(ctx.params.username, ctx.audit);
      access.identity.invalidate();
      access.authorizer.invalidate();
    },
  });
}
