/**
 * /api/v1/robots: system robots (administrators) and project robots
 * (robot:* permissions on the project). Nobody grants a robot more than
 * they hold themselves; secrets appear only in create and refresh answers.
 */
import { z } from 'zod';
import { forbidden } from '../../../access/errors.ts';
import type { Permission } from '../../../access/permissions.ts';
import type { Principal } from '../../../access/principal.ts';
import type { Robot } from '../../../access/robots.ts';
import type { AccessServices } from '../../../access/services.ts';
import { projectGuard } from '../guards.ts';
import { type ApiRouter, pageQuery, setPaging } from '../router.ts';

const accessSchema = z.object({ resource: z.string().max(64), action: z.string().max(64) });
const permissionSetSchema = z.object({ namespace: z.string().min(1).max(255), access: z.array(accessSchema).max(100) });
const robotSchema = z.object({
  name: z.string(),
  level: z.enum(['system', 'project']),
  project: z.string().nullable(),
  description: z.string(),
  disabled: z.boolean(),
  expiresAt: z.number().int().nullable(),
  createdBy: z.string(),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
  permissions: z.array(permissionSetSchema),
});
const nameParam = z.object({ name: z.string().min(1).max(300) });

export function robotRoutes(api: ApiRouter, access: AccessServices): void {
  const { robots, authorizer } = access;
  const guard = projectGuard(access);

  /** Whether `principal` may hold `p` on `namespace` (and so grant it). */
  const mayGrant = (principal: Principal) => async (namespace: string, p: Permission) =>
    principal.admin || (namespace !== '*' && (await authorizer.can(principal, namespace, p)));

  /** Managing a robot: admins for system robots, robot:<action> on its project. */
  async function requireOn(principal: Principal, robot: Pick<Robot, 'level' | 'project'>, action: 'read' | 'update' | 'delete' | 'create' | 'list'): Promise<void> {
    if (principal.admin) return;
    if (robot.level === 'system' || robot.project === null) throw forbidden('only administrators manage system robots');
    await guard(principal, robot.project, `robot:${action}`);
  }

  api.route({
    method: 'GET',
    path: '/robots',
    tag: 'robots',
    summary: 'List robots: all (administrators) or those of ?project=',
    auth: 'user',
    query: z.object({ ...pageQuery, project: z.string().max(255).optional(), level: z.enum(['system', 'project']).optional() }),
    paged: true,
    response: z.array(robotSchema),
    handler: async ({ principal, query, req, reply }) => {
      if (query.project !== undefined) await requireOn(principal, { level: 'project', project: query.project }, 'list');
      else if (!principal.admin) throw forbidden('give ?project= or be an administrator');
      const result = await robots.list({ ...(query.project !== undefined ? { project: query.project } : {}), ...(query.level ? { level: query.level } : {}) }, { page: query.page, pageSize: query.page_size });
      setPaging(req, reply, query.page, query.page_size, result.total);
      return result.items;
    },
  });

  api.route({
    method: 'POST',
    path: '/robots',
    tag: 'robots',
    summary: 'Create a robot; the secret is in the response only',
    auth: 'user',
    status: 201,
    body: z.strictObject({
      name: z.string(),
      level: z.enum(['system', 'project']),
      description: z.string().max(1024).optional(),
      duration: z.number().int().optional().describe('days until expiry; -1 never; default 30'),
      disabled: z.boolean().optional(),
      permissions: z.array(permissionSetSchema).min(1).max(100),
    }),
    response: robotSchema.extend({ secret: z.string() }),
    handler: async (ctx) => {
      const project = ctx.body.level === 'project' ? (ctx.body.permissions[0]?.namespace ?? null) : null;
      await requireOn(ctx.principal, { level: ctx.body.level, project }, 'create');
      const { robot, secret } = await robots.create(ctx.body, ctx.principal.name, mayGrant(ctx.principal), ctx.audit);
      return { ...robot, secret };
    },
  });

  api.route({
    method: 'GET',
    path: '/robots/:name',
    tag: 'robots',
    summary: 'Get a robot (name as robot$… , URL-encoded)',
    auth: 'user',
    params: nameParam,
    response: robotSchema,
    handler: async ({ principal, params }) => {
      const robot = await robots.get(params.name);
      await requireOn(principal, robot, 'read');
      return robot;
    },
  });

  api.route({
    method: 'PUT',
    path: '/robots/:name',
    tag: 'robots',
    summary: 'Update description, disabled, duration (from now) or permissions',
    auth: 'user',
    params: nameParam,
    body: z.strictObject({ description: z.string().max(1024).optional(), disabled: z.boolean().optional(), duration: z.number().int().optional(), permissions: z.array(permissionSetSchema).min(1).max(100).optional() }),
    response: robotSchema,
    handler: async (ctx) => {
      const robot = await robots.get(ctx.params.name);
      await requireOn(ctx.principal, robot, 'update');
      return robots.update(robot.name, ctx.body, mayGrant(ctx.principal), ctx.audit);
    },
  });

  api.route({
    method: 'PATCH',
    path: '/robots/:name/secret',
    tag: 'robots',
    summary: 'Refresh the secret (random, or the one given); the old one stops working at once',
    auth: 'user',
    params: nameParam,
    body: z.strictObject({ secret: z.string().optional() }).optional(),
    response: z.object({ secret: z.string() }),
    handler: async (ctx) => {
      const robot = await robots.get(ctx.params.name);
      await requireOn(ctx.principal, robot, 'update');
      return { secret: await robots.refreshSecret(robot.name, ctx.body?.secret, ctx.audit) };
    },
  });

  api.route({
    method: 'DELETE',
    path: '/robots/:name',
    tag: 'robots',
    summary: 'Delete a robot; its tokens stop working at once',
    auth: 'user',
    status: 204,
    params: nameParam,
    handler: async (ctx) => {
      const robot = await robots.get(ctx.params.name);
      await requireOn(ctx.principal, robot, 'delete');
      await robots.delete(robot.name, ctx.audit);
    },
  });
}
