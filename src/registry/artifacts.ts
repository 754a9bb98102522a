/**
 * The registry browsing service behind /api/v1/projects/{p}/repositories:
 * repositories and artifacts in Harbor's shapes, paged in SQL (LIMIT/OFFSET
 * and a count) so a repository of 10,000 artifacts pages fast on SQLite and
 * PostgreSQL. Detail reading is in artifact-detail.ts, changes in
 * artifact-changes.ts; both go through the Registry's own operations so
 * events and invariants match /v2.
 *
 * Callers check permissions first (the REST layer); this service checks
 * names and existence.
 */
import { sql } from 'kysely';
import type { AuditContext } from '../audit/audited.ts';
import type { AuditRecorder } from '../audit/types.ts';
import { AccessError } from '../access/errors.ts';
import { containsIgnoringCase } from '../platform/db/sql.ts';
import { assertRepositoryName } from '../oci/names.ts';
import { ArtifactChanges, type CopySource } from './artifact-changes.ts';
import { ArtifactDetails } from './artifact-detail.ts';
import { artifactOrder, repositoryOrder, type ArtifactFilter, type ArtifactSortField, type RepositoryFilter, type RepositorySortField, type Sort } from './artifact-query.ts';
import { IMAGE_CONFIG_TYPES, IMAGE_MANIFEST_TYPES, INDEX_TYPES, MANIFEST_COLUMNS, indexPlatforms, iso, listed, resolveReference, toArtifact, type ManifestRow } from './artifact-rows.ts';
import type { ArtifactDetail, ArtifactInfo, Platform, RepositoryInfo, TagInfo } from './artifact-types.ts';
import type { Registry } from './registry.ts';

export type { CopySource } from './artifact-changes.ts';

/** `%text%` for LIKE, lower-cased, with LIKE's special characters escaped by `\` (as containsIgnoringCase does). */
function likePattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export interface Paged<T> {
  items: T[];
  total: number;
}

export class ArtifactService {
  readonly #registry: Registry;
  readonly #details: ArtifactDetails;
  readonly #changes: ArtifactChanges;

  constructor(registry: Registry, audit: AuditRecorder) {
    this.#registry = registry;
    this.#details = new ArtifactDetails(registry);
    this.#changes = new ArtifactChanges(registry, audit, (repository, digest) => this.artifactInfo(repository, digest));
  }

  get #db() {
    return this.#registry.db;
  }

  /** `<project>/<repository>`, validated; the project must exist (an administrator's permissions do not prove it). */
  async repositoryName(project: string, repository: string): Promise<string> {
    const name = `${project}/${repository}`;
    assertRepositoryName(name);
    await this.#assertProject(project);
    return name;
  }

  async #assertProject(project: string): Promise<void> {
    const p = project.length <= 255 ? await this.#db.selectFrom('projects').select('name').where('name', '=', project).executeTakeFirst() : undefined;
    if (!p) throw new AccessError('NOT_FOUND', `project ${project} not found`);
  }

  async #existingRepository(project: string, repository: string): Promise<string> {
    const name = await this.repositoryName(project, repository);
    const row = await this.#db.selectFrom('repositories').select('name').where('name', '=', name).executeTakeFirst();
    if (!row) throw new AccessError('NOT_FOUND', `repository ${repository} not found in project ${project}`);
    return name;
  }

  // ---- repositories ----

  async listRepositories(project: string, request: { filter: RepositoryFilter; sort: Sort<RepositorySortField>; page: number; pageSize: number }): Promise<Paged<RepositoryInfo>> {
    await this.#assertProject(project);
    // `<project>/` … `<project>0`: '0' follows '/' in byte order, so the range is exactly the names under the project (and uses the key).
    let q = this.#db.selectFrom('repositories').where('name', '>=', `${project}/`).where('name', '<', `${project}0`);
    const { filter } = request;
    if (filter.name !== undefined) q = q.where('name', '=', `${project}/${filter.name}`);
    // Matched on the name within the project, so the project's own name does not match every row.
    if (filter.nameContains !== undefined) q = q.where(sql<boolean>`lower(substr(name, cast(${project.length + 2} as integer))) like ${likePattern(filter.nameContains)} escape '\\'`);
    const total = Number((await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    let rows = q.select(['name', 'created_at', 'updated_at', 'description', 'pull_count']);
    for (const s of repositoryOrder(request.sort)) {
      const dir = s.desc ? 'desc' : 'asc';
      if (s.field === 'creation_time') rows = rows.orderBy('created_at', dir);
      else if (s.field === 'update_time') rows = rows.orderBy(sql`coalesce(updated_at, created_at)`, dir);
      else rows = rows.orderBy(s.field, dir);
    }
    const page = await rows.limit(request.pageSize).offset((request.page - 1) * request.pageSize).execute();
    const counts = await this.#artifactCounts(page.map((r) => r.name));
    return {
      total,
      items: page.map((r) => ({
        name: r.name,
        project_name: project,
        description: r.description,
        artifact_count: counts.get(r.name) ?? 0,
        pull_count: Number(r.pull_count),
        creation_time: iso(Number(r.created_at)),
        update_time: iso(Number(r.updated_at ?? r.created_at)),
      })),
    };
  }

  async #artifactCounts(repositories: string[]): Promise<Map<string, number>> {
    if (repositories.length === 0) return new Map();
    const rows = await this.#db
      .selectFrom('manifests as m')
      .select(['m.repository', (eb) => eb.fn.countAll<number>().as('n')])
      .where('m.repository', 'in', repositories)
      .where((eb) => listed(eb))
      .groupBy('m.repository')
      .execute();
    return new Map(rows.map((r) => [r.repository, Number(r.n)]));
  }

  async getRepository(project: string, repository: string): Promise<RepositoryInfo> {
    const name = await this.#existingRepository(project, repository);
    const r = await this.#db.selectFrom('repositories').select(['name', 'created_at', 'updated_at', 'description', 'pull_count']).where('name', '=', name).executeTakeFirstOrThrow();
    const counts = await this.#artifactCounts([name]);
    return {
      name,
      project_name: project,
      description: r.description,
      artifact_count: counts.get(name) ?? 0,
      pull_count: Number(r.pull_count),
      creation_time: iso(Number(r.created_at)),
      update_time: iso(Number(r.updated_at ?? r.created_at)),
    };
  }

  async updateRepository(project: string, repository: string, change: { description: string }, ctx: AuditContext): Promise<RepositoryInfo> {
    const name = await this.#existingRepository(project, repository);
    await this.#changes.describe(name, change.description, ctx);
    return this.getRepository(project, repository);
  }

  async deleteRepository(project: string, repository: string, ctx: AuditContext): Promise<{ artifacts: number }> {
    const name = await this.#existingRepository(project, repository);
    return this.#changes.deleteRepository(name, ctx);
  }

  /** Repository and member counts of projects (the project list and detail). */
  async projectCounts(projects: readonly string[]): Promise<Map<string, { repositories: number; members: number }>> {
    const out = new Map<string, { repositories: number; members: number }>();
    if (projects.length === 0) return out;
    for (const p of projects) {
      const r = await this.#db.selectFrom('repositories').select((eb) => eb.fn.countAll<number>().as('n')).where('name', '>=', `${p}/`).where('name', '<', `${p}0`).executeTakeFirstOrThrow();
      out.set(p, { repositories: Number(r.n), members: 0 });
    }
    const members = await this.#db
      .selectFrom('project_members')
      .select(['project', (eb) => eb.fn.countAll<number>().as('n')])
      .where('project', 'in', [...projects])
      .groupBy('project')
      .execute();
    for (const m of members) {
      const hit = out.get(m.project);
      if (hit) hit.members = Number(m.n);
    }
    return out;
  }

  // ---- artifacts ----

  async listArtifacts(
    project: string,
    repository: string,
    request: { filter: ArtifactFilter; sort: Sort<ArtifactSortField>; page: number; pageSize: number; withTag: boolean; withLabel: boolean },
  ): Promise<Paged<ArtifactInfo>> {
    const name = await this.#existingRepository(project, repository);
    const f = request.filter;
    let q = this.#db.selectFrom('manifests as m').where('m.repository', '=', name).where((eb) => listed(eb));
    const tagExists = (extra?: (t: string) => ReturnType<typeof sql<boolean>>) =>
      sql<boolean>`exists (select 1 from tags t where t.repository = m.repository and t.digest = m.digest${extra ? sql` and ${extra('t.name')}` : sql``})`;
    if (f.tagged === true) q = q.where(tagExists());
    if (f.tagged === false) q = q.where(sql<boolean>`not ${tagExists()}`);
    if (f.tag !== undefined) q = q.where(tagExists(() => sql<boolean>`t.name = ${f.tag}`));
    if (f.tagContains !== undefined) q = q.where(tagExists((col) => containsIgnoringCase(col, f.tagContains!)));
    if (f.digest !== undefined) q = q.where('m.digest', '=', f.digest);
    // Every digest character sorts below '~', so [prefix, prefix~) is "starts with".
    if (f.digestPrefix !== undefined) q = q.where('m.digest', '>=', f.digestPrefix).where('m.digest', '<', `${f.digestPrefix}~`);
    if (f.mediaType !== undefined) q = q.where('m.media_type', '=', f.mediaType);
    if (f.type === 'INDEX') q = q.where('m.media_type', 'in', [...INDEX_TYPES]);
    if (f.type === 'IMAGE') q = q.where('m.media_type', 'in', [...IMAGE_MANIFEST_TYPES]).where((eb) => eb.or([eb('m.artifact_type', 'is', null), eb('m.artifact_type', 'in', [...IMAGE_CONFIG_TYPES])]));
    if (f.type === 'OTHER') {
      q = q
        .where('m.media_type', 'not in', [...INDEX_TYPES])
        .where((eb) => eb.or([eb('m.media_type', 'not in', [...IMAGE_MANIFEST_TYPES]), eb.and([eb('m.artifact_type', 'is not', null), eb('m.artifact_type', 'not in', [...IMAGE_CONFIG_TYPES])])]));
    }
    const total = Number((await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    let rows = q.select(MANIFEST_COLUMNS);
    for (const s of artifactOrder(request.sort)) {
      const dir = s.desc ? 'desc' : 'asc';
      if (s.field === 'push_time') rows = rows.orderBy('m.created_at', dir);
      else if (s.field === 'pull_time') rows = rows.orderBy(sql`coalesce(m.pull_time, 0)`, dir);
      else if (s.field === 'size') rows = rows.orderBy(sql`coalesce(m.total_size, m.size)`, dir);
      else if (s.field === 'pull_count') rows = rows.orderBy('m.pull_count', dir);
      else rows = rows.orderBy('m.digest', dir);
    }
    const page = (await rows.limit(request.pageSize).offset((request.page - 1) * request.pageSize).execute()) as ManifestRow[];
    return { total, items: await this.#decorate(name, page, request.withTag, request.withLabel) };
  }

  /** Tags, platforms and (with withLabel) config labels for a page of rows. */
  async #decorate(repository: string, rows: ManifestRow[], withTag: boolean, withLabel: boolean): Promise<ArtifactInfo[]> {
    const digests = rows.map((r) => r.digest);
    const tags = new Map<string, TagInfo[]>();
    if (withTag && digests.length > 0) {
      const found = await this.#db.selectFrom('tags').select(['name', 'digest', 'updated_at']).where('repository', '=', repository).where('digest', 'in', digests).orderBy('name').execute();
      for (const t of found) {
        let list = tags.get(t.digest);
        if (!list) tags.set(t.digest, (list = []));
        list.push({ name: t.name, push_time: iso(Number(t.updated_at)) });
      }
    }
    const needContent = rows.filter((r) => INDEX_TYPES.has(r.media_type) || (withLabel && IMAGE_MANIFEST_TYPES.has(r.media_type))).map((r) => r.digest);
    const contents = new Map<string, Uint8Array>();
    if (needContent.length > 0) {
      const found = await this.#db.selectFrom('manifests').select(['digest', 'content']).where('repository', '=', repository).where('digest', 'in', needContent).execute();
      for (const c of found) contents.set(c.digest, c.content);
    }
    const out: ArtifactInfo[] = [];
    for (const r of rows) {
      const content = contents.get(r.digest);
      const platforms: Platform[] = content && INDEX_TYPES.has(r.media_type) ? indexPlatforms(content) : [];
      const a = toArtifact(r, withTag ? (tags.get(r.digest) ?? []) : null, platforms);
      if (withLabel) a.labels = content && IMAGE_MANIFEST_TYPES.has(r.media_type) ? ((await this.#details.configOf(content))?.labels ?? null) : null;
      out.push(a);
    }
    return out;
  }

  /** One artifact in the list's shape (with tags), e.g. the answer to a copy. */
  async artifactInfo(repository: string, digest: string): Promise<ArtifactInfo> {
    const row = (await this.#db.selectFrom('manifests as m').select(MANIFEST_COLUMNS).where('m.repository', '=', repository).where('m.digest', '=', digest).executeTakeFirst());
    if (!row) throw new AccessError('NOT_FOUND', `artifact ${digest} not found in repository ${repository}`);
    const [a] = await this.#decorate(repository, [row], true, false);
    return a!;
  }

  async getArtifact(project: string, repository: string, reference: string): Promise<ArtifactDetail> {
    const name = await this.#existingRepository(project, repository);
    const digest = await resolveReference(this.#db, name, reference);
    const info = await this.artifactInfo(name, digest);
    return this.#details.detail(name, digest, info);
  }

  deleteArtifact(project: string, repository: string, reference: string, ctx: AuditContext): Promise<{ deleted: string[] }> {
    return this.#existingRepository(project, repository).then((name) => this.#changes.deleteArtifact(name, reference, ctx));
  }

  async addTag(project: string, repository: string, reference: string, tag: string, ctx: AuditContext): Promise<TagInfo> {
    const name = await this.#existingRepository(project, repository);
    return this.#changes.addTag(name, reference, tag, ctx);
  }

  async deleteTag(project: string, repository: string, reference: string, tag: string, ctx: AuditContext): Promise<void> {
    const name = await this.#existingRepository(project, repository);
    await this.#changes.deleteTag(name, reference, tag, ctx);
  }

  /** `<project>/<repository>@<digest>` or `<project>/<repository>:<tag>`; 400 when malformed. */
  parseCopySource(from: string): CopySource {
    return this.#changes.parseSource(from);
  }

  async copyArtifact(source: CopySource, project: string, repository: string, ctx: AuditContext): Promise<ArtifactInfo> {
    const target = await this.repositoryName(project, repository);
    return this.#changes.copy(source, target, ctx);
  }
}
