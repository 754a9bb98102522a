/**
 * Changes made through the browsing API: repository description and
 * deletion, artifact deletion, tag add/remove, copy between repositories.
 * Deletes and tags go through the Registry's transactional helpers (the
 * same ones /v2 uses, so the same events are published) inside `audited`,
 * so a change and its audit record commit together. A copy pushes through
 * Registry.putManifest like a client would, after linking the blobs.
 */
import { AccessError } from '../access/errors.ts';
import { audited, type AuditContext } from '../audit/audited.ts';
import type { AuditRecorder } from '../audit/types.ts';
import { parseDigest } from '../oci/digest.ts';
import { assertRepositoryName, assertTag } from '../oci/names.ts';
import { iso, projectOfRepository, resolveReference } from './artifact-rows.ts';
import type { ArtifactInfo, TagInfo } from './artifact-types.ts';
import { linkBlob, touchRepository } from './metadata.ts';
import type { Registry } from './registry.ts';

export interface CopySource {
  project: string;
  repository: string;
  /** A digest or a tag. */
  reference: string;
  byTag: boolean;
}

/** How deep index children are followed when copying (an index of indexes of …). */
const MAX_COPY_DEPTH = 4;

export class ArtifactChanges {
  readonly #registry: Registry;
  readonly #audit: AuditRecorder;
  readonly #info: (repository: string, digest: string) => Promise<ArtifactInfo>;

  constructor(registry: Registry, audit: AuditRecorder, info: (repository: string, digest: string) => Promise<ArtifactInfo>) {
    this.#registry = registry;
    this.#audit = audit;
    this.#info = info;
  }

  get #db() {
    return this.#registry.db;
  }

  async describe(repository: string, description: string, ctx: AuditContext): Promise<void> {
    await audited(this.#db, this.#audit, ctx, { resourceType: 'repository', resource: repository, action: 'update', detail: 'description' }, async (trx) => {
      await trx.updateTable('repositories').set({ description }).where('name', '=', repository).execute();
      await touchRepository(trx, repository, Date.now());
    });
  }

  /** Deletes every manifest (publishing artifact.deleted for each), the blob links and the repository. */
  async deleteRepository(repository: string, ctx: AuditContext): Promise<{ artifacts: number }> {
    const actor = ctx.actor.name;
    return audited(
      this.#db,
      this.#audit,
      ctx,
      (r: { artifacts: number }) => ({ resourceType: 'repository', resource: repository, action: 'delete', detail: `${r.artifacts} manifests` }),
      async (trx) => {
        const manifests = await trx.selectFrom('manifests').select('digest').where('repository', '=', repository).orderBy('created_at', 'desc').execute();
        for (const m of manifests) await this.#registry.deleteManifestIn(trx, repository, m.digest, actor);
        await trx.deleteFrom('repository_blobs').where('repository', '=', repository).execute();
        await trx.deleteFrom('repositories').where('name', '=', repository).execute();
        return { artifacts: manifests.length };
      },
    );
  }

  /**
   * Deletes an artifact with its tags, its referrers (recursively) and the
   * children of an index that no other manifest references and no tag
   * names. Refused (412) while an index in the repository references it.
   */
  async deleteArtifact(repository: string, reference: string, ctx: AuditContext): Promise<{ deleted: string[] }> {
    const digest = await resolveReference(this.#db, repository, reference);
    const actor = ctx.actor.name;
    return audited(
      this.#db,
      this.#audit,
      ctx,
      (r: { deleted: string[] }) => ({ resourceType: 'artifact', resource: `${repository}@${digest}`, action: 'delete', ...(r.deleted.length > 1 ? { detail: `with ${r.deleted.length - 1} referrers or children` } : {}) }),
      async (trx) => {
        const parent = await trx.selectFrom('manifest_references').select('manifest_digest').where('repository', '=', repository).where('child_digest', '=', digest).where('kind', '=', 'manifest').executeTakeFirst();
        if (parent) throw new AccessError('PRECONDITION_FAILED', `artifact ${digest} is part of index ${parent.manifest_digest}; delete the index instead`);
        const deleted: string[] = [];
        const remove = async (d: string, depth: number): Promise<void> => {
          if (depth > 8 || deleted.includes(d)) return;
          const referrers = await trx.selectFrom('manifests').select('digest').where('repository', '=', repository).where('subject_digest', '=', d).execute();
          for (const r of referrers) await remove(r.digest, depth + 1);
          const children = await trx.selectFrom('manifest_references').select('child_digest').where('repository', '=', repository).where('manifest_digest', '=', d).where('kind', '=', 'manifest').execute();
          await this.#registry.deleteManifestIn(trx, repository, d, actor);
          deleted.push(d);
          for (const c of children) {
            const stillUsed = await trx.selectFrom('manifest_references').select('manifest_digest').where('repository', '=', repository).where('child_digest', '=', c.child_digest).executeTakeFirst();
            const tagged = await trx.selectFrom('tags').select('name').where('repository', '=', repository).where('digest', '=', c.child_digest).executeTakeFirst();
            const exists = await trx.selectFrom('manifests').select('digest').where('repository', '=', repository).where('digest', '=', c.child_digest).executeTakeFirst();
            if (!stillUsed && !tagged && exists) await remove(c.child_digest, depth + 1);
          }
        };
        await remove(digest, 0);
        return { deleted };
      },
    );
  }

  async addTag(repository: string, reference: string, tag: string, ctx: AuditContext): Promise<TagInfo> {
    assertTag(tag);
    const digest = await resolveReference(this.#db, repository, reference);
    const at = await audited(this.#db, this.#audit, ctx, { resourceType: 'tag', resource: `${repository}:${tag}`, action: 'create', detail: digest }, async (trx) => {
      const r = await this.#registry.createTagIn(trx, repository, tag, digest, ctx.actor.name);
      if (!r.created) throw new AccessError('CONFLICT', `tag ${tag} exists already in repository ${repository}; remove it first to move it`);
      return r.at;
    });
    return { name: tag, push_time: iso(at) };
  }

  async deleteTag(repository: string, reference: string, tag: string, ctx: AuditContext): Promise<void> {
    assertTag(tag);
    const digest = await resolveReference(this.#db, repository, reference);
    await audited(this.#db, this.#audit, ctx, { resourceType: 'tag', resource: `${repository}:${tag}`, action: 'delete', detail: digest }, async (trx) => {
      const row = await trx.selectFrom('tags').select('digest').where('repository', '=', repository).where('name', '=', tag).executeTakeFirst();
      if (!row || row.digest !== digest) throw new AccessError('NOT_FOUND', `artifact ${digest} has no tag ${tag}`);
      await this.#registry.deleteTagIn(trx, repository, tag, ctx.actor.name);
    });
  }

  parseSource(from: string): CopySource {
    const bad = () => new AccessError('BAD_REQUEST', `from=${JSON.stringify(from.slice(0, 120))}: give <project>/<repository>@<digest> or <project>/<repository>:<tag>`);
    let repository: string;
    let reference: string;
    let byTag: boolean;
    const at = from.indexOf('@');
    if (at >= 0) {
      repository = from.slice(0, at);
      reference = from.slice(at + 1);
      byTag = false;
      try {
        reference = parseDigest(reference).value;
      } catch {
        throw bad();
      }
    } else {
      const colon = from.lastIndexOf(':');
      if (colon < 0 || colon < from.lastIndexOf('/')) throw bad();
      repository = from.slice(0, colon);
      reference = from.slice(colon + 1);
      byTag = true;
      assertTag(reference);
    }
    if (!repository.includes('/')) throw bad();
    assertRepositoryName(repository);
    return { project: projectOfRepository(repository), repository, reference, byTag };
  }

  /**
   * Copies the source artifact into `target`: children of an index first,
   * each manifest's blobs linked (no bytes copied), then the manifest pushed
   * through putManifest (events as for a push). A copy by tag carries that
   * tag; a copy by digest is untagged. Referrers are not copied.
   */
  async copy(source: CopySource, target: string, ctx: AuditContext): Promise<ArtifactInfo> {
    const digest = await resolveReference(this.#db, source.repository, source.reference).catch((err: unknown) => {
      if (err instanceof AccessError && err.code === 'NOT_FOUND') throw new AccessError('NOT_FOUND', `${source.repository}${source.byTag ? ':' : '@'}${source.reference} not found`);
      throw err;
    });
    if (target === source.repository) throw new AccessError('BAD_REQUEST', 'the source and the target are the same repository');
    const actor = ctx.actor.name;
    const copyOne = async (d: string, depth: number, tags: string[]): Promise<void> => {
      const m = await this.#db.selectFrom('manifests').select(['digest', 'media_type', 'content']).where('repository', '=', source.repository).where('digest', '=', d).executeTakeFirst();
      if (!m) throw new AccessError('PRECONDITION_FAILED', `${source.repository} lacks manifest ${d} that the artifact references`);
      const refs = await this.#db.selectFrom('manifest_references').select(['child_digest', 'kind']).where('repository', '=', source.repository).where('manifest_digest', '=', d).execute();
      for (const r of refs) {
        if (r.kind !== 'manifest') continue;
        if (depth >= MAX_COPY_DEPTH) throw new AccessError('PRECONDITION_FAILED', `index nesting deeper than ${MAX_COPY_DEPTH}`);
        await copyOne(r.child_digest, depth + 1, []);
      }
      const blobs = refs.filter((r) => r.kind === 'blob').map((r) => r.child_digest);
      if (blobs.length > 0) {
        const sizes = await this.#db
          .selectFrom('repository_blobs as l')
          .innerJoin('blobs as b', 'b.digest', 'l.digest')
          .select(['b.digest', 'b.size'])
          .where('l.repository', '=', source.repository)
          .where('l.digest', 'in', blobs)
          .execute();
        await this.#db.transaction().execute(async (trx) => {
          for (const b of sizes) await linkBlob(trx, target, b.digest, Number(b.size));
        });
      }
      await this.#registry.putManifest(target, d, m.content, m.media_type, tags, actor);
    };
    await copyOne(digest, 0, source.byTag ? [source.reference] : []);
    this.#audit.record({
      actor: ctx.actor,
      sourceIp: ctx.sourceIp,
      resourceType: 'artifact',
      resource: `${target}@${digest}`,
      action: 'copy',
      outcome: 'success',
      detail: `from ${source.repository}${source.byTag ? `:${source.reference}` : `@${source.reference}`}`,
    });
    return this.#info(target, digest);
  }
}
