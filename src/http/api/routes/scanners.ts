/**
 * /api/v1/scanners: external Pluggable Scanner API adapters (administrators
 * register and remove them) and /api/v1/projects/{p}/scanner: which one a
 * project scans with (project:update to change, project:read to see).
 * Credentials are write-only.
 */
import { z } from 'zod';
import type { AccessServices } from '../../../access/services.ts';
import type { ScannerRegistration, ScannerRegistrations } from '../../../supply-chain/scanners/registrations.ts';
import { ADAPTER_AUTHS } from '../../../supply-chain/scanners/adapter-client.ts';
import { projectGuard } from '../guards.ts';
import type { ApiRouter } from '../router.ts';

const scannerInfo = z.object({ name: z.string(), vendor: z.string(), version: z.string() });
const registrationSchema = z.object({
  id: z.string(),
  name: z.string(),
  url: z.string(),
  description: z.string(),
  auth: z.enum(ADAPTER_AUTHS as unknown as ['none', 'Basic', 'Bearer', 'X-ScannerAdapter-API-Key']),
  has_credential: z.boolean(),
  is_default: z.boolean(),
  disabled: z.boolean(),
  scanner: scannerInfo.nullable(),
  capabilities: z.array(z.object({ type: z.string(), consumes_mime_types: z.array(z.string()), produces_mime_types: z.array(z.string()) })),
  created_by: z.string(),
  created_at: z.number().int(),
  updated_at: z.number().int(),
});

function toWire(r: ScannerRegistration): z.infer<typeof registrationSchema> {
  return {
    id: r.id,
    name: r.name,
    url: r.url,
    description: r.description,
    auth: r.auth,
    has_credential: r.hasCredential,
    is_default: r.isDefault,
    disabled: r.disabled,
    scanner: r.metadata?.scanner ?? null,
    capabilities: (r.metadata?.capabilities ?? []).map((c) => ({ type: c.type ?? 'vulnerability', consumes_mime_types: c.consumes_mime_types, produces_mime_types: c.produces_mime_types })),
    created_by: r.createdBy,
    created_at: r.createdAt,
    updated_at: r.updatedAt,
  };
}

const nameParam = z.object({ name: z.string().min(1).max(255) });
const projectParam = z.object({ project: z.string().min(1).max(255) });

export function scannerRoutes(api: ApiRouter, access: AccessServices, scanners: ScannerRegistrations): void {
  const guard = projectGuard(access);

  api.route({
    method: 'GET',
    path: '/scanners',
    tag: 'scanners',
    summary: 'External scanner adapters (Pluggable Scanner API) registered with Berth',
    auth: 'admin',
    response: z.array(registrationSchema),
    handler: async () => (await scanners.list()).map(toWire),
  });

  api.route({
    method: 'POST',
    path: '/scanners',
    tag: 'scanners',
    summary: 'Register an adapter: Berth asks it for its metadata first and refuses one that does not answer',
    auth: 'admin',
    status: 201,
    body: z.strictObject({
      name: z.string().min(1).max(255),
      url: z.string().min(1).max(2048),
      description: z.string().max(1024).optional(),
      auth: z.enum(['none', 'Basic', 'Bearer', 'X-ScannerAdapter-API-Key']).optional(),
      access_credential: z.string().min(1).max(4096).optional(),
      is_default: z.boolean().optional(),
      disabled: z.boolean().optional(),
    }),
    response: registrationSchema,
    handler: async ({ body, principal, audit }) =>
      toWire(
        await scanners.create(
          {
            name: body.name,
            url: body.url,
            ...(body.description !== undefined ? { description: body.description } : {}),
            ...(body.auth !== undefined ? { auth: body.auth } : {}),
            ...(body.access_credential !== undefined ? { credential: body.access_credential } : {}),
            ...(body.is_default !== undefined ? { isDefault: body.is_default } : {}),
            ...(body.disabled !== undefined ? { disabled: body.disabled } : {}),
          },
          principal.name,
          audit,
        ),
      ),
  });

  api.route({
    method: 'GET',
    path: '/scanners/:name',
    tag: 'scanners',
    summary: 'One registered adapter, by name or id',
    auth: 'admin',
    params: nameParam,
    response: registrationSchema,
    handler: async ({ params }) => toWire(await scanners.get(params.name)),
  });

  api.route({
    method: 'PATCH',
    path: '/scanners/:name',
    tag: 'scanners',
    summary: 'Change an adapter (URL, auth, credential — null drops it —, description, disabled); Berth re-reads its metadata, and refuses the change when the adapter does not answer',
    auth: 'admin',
    params: nameParam,
    body: z.strictObject({
      url: z.string().min(1).max(2048).optional(),
      description: z.string().max(1024).optional(),
      auth: z.enum(['none', 'Basic', 'Bearer', 'X-ScannerAdapter-API-Key']).optional(),
      access_credential: z.string().min(1).max(4096).nullable().optional(),
      disabled: z.boolean().optional(),
    }),
    response: registrationSchema,
    handler: async ({ params, body, audit }) =>
      toWire(
        await scanners.update(
          params.name,
          {
            ...(body.url !== undefined ? { url: body.url } : {}),
            ...(body.description !== undefined ? { description: body.description } : {}),
            ...(body.auth !== undefined ? { auth: body.auth } : {}),
            ...(body.access_credential !== undefined ? { credential: body.access_credential } : {}),
            ...(body.disabled !== undefined ? { disabled: body.disabled } : {}),
          },
          audit,
        ),
      ),
  });

  api.route({
    method: 'DELETE',
    path: '/scanners/:name',
    tag: 'scanners',
    summary: 'Remove an adapter; projects that used it fall back to the default scanner',
    auth: 'admin',
    params: nameParam,
    status: 204,
    handler: async ({ params, audit }) => {
      await scanners.remove(params.name, audit);
      return undefined;
    },
  });

  api.route({
    method: 'PUT',
    path: '/scanners/default',
    tag: 'scanners',
    summary: "The default scanner of projects without their own choice: a registration's name, or null for Berth's own",
    auth: 'admin',
    body: z.strictObject({ scanner: z.string().min(1).max(255).nullable() }),
    status: 204,
    handler: async ({ body, audit }) => {
      await scanners.setDefault(body.scanner ?? undefined, audit);
      return undefined;
    },
  });

  const projectScannerSchema = z.object({
    /** `berth` (Berth's own analyzer and matcher) or `external`. */
    engine: z.enum(['berth', 'external']),
    /** Whether the project chose it (false: the default applies). */
    explicit: z.boolean(),
    scanner: z.object({ name: z.string(), url: z.string(), scanner: scannerInfo.nullable(), disabled: z.boolean() }).nullable(),
  });

  const projectScanner = async (project: string): Promise<z.infer<typeof projectScannerSchema>> => {
    const { registration, explicit } = await scanners.projectScanner(project);
    return {
      engine: registration ? 'external' : 'berth',
      explicit,
      scanner: registration ? { name: registration.name, url: registration.url, scanner: registration.metadata?.scanner ?? null, disabled: registration.disabled } : null,
    };
  };

  api.route({
    method: 'GET',
    path: '/projects/:project/scanner',
    tag: 'scanners',
    summary: "The scanner a project's artifacts are scanned with",
    auth: 'optional',
    params: projectParam,
    response: projectScannerSchema,
    handler: async ({ params, principal }) => {
      await guard(principal, params.project, 'project:read');
      return projectScanner(params.project);
    },
  });

  api.route({
    method: 'PUT',
    path: '/projects/:project/scanner',
    tag: 'scanners',
    summary: "Choose a project's scanner: a registration's name or id, or null for the default",
    auth: 'user',
    params: projectParam,
    body: z.strictObject({ scanner: z.string().min(1).max(255).nullable() }),
    response: projectScannerSchema,
    handler: async ({ params, body, principal, audit }) => {
      await guard(principal, params.project, 'project:update');
      await scanners.setProjectScanner(params.project, body.scanner ?? undefined, audit);
      return projectScanner(params.project);
    },
  });
}
