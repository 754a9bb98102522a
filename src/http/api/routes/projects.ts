/** /api/v1/projects and their members. */
import { z } from 'zod';
import { forbidden } from '../../../access/errors.ts';
import { ROLES } from '../../../access/permissions.ts';
import type { Project } from '../../../access/projects.ts';
import type { AccessServices } from '../../../access/services.ts';
import type { ArtifactService } from '../../../registry/artifacts.ts';
import { projectGuard } from '../guards.ts';
import { type ApiRouter, boolString, listQuery, parseQ, parseSort, setPaging } from '../router.ts';

/** Harbor's project metadata: string values "true" / "false". */
const metadataValue = z.union([z.enum(['true', 'false']), z.boolean()]).transform((v) => v === true || v === 'true');
const metadataInput = z.strictObject({ public: metadataValue.optional(), auto_scan: metadataValue.optional().describe('scan every pushed image (Harbor key)'), auto_sbom_generation: metadataValue.optional().describe('attach a CycloneDX SBOM after each scan (Harbor key)') }).describe("Harbor's metadata; values \"true\" or \"false\"");

const projectSchema = z.object({
  name: z.string(),
  public: z.boolean(),
  autoScan: z.boolean().describe('every push is scanned (metadata.auto_scan)'),
  autoSbom: z.boolean().describe('a CycloneDX SBOM is attached after each scan (metadata.auto_sbom_generation)'),
  metadata: z.object({ public: z.enum(['true', 'false']), auto_scan: z.enum(['true', 'false']), auto_sbom_generation: z.enum(['true', 'false']) }).describe("Harbor's metadata"),
  createdBy: z.string(),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
  repositoryCount: z.number().int().optional(),
  repository_count: z.number().int().describe('registry repositories in the project (Harbor name)'),
  member_count: z.number().int().describe('users and groups with a role (Harbor name)'),
});
const memberSchema = z.object({ kind: z.enum(['user', 'group']), name: z.string(), role: z.enum(ROLES), createdAt: z.number().int() });
const projectParam = z.object({ project: z.string().min(1).max(255) });
const memberParam = projectParam.extend({ kind: z.enum(['user', 'group']), member: z.string().min(1).max(255) });

export function projectRoutes(api: ApiRouter, access: AccessServices, artifacts?: ArtifactService): void {
  const { projects, authorizer, users } = access;

  /** Adds Harbor's repository_count and member_count (0 without the registry service: tools and tests). */
  async function withCounts(list: Project[]): Promise<(Project & { repository_count: number; member_count: number; metadata: { public: 'true' | 'false'; auto_scan: 'true' | 'false'; auto_sbom_generation: 'true' | 'false' } })[]> {
    const counts = artifacts ? await artifacts.projectCounts(list.map((p) => p.name)) : new Map<string, { repositories: number; members: number }>();
    const flag = (b: boolean) => (b ? 'true' : 'false');
    return list.map((p) => ({
      ...p,
      repository_count: counts.get(p.name)?.repositories ?? 0,
      member_count: counts.get(p.name)?.members ?? 0,
      metadata: { public: flag(p.public), auto_scan: flag(p.autoScan), auto_sbom_generation: flag(p.autoSbom) },
    }));
  }

  const requirePermission = projectGuard(access);

  api.route({
    method: 'GET',
    path: '/projects',
    tag: 'projects',
    summary: 'List the projects you can see (q: name, public; sort: name, created)',
    auth: 'optional',
    query: listQuery,
    paged: true,
    response: z.array(projectSchema),
    handler: async ({ principal, query, req, reply }) => {
      const q = parseQ(query.q, ['name', 'public']);
      const { names, includesPublic } = await authorizer.pullableProjects(principal);
      const name = q.get('name');
      const result = await projects.list(
        names,
        {
          ...(name?.op === 'eq' ? { name: name.value } : {}),
          ...(name?.op === 'contains' ? { nameContains: name.value } : {}),
          ...(q.get('public') ? { public: q.get('public')!.value === 'true' } : {}),
        },
        parseSort(query.sort, { name: 'name', created: 'created_at' } as const),
        { page: query.page, pageSize: query.page_size },
        includesPublic,
      );
      setPaging(req, reply, query.page, query.page_size, result.total);
      return withCounts(result.items);
    },
  });

  api.route({
    method: 'POST',
    path: '/projects',
    tag: 'projects',
    summary: 'Create a project (administrators, or everyone when the projectCreation setting allows)',
    auth: 'user',
    status: 201,
    body: z.strictObject({ name: z.string(), public: z.boolean().optional(), metadata: metadataInput.optional() }),
    response: projectSchema,
    handler: async (ctx) => {
      if (!ctx.principal.admin) {
        if (ctx.principal.kind !== 'user' || (await access.settings.get()).projectCreation !== 'everyone') throw forbidden('only administrators may create projects');
      }
      // A non-admin creator administers what they create.
      const created = await projects.create({ name: ctx.body.name, public: ctx.body.public ?? ctx.body.metadata?.public ?? false, autoScan: ctx.body.metadata?.auto_scan ?? false, autoSbom: ctx.body.metadata?.auto_sbom_generation ?? false, createdBy: ctx.principal.name, ...(ctx.principal.admin ? {} : { admin: ctx.principal.name }) }, ctx.audit);
      return (await withCounts([created]))[0];
    },
  });

  api.route({
    method: 'GET',
    path: '/projects/:project',
    tag: 'projects',
    summary: 'Get a project',
    auth: 'optional',
    params: projectParam,
    response: projectSchema,
    handler: async ({ principal, params }) => {
      await requirePermission(principal, params.project, 'project:read');
      return (await withCounts([await projects.get(params.project)]))[0];
    },
  });

  api.route({
    method: 'PUT',
    path: '/projects/:project',
    tag: 'projects',
    summary: 'Change project settings (public; metadata.public, metadata.auto_scan, metadata.auto_sbom_generation as Harbor)',
    auth: 'user',
    params: projectParam,
    body: z.strictObject({ public: z.boolean().optional(), metadata: metadataInput.optional() }),
    response: projectSchema,
    handler: async (ctx) => {
      await requirePermission(ctx.principal, ctx.params.project, 'project:update');
      const isPublic = ctx.body.public ?? ctx.body.metadata?.public;
      const autoScan = ctx.body.metadata?.auto_scan;
      const autoSbom = ctx.body.metadata?.auto_sbom_generation;
      const changes = { ...(isPublic !== undefined ? { public: isPublic } : {}), ...(autoScan !== undefined ? { autoScan } : {}), ...(autoSbom !== undefined ? { autoSbom } : {}) };
      return (await withCounts([await projects.update(ctx.params.project, changes, ctx.audit)]))[0];
    },
  });

  api.route({
    method: 'DELETE',
    path: '/projects/:project',
    tag: 'projects',
    summary: 'Delete a project; refused unless empty, or with force=true which deletes its repositories and robots',
    auth: 'user',
    status: 204,
    params: projectParam,
    query: z.object({ force: boolString.optional() }),
    handler: async (ctx) => {
      await requirePermission(ctx.principal, ctx.params.project, 'project:delete');
      await projects.delete(ctx.params.project, ctx.query.force ?? false, ctx.audit);
    },
  });

  api.route({
    method: 'GET',
    path: '/projects/:project/members',
    tag: 'members',
    summary: 'List members',
    auth: 'user',
    params: projectParam,
    response: z.array(memberSchema),
    handler: async ({ principal, params }) => {
      await requirePermission(principal, params.project, 'member:list');
      return projects.members(params.project);
    },
  });

  api.route({
    method: 'POST',
    path: '/projects/:project/members',
    tag: 'members',
    summary: 'Add a user or an OIDC group with a role',
    auth: 'user',
    status: 201,
    params: projectParam,
    body: z.strictObject({ kind: z.enum(['user', 'group']).default('user'), name: z.string().min(1).max(255), role: z.enum(ROLES) }),
    response: memberSchema,
    handler: async (ctx) => {
      await requirePermission(ctx.principal, ctx.params.project, 'member:create');
      return projects.addMember(ctx.params.project, ctx.body, (n) => users.exists(n), ctx.audit);
    },
  });

  api.route({
    method: 'PUT',
    path: '/projects/:project/members/:kind/:member',
    tag: 'members',
    summary: "Change a member's role",
    auth: 'user',
    status: 204,
    params: memberParam,
    body: z.strictObject({ role: z.enum(ROLES) }),
    handler: async (ctx) => {
      await requirePermission(ctx.principal, ctx.params.project, 'member:update');
      await projects.updateMember(ctx.params.project, ctx.params.kind, ctx.params.member, ctx.body.role, ctx.audit);
    },
  });

  api.route({
    method: 'DELETE',
    path: '/projects/:project/members/:kind/:member',
    tag: 'members',
    summary: 'Remove a member',
    auth: 'user',
    status: 204,
    params: memberParam,
    handler: async (ctx) => {
      await requirePermission(ctx.principal, ctx.params.project, 'member:delete');
      await projects.removeMember(ctx.params.project, ctx.params.kind, ctx.params.member, ctx.audit);
    },
  });
}

