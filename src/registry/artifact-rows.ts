/**
 * Shared pieces of the browsing API's queries: which manifests are listed
 * as artifacts, how a row becomes an ArtifactInfo, manifest JSON reading.
 */
import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import { AccessError } from '../access/errors.ts';
import { looksLikeDigest, parseDigest } from '../oci/digest.ts';
import { MediaTypes } from '../oci/manifest.ts';
import { assertTag } from '../oci/names.ts';
import type { Database, Db } from '../platform/db/schema.ts';
import type { ArtifactInfo, Platform } from './artifact-types.ts';

export const IMAGE_CONFIG_TYPES: ReadonlySet<string> = new Set(['application/vnd.oci.image.config.v1+json', 'application/vnd.docker.container.image.v1+json']);
export const INDEX_TYPES: ReadonlySet<string> = new Set([MediaTypes.ociIndex, MediaTypes.dockerList]);
export const IMAGE_MANIFEST_TYPES: ReadonlySet<string> = new Set([MediaTypes.ociManifest, MediaTypes.dockerManifest]);

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function artifactKind(mediaType: string, artifactType: string | null): ArtifactInfo['type'] {
  if (INDEX_TYPES.has(mediaType)) return 'INDEX';
  if (IMAGE_MANIFEST_TYPES.has(mediaType) && (artifactType === null || IMAGE_CONFIG_TYPES.has(artifactType))) return 'IMAGE';
  return 'OTHER';
}

type MEb = ExpressionBuilder<Database & { m: Database['manifests'] }, 'm'>;

/**
 * Manifests listed as artifacts (Harbor hides index children and
 * accessories): tagged ones, and untagged ones that are neither a child of
 * an index in the repository nor a referrer.
 */
export function listed(eb: MEb): Expression<SqlBool> {
  return eb.or([
    eb.exists(eb.selectFrom('tags as t').select(sql.lit(1).as('one')).whereRef('t.repository', '=', 'm.repository').whereRef('t.digest', '=', 'm.digest')),
    eb.and([
      eb('m.subject_digest', 'is', null),
      eb.not(
        eb.exists(
          eb.selectFrom('manifest_references as r').select(sql.lit(1).as('one')).whereRef('r.repository', '=', 'm.repository').whereRef('r.child_digest', '=', 'm.digest').where('r.kind', '=', 'manifest'),
        ),
      ),
    ]),
  ]);
}

export interface ManifestRow {
  repository: string;
  digest: string;
  media_type: string;
  artifact_type: string | null;
  size: number;
  total_size: number | null;
  created_at: number;
  pull_time: number | null;
  pull_count: number;
  annotations: string | null;
  subject_digest: string | null;
}

export const MANIFEST_COLUMNS = ['m.repository', 'm.digest', 'm.media_type', 'm.artifact_type', 'm.size', 'm.total_size', 'm.created_at', 'm.pull_time', 'm.pull_count', 'm.annotations', 'm.subject_digest'] as const;

export function projectOfRepository(repository: string): string {
  const slash = repository.indexOf('/');
  return slash < 0 ? repository : repository.slice(0, slash);
}

export function parseAnnotations(raw: string | null): Record<string, string> {
  if (!raw) return {};
  try {
    return JSON.parse(raw) as Record<string, string>;
  } catch {
    return {};
  }
}

export function toArtifact(r: ManifestRow, tags: ArtifactInfo['tags'], platforms: Platform[]): ArtifactInfo {
  return {
    digest: r.digest,
    type: artifactKind(r.media_type, r.artifact_type),
    media_type: r.media_type,
    artifact_type: r.artifact_type,
    repository_name: r.repository,
    project_name: projectOfRepository(r.repository),
    size: Number(r.total_size ?? r.size),
    push_time: iso(Number(r.created_at)),
    pull_time: r.pull_time === null ? null : iso(Number(r.pull_time)),
    pull_count: Number(r.pull_count),
    tags,
    annotations: parseAnnotations(r.annotations),
    platforms,
  };
}

/** The JSON of a stored manifest (already validated at push), or {} when unreadable. */
export function manifestJson(content: Uint8Array): Record<string, unknown> {
  try {
    const v = JSON.parse(Buffer.from(content.buffer, content.byteOffset, content.byteLength).toString('utf8')) as unknown;
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export function platformOf(v: unknown): Platform | null {
  if (typeof v !== 'object' || v === null) return null;
  const p = v as Record<string, unknown>;
  if (typeof p.os !== 'string' || typeof p.architecture !== 'string') return null;
  return {
    os: p.os,
    architecture: p.architecture,
    ...(typeof p.variant === 'string' ? { variant: p.variant } : {}),
    ...(typeof p['os.version'] === 'string' ? { os_version: p['os.version'] } : {}),
  };
}

export interface Descriptor {
  digest: string;
  mediaType: string;
  size: number;
  platform?: unknown;
}

export function descriptors(v: unknown): Descriptor[] {
  if (!Array.isArray(v)) return [];
  return v.filter((d): d is Descriptor => typeof d === 'object' && d !== null && typeof (d as Descriptor).digest === 'string').map((d) => ({ digest: d.digest, mediaType: String(d.mediaType ?? ''), size: Number(d.size ?? 0), platform: d.platform }));
}

/** Platforms of an index's children, from the index itself. */
export function indexPlatforms(content: Uint8Array): Platform[] {
  return descriptors(manifestJson(content).manifests)
    .map((d) => platformOf(d.platform))
    .filter((p): p is Platform => p !== null && !(p.os === 'unknown' && p.architecture === 'unknown'));
}

/** A tag or a digest to the digest it names in `repository`; 404 when unknown. */
export async function resolveReference(db: Db, repository: string, reference: string): Promise<string> {
  if (looksLikeDigest(reference)) {
    const d = parseDigest(reference).value;
    const row = await db.selectFrom('manifests').select('digest').where('repository', '=', repository).where('digest', '=', d).executeTakeFirst();
    if (!row) throw new AccessError('NOT_FOUND', `artifact ${d} not found in repository ${repository}`);
    return row.digest;
  }
  assertTag(reference);
  const row = await db.selectFrom('tags').select('digest').where('repository', '=', repository).where('name', '=', reference).executeTakeFirst();
  if (!row) throw new AccessError('NOT_FOUND', `tag ${reference} not found in repository ${repository}`);
  return row.digest;
}
