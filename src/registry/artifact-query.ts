/**
 * Filters and sort orders of the artifact and repository lists, from
 * Harbor's `q` terms (already split by the REST layer into key → op, value)
 * and `sort` fields. Pure: unit-tested without a database.
 */
import { AccessError } from '../access/errors.ts';
import { parseDigest } from '../oci/digest.ts';

export type Term = { op: 'eq' | 'contains'; value: string };

/** Keys `q` accepts on the artifact list. */
export const ARTIFACT_Q_KEYS = ['tags', 'digest', 'type', 'media_type'] as const;
/** Keys `q` accepts on the repository list. */
export const REPOSITORY_Q_KEYS = ['name'] as const;

export interface ArtifactFilter {
  /** `tags=*`: tagged only; `tags=nil`: untagged only. */
  tagged?: boolean;
  /** `tags=x`: has tag x. */
  tag?: string;
  /** `tags=~x`: has a tag containing x. */
  tagContains?: string;
  digest?: string;
  /** `digest=~sha256:ab`: digest starting with (Harbor's fuzzy digest match). */
  digestPrefix?: string;
  type?: 'IMAGE' | 'INDEX' | 'OTHER';
  mediaType?: string;
}

const TYPES = ['IMAGE', 'INDEX', 'OTHER'] as const;

export function artifactFilter(terms: ReadonlyMap<string, Term>): ArtifactFilter {
  const f: ArtifactFilter = {};
  for (const [key, { op, value }] of terms) {
    if (value.length === 0) throw new AccessError('BAD_REQUEST', `q term ${key} has an empty value`);
    if (value.length > 256) throw new AccessError('BAD_REQUEST', `q term ${key} is longer than 256 characters`);
    switch (key) {
      case 'tags':
        if (op === 'eq' && value === '*') f.tagged = true;
        else if (op === 'eq' && value === 'nil') f.tagged = false;
        else if (op === 'eq') f.tag = value;
        else f.tagContains = value;
        break;
      case 'digest':
        if (op === 'eq') {
          try {
            f.digest = parseDigest(value).value;
          } catch {
            throw new AccessError('BAD_REQUEST', `q digest=${JSON.stringify(value.slice(0, 80))} is not a digest (algorithm:hex); use digest=~prefix to match the start`);
          }
        } else {
          if (!/^[a-z0-9+._-]+(?::[a-f0-9]*)?$/i.test(value)) throw new AccessError('BAD_REQUEST', `q digest=~${JSON.stringify(value.slice(0, 80))} is not the start of a digest`);
          f.digestPrefix = value.toLowerCase();
        }
        break;
      case 'type': {
        const t = value.toUpperCase();
        if (op !== 'eq' || !(TYPES as readonly string[]).includes(t)) throw new AccessError('BAD_REQUEST', `q type must be one of ${TYPES.join(', ')} (exact)`);
        f.type = t as ArtifactFilter['type'];
        break;
      }
      case 'media_type':
        if (op !== 'eq') throw new AccessError('BAD_REQUEST', 'q media_type matches exactly (media_type=…)');
        f.mediaType = value;
        break;
      default:
        throw new AccessError('BAD_REQUEST', `cannot filter artifacts on ${JSON.stringify(key)}; allowed: ${ARTIFACT_Q_KEYS.join(', ')}`);
    }
  }
  return f;
}

export interface RepositoryFilter {
  name?: string;
  nameContains?: string;
}

/** `name` matches the name within the project (what follows `<project>/`). */
export function repositoryFilter(terms: ReadonlyMap<string, Term>): RepositoryFilter {
  const name = terms.get('name');
  for (const key of terms.keys()) if (key !== 'name') throw new AccessError('BAD_REQUEST', `cannot filter repositories on ${JSON.stringify(key)}; allowed: name`);
  if (!name) return {};
  if (name.value.length > 255) throw new AccessError('BAD_REQUEST', 'q name is longer than 255 characters');
  return name.op === 'eq' ? { name: name.value } : { nameContains: name.value };
}

/** Sort fields of the artifact list → what the query orders by. */
export const ARTIFACT_SORT = { push_time: 'push_time', pull_time: 'pull_time', size: 'size', digest: 'digest', pull_count: 'pull_count' } as const;
export type ArtifactSortField = (typeof ARTIFACT_SORT)[keyof typeof ARTIFACT_SORT];

export const REPOSITORY_SORT = { name: 'name', creation_time: 'creation_time', update_time: 'update_time', pull_count: 'pull_count' } as const;
export type RepositorySortField = (typeof REPOSITORY_SORT)[keyof typeof REPOSITORY_SORT];

export type Sort<F extends string> = { field: F; desc: boolean }[];

/**
 * The order a page is read in: the requested fields (default newest push
 * first, as Harbor) and then the digest, so pages never overlap or skip
 * rows that tie.
 */
export function artifactOrder(sort: Sort<ArtifactSortField>): Sort<ArtifactSortField> {
  const order = sort.length > 0 ? [...sort] : [{ field: 'push_time' as const, desc: true }];
  if (!order.some((s) => s.field === 'digest')) order.push({ field: 'digest', desc: false });
  return order;
}

export function repositoryOrder(sort: Sort<RepositorySortField>): Sort<RepositorySortField> {
  const order = sort.length > 0 ? [...sort] : [{ field: 'name' as const, desc: false }];
  if (!order.some((s) => s.field === 'name')) order.push({ field: 'name', desc: false });
  return order;
}
