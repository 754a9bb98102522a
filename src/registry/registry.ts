/**
 * The registry's domain operations behind the /v2 API. Inputs are validated
 * here (names, digests, tags) before any storage or SQL access; errors are
 * RegistryErrors named by OCI error codes.
 */
import type { Writable } from 'node:stream';
import type { Transaction } from 'kysely';
import type { Database, Db } from '../platform/db/schema.ts';
import { NO_EVENTS, type EventActor, type EventPublisher } from '../platform/events/types.ts';
import type { BlobStorage } from '../storage/driver.ts';
import { RegistryError } from '../oci/errors.ts';
import { digestOf, looksLikeDigest, parseDigest, type Digest } from '../oci/digest.ts';
import { MediaTypes, parseManifest } from '../oci/manifest.ts';
import { assertRepositoryName, assertTag, isValidRepositoryName } from '../oci/names.ts';
import { ensureRepository, linkBlob, linkedBlobSize, referencedSize, repositoryExists, touchRepository } from './metadata.ts';
import type { PullStats } from './pull-stats.ts';
import { MAX_PAGE_SIZE, type PageRequest } from './pagination.ts';
import { UploadManager } from './uploads.ts';

/** The project of a repository: its first path segment (as access/projects.ts maps them). */
function projectOfRepository(repository: string): string {
  const slash = repository.indexOf('/');
  return slash < 0 ? repository : repository.slice(0, slash);
}

/** How many repositories holding a blob a `from`-less mount looks at. */
const MOUNT_CANDIDATES = 20;

export interface StoredManifest {
  digest: string;
  mediaType: string;
  size: number;
  content: Uint8Array;
}

export interface Page {
  items: string[];
  /** The limit applied, for the next-page link. */
  limit: number;
  more: boolean;
}

export interface ReferrersIndex {
  body: Uint8Array;
  filtered: boolean;
}

export class Registry {
  readonly db: Db;
  readonly storage: BlobStorage;
  readonly uploads: UploadManager;
  readonly #catalogPageSize: number;
  /** Where artifact.* and tag.* domain events go (set at wiring). */
  events: EventPublisher = NO_EVENTS;
  /** Counts manifest pulls in batches (set at wiring; src/registry/pull-stats.ts). */
  pulls: PullStats | undefined;

  constructor(db: Db, storage: BlobStorage, options: { catalogPageSize: number }) {
    this.db = db;
    this.storage = storage;
    this.uploads = new UploadManager(db, storage);
    this.#catalogPageSize = options.catalogPageSize;
  }

  // ---- blobs ----

  /** Size of a blob visible in the repository, or BLOB_UNKNOWN. */
  async blobSize(repository: string, digest: string): Promise<{ digest: Digest; size: number }> {
    assertRepositoryName(repository);
    const d = parseDigest(digest);
    const size = await linkedBlobSize(this.db, repository, d.value);
    if (size === undefined) throw new RegistryError('BLOB_UNKNOWN', `blob ${d.value} is unknown to repository ${repository}`);
    return { digest: d, size };
  }

  /** Writes a blob (or range) to `out`; see BlobStorage.copyTo. */
  copyBlob(digest: Digest, out: Writable, range?: { start: number; end: number }): Promise<void> {
    return this.storage.copyTo(digest, out, range);
  }

  /** Unlinks a blob from the repository; storage is reclaimed by GC. */
  async deleteBlob(repository: string, digest: string): Promise<void> {
    const { digest: d } = await this.blobSize(repository, digest);
    await this.db.deleteFrom('repository_blobs').where('repository', '=', repository).where('digest', '=', d.value).execute();
  }

  /**
   * Links an existing blob into `repository` from `from`, or, without `from`,
   * from any repository holding it. `mayPull` decides which sources the
   * caller may read. Returns mounted=false (the caller then opens an upload
   * session) when no readable source has the blob.
   */
  async mountBlob(
    repository: string,
    digest: string,
    from: string | undefined,
    mayPull: (repository: string) => Promise<boolean>,
  ): Promise<{ mounted: boolean; digest: Digest }> {
    assertRepositoryName(repository);
    const d = parseDigest(digest);
    let candidates: string[];
    if (from !== undefined) {
      candidates = isValidRepositoryName(from) ? [from] : [];
    } else {
      const rows = await this.db.selectFrom('repository_blobs').select('repository').where('digest', '=', d.value).limit(MOUNT_CANDIDATES).execute();
      candidates = rows.map((r) => r.repository);
    }
    for (const source of candidates) {
      if (source === repository || !(await mayPull(source))) continue;
      const size = await linkedBlobSize(this.db, source, d.value);
      if (size === undefined || (await this.storage.stat(d)) === undefined) continue;
      await this.db.transaction().execute((trx) => linkBlob(trx, repository, d.value, size));
      return { mounted: true, digest: d };
    }
    return { mounted: false, digest: d };
  }

  // ---- manifests ----

  async putManifest(
    repository: string,
    reference: string,
    body: Uint8Array,
    contentType: string | undefined,
    extraTags: readonly string[] = [],
    actor: EventActor = 'anonymous',
  ): Promise<{ digest: string; subject: string | undefined; tags: string[] }> {
    assertRepositoryName(repository);
    const byDigest = looksLikeDigest(reference);
    const expected = byDigest ? parseDigest(reference) : undefined;
    // A push by tag names its tag; a push by digest may name tags with ?tag=.
    const tags = [...new Set(byDigest ? extraTags : [reference, ...extraTags])];
    for (const t of tags) assertTag(t);
    const parsed = parseManifest(body, contentType);
    const digest = digestOf(body, expected?.algorithm ?? 'sha256');
    if (expected && expected.value !== digest) {
      throw new RegistryError('DIGEST_INVALID', `manifest content has digest ${digest}, not ${expected.value}`);
    }
    await this.#assertReferencesExist(repository, parsed.blobs, parsed.manifests);

    const now = Date.now();
    await this.db.transaction().execute(async (trx) => {
      await ensureRepository(trx, repository);
      const totalSize = body.byteLength + (await referencedSize(trx, repository, parsed.blobs, parsed.manifests));
      const inserted = await trx
        .insertInto('manifests')
        .values({
          repository,
          digest,
          media_type: parsed.mediaType,
          size: body.byteLength,
          content: body,
          artifact_type: parsed.artifactType ?? null,
          subject_digest: parsed.subject?.digest ?? null,
          annotations: parsed.annotations ? JSON.stringify(parsed.annotations) : null,
          created_at: now,
          total_size: totalSize,
        })
        .onConflict((oc) => oc.columns(['repository', 'digest']).doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0) {
        const refs = [
          ...parsed.blobs.map((child) => ({ repository, manifest_digest: digest, child_digest: child, kind: 'blob' as const })),
          ...parsed.manifests.map((child) => ({ repository, manifest_digest: digest, child_digest: child, kind: 'manifest' as const })),
        ];
        if (refs.length > 0) await trx.insertInto('manifest_references').values(refs).execute();
      }
      const previous = tags.length === 0 ? [] : await trx.selectFrom('tags').select(['name', 'digest']).where('repository', '=', repository).where('name', 'in', tags).execute();
      for (const name of tags) {
        await trx
          .insertInto('tags')
          .values({ repository, name, digest, updated_at: now })
          .onConflict((oc) => oc.columns(['repository', 'name']).doUpdateSet({ digest, updated_at: now }))
          .execute();
      }
      await touchRepository(trx, repository, now);
      const ref = { project: projectOfRepository(repository), repository };
      await this.events.publish(trx, { type: 'artifact.pushed', actor, occurredAt: now, data: { ...ref, digest, mediaType: parsed.mediaType, size: body.byteLength, ...(byDigest ? {} : { tag: reference }) } });
      for (const tag of tags) {
        const before = previous.find((p) => p.name === tag)?.digest;
        if (before === undefined) await this.events.publish(trx, { type: 'tag.created', actor, occurredAt: now, data: { ...ref, tag, digest } });
        else if (before !== digest) await this.events.publish(trx, { type: 'tag.moved', actor, occurredAt: now, data: { ...ref, tag, digest, previousDigest: before } });
      }
    });
    return { digest, subject: parsed.subject?.digest, tags };
  }

  async #assertReferencesExist(repository: string, blobs: string[], manifests: string[]): Promise<void> {
    const missing: string[] = [];
    for (const chunk of chunks(blobs, 500)) {
      const found = await this.db
        .selectFrom('repository_blobs')
        .select('digest')
        .where('repository', '=', repository)
        .where('digest', 'in', chunk)
        .execute();
      const have = new Set(found.map((r) => r.digest));
      missing.push(...chunk.filter((d) => !have.has(d)));
    }
    for (const chunk of chunks(manifests, 500)) {
      const found = await this.db
        .selectFrom('manifests')
        .select('digest')
        .where('repository', '=', repository)
        .where('digest', 'in', chunk)
        .execute();
      const have = new Set(found.map((r) => r.digest));
      missing.push(...chunk.filter((d) => !have.has(d)));
    }
    if (missing.length > 0) {
      throw new RegistryError('MANIFEST_BLOB_UNKNOWN', `manifest references content unknown to repository ${repository}: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}`, { missing });
    }
  }

  async getManifest(repository: string, reference: string): Promise<StoredManifest> {
    assertRepositoryName(repository);
    let row: { digest: string; media_type: string; size: number; content: Uint8Array } | undefined;
    if (looksLikeDigest(reference)) {
      const d = parseDigest(reference);
      row = await this.db
        .selectFrom('manifests')
        .select(['digest', 'media_type', 'size', 'content'])
        .where('repository', '=', repository)
        .where('digest', '=', d.value)
        .executeTakeFirst();
    } else {
      assertTag(reference);
      row = await this.db
        .selectFrom('tags as t')
        .innerJoin('manifests as m', (j) => j.onRef('m.repository', '=', 't.repository').onRef('m.digest', '=', 't.digest'))
        .select(['m.digest', 'm.media_type', 'm.size', 'm.content'])
        .where('t.repository', '=', repository)
        .where('t.name', '=', reference)
        .executeTakeFirst();
    }
    if (!row) throw new RegistryError('MANIFEST_UNKNOWN', `manifest ${reference} is unknown to repository ${repository}`);
    return { digest: row.digest, mediaType: row.media_type, size: Number(row.size), content: row.content };
  }

  /**
   * Publishes `artifact.pulled` off the request's path (not awaited; the
   * bus writes nothing unless something subscribes to pulls).
   */
  notePull(repository: string, reference: string, digest: string, actor: EventActor): void {
    this.pulls?.note(repository, digest);
    const data = { project: projectOfRepository(repository), repository, digest, ...(looksLikeDigest(reference) ? {} : { tag: reference }) };
    setImmediate(() => {
      this.events.publish(this.db, { type: 'artifact.pulled', actor, data }).catch(() => {
        // Best effort by design: a pull is never failed or slowed for its event.
      });
    });
  }

  /** By digest: deletes the manifest and its tags. By tag: deletes the tag. */
  async deleteManifest(repository: string, reference: string, actor: EventActor = 'anonymous'): Promise<void> {
    assertRepositoryName(repository);
    if (looksLikeDigest(reference)) {
      const d = parseDigest(reference);
      await this.db.transaction().execute((trx) => this.deleteManifestIn(trx, repository, d.value, actor));
      return;
    }
    assertTag(reference);
    await this.db.transaction().execute((trx) => this.deleteTagIn(trx, repository, reference, actor));
  }

  /**
   * Deletes a manifest and its tags inside the caller's transaction,
   * publishing `artifact.deleted` (the /v2 delete and the browsing API share
   * it). `digest` must be validated already.
   */
  async deleteManifestIn(trx: Transaction<Database>, repository: string, digest: string, actor: EventActor): Promise<{ tags: string[] }> {
    const ref = { project: projectOfRepository(repository), repository };
    const tags = await trx.deleteFrom('tags').where('repository', '=', repository).where('digest', '=', digest).returning('name').execute();
    await trx.deleteFrom('manifest_references').where('repository', '=', repository).where('manifest_digest', '=', digest).execute();
    const gone = await trx.deleteFrom('manifests').where('repository', '=', repository).where('digest', '=', digest).returning(['media_type']).executeTakeFirst();
    if (!gone) throw new RegistryError('MANIFEST_UNKNOWN', `manifest ${digest} is unknown to repository ${repository}`);
    const names = tags.map((t) => t.name).sort();
    await touchRepository(trx, repository, Date.now());
    await this.events.publish(trx, { type: 'artifact.deleted', actor, data: { ...ref, digest, mediaType: gone.media_type, tags: names } });
    return { tags: names };
  }

  /** Deletes a tag inside the caller's transaction, publishing `tag.deleted`. Returns the digest it pointed to. */
  async deleteTagIn(trx: Transaction<Database>, repository: string, tag: string, actor: EventActor): Promise<string> {
    const gone = await trx.deleteFrom('tags').where('repository', '=', repository).where('name', '=', tag).returning('digest').executeTakeFirst();
    if (!gone) throw new RegistryError('MANIFEST_UNKNOWN', `tag ${tag} is unknown to repository ${repository}`);
    await touchRepository(trx, repository, Date.now());
    await this.events.publish(trx, { type: 'tag.deleted', actor, data: { project: projectOfRepository(repository), repository, tag, digest: gone.digest } });
    return gone.digest;
  }

  /**
   * Creates a tag on a stored manifest inside the caller's transaction,
   * publishing `tag.created`. Returns false (and changes nothing) when the
   * tag exists already, wherever it points.
   */
  async createTagIn(trx: Transaction<Database>, repository: string, tag: string, digest: string, actor: EventActor): Promise<{ created: boolean; at: number }> {
    assertTag(tag);
    const now = Date.now();
    const r = await trx
      .insertInto('tags')
      .values({ repository, name: tag, digest, updated_at: now })
      .onConflict((oc) => oc.columns(['repository', 'name']).doNothing())
      .executeTakeFirst();
    if (Number(r.numInsertedOrUpdatedRows ?? 0n) === 0) return { created: false, at: now };
    await touchRepository(trx, repository, now);
    await this.events.publish(trx, { type: 'tag.created', actor, occurredAt: now, data: { project: projectOfRepository(repository), repository, tag, digest } });
    return { created: true, at: now };
  }

  // ---- discovery ----

  async listTags(repository: string, page: PageRequest): Promise<Page> {
    assertRepositoryName(repository);
    if (!(await repositoryExists(this.db, repository))) {
      throw new RegistryError('NAME_UNKNOWN', `repository ${repository} is not known to the registry`);
    }
    let q = this.db.selectFrom('tags').select('name').where('repository', '=', repository).orderBy('name');
    if (page.last !== undefined) q = q.where('name', '>', page.last);
    return pageOf(await q.limit(Math.min(page.n ?? MAX_PAGE_SIZE, MAX_PAGE_SIZE) + 1).execute().then((r) => r.map((x) => x.name)), page.n ?? MAX_PAGE_SIZE);
  }

  /**
   * Repository names in order. `visible` filters names the caller may see;
   * a page is filled from as many rows as that takes.
   */
  async catalog(page: PageRequest, visible: (name: string) => boolean = () => true): Promise<Page> {
    const limit = Math.min(page.n ?? this.#catalogPageSize, MAX_PAGE_SIZE);
    const items: string[] = [];
    let last = page.last;
    for (;;) {
      let q = this.db.selectFrom('repositories').select('name').orderBy('name').limit(limit + 1);
      if (last !== undefined) q = q.where('name', '>', last);
      const rows = (await q.execute()).map((r) => r.name);
      for (const name of rows) {
        if (visible(name)) items.push(name);
        if (items.length > limit) return pageOf(items, limit);
      }
      if (rows.length <= limit) return pageOf(items, limit);
      last = rows[rows.length - 1];
    }
  }

  async referrers(repository: string, digest: string, artifactType: string | undefined): Promise<ReferrersIndex> {
    assertRepositoryName(repository);
    const d = parseDigest(digest);
    let q = this.db
      .selectFrom('manifests')
      .select(['digest', 'media_type', 'size', 'artifact_type', 'annotations'])
      .where('repository', '=', repository)
      .where('subject_digest', '=', d.value)
      .orderBy('created_at')
      .orderBy('digest');
    if (artifactType !== undefined) q = q.where('artifact_type', '=', artifactType);
    const rows = await q.execute();
    const manifests = rows.map((r) => ({
      mediaType: r.media_type,
      digest: r.digest,
      size: Number(r.size),
      ...(r.artifact_type ? { artifactType: r.artifact_type } : {}),
      ...(r.annotations ? { annotations: JSON.parse(r.annotations) as Record<string, string> } : {}),
    }));
    const index = { schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests };
    return { body: Buffer.from(JSON.stringify(index)), filtered: artifactType !== undefined };
  }
}

function pageOf(rows: string[], limit: number): Page {
  if (limit === 0) return { items: [], limit, more: false };
  const more = rows.length > limit;
  return { items: more ? rows.slice(0, limit) : rows, limit, more };
}

function* chunks<T>(items: T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}
