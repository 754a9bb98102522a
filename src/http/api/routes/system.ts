/** /api/v1/settings, /api/v1/permissions, /api/v1/system/info and the OpenAPI document. */
import { z } from 'zod';
import { ALL_PERMISSIONS, ROLES, ROLE_IDS, ROLE_PERMISSIONS } from '../../../access/permissions.ts';
import type { AccessServices } from '../../../access/services.ts';
import { buildOpenApi } from '../openapi.ts';
import type { ApiRouter } from '../router.ts';

const settingsSchema = z.object({ projectCreation: z.enum(['adminOnly', 'everyone']) });

export function systemRoutes(api: ApiRouter, access: AccessServices, version: string, baseUrl?: string): void {
  api.route({
    method: 'GET',
    path: '/system/info',
    tag: 'system',
    summary: 'What a client shows before sign-in: the version, the external URL and the registry host of pull commands (docker pull <registryHost>/<project>/<repository>@<digest>)',
    auth: 'none',
    response: z.object({ version: z.string(), externalUrl: z.string().nullable(), registryHost: z.string().nullable() }),
    handler: async () => {
      const external = baseUrl ? new URL(baseUrl) : undefined;
      // docker and crane name a registry by host[:port], never by scheme or path.
      return { version, externalUrl: baseUrl ?? null, registryHost: external ? external.host : null };
    },
  });

  api.route({
    method: 'GET',
    path: '/settings',
    tag: 'system',
    summary: 'System settings',
    auth: 'admin',
    response: settingsSchema,
    handler: () => access.settings.get(),
  });

  api.route({
    method: 'PUT',
    path: '/settings',
    tag: 'system',
    summary: 'Change system settings',
    auth: 'admin',
    body: settingsSchema.partial().strict(),
    response: settingsSchema,
    handler: (ctx) => access.settings.update(ctx.body, ctx.audit),
  });

  api.route({
    method: 'GET',
    path: '/permissions',
    tag: 'system',
    summary: 'The permission table: every permission and the roles holding it',
    auth: 'none',
    response: z.object({ permissions: z.array(z.string()), roles: z.array(z.object({ name: z.string(), id: z.number().int(), permissions: z.array(z.string()) })) }),
    handler: async () => ({
      permissions: [...ALL_PERMISSIONS],
      roles: ROLES.map((r) => ({ name: r, id: ROLE_IDS[r], permissions: [...ROLE_PERMISSIONS[r]] })),
    }),
  });

  let document: Record<string, unknown> | undefined;
  api.route({
    method: 'GET',
    path: '/openapi.json',
    tag: 'system',
    summary: 'This API as an OpenAPI 3.1 document',
    auth: 'none',
    handler: async () => (document ??= buildOpenApi(api, version)),
  });
}
