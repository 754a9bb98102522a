/** Table types of the registry (migration 0001-registry). Imports nothing from src/: src/platform/db/schema.ts combines them into `Database`. */
import type { Generated } from 'kysely';
export interface RepositoryTable {
  name: string;
  created_at: number;
  /** Migration 0010: shown by the browsing API, set with PUT. */
  description: Generated<string>;
  /** Last push, tag change, delete or description change (0010; null only before its backfill). */
  updated_at: number | null;
  /** Sum of its manifests' pulls (0010; batched: src/registry/pull-stats.ts). */
  pull_count: Generated<number>;
}

export interface BlobTable {
  digest: string;
  size: number;
  created_at: number;
}

/** A blob is visible in a repository only through a link row. */
export interface RepositoryBlobTable {
  repository: string;
  digest: string;
  created_at: number;
}

export interface ManifestTable {
  repository: string;
  digest: string;
  media_type: string;
  size: number;
  content: Uint8Array;
  /** `artifactType`, or the config media type for image manifests. */
  artifact_type: string | null;
  subject_digest: string | null;
  /** JSON of the manifest's annotations, echoed by the referrers API. */
  annotations: string | null;
  created_at: number;
  /** Migration 0010: manifest GETs, written in batches (src/registry/pull-stats.ts). */
  pull_count: Generated<number>;
  pull_time: number | null;
  /** Manifest + referenced blobs + children of an index, fixed at push (0010). */
  total_size: number | null;
}

/** Blobs and child manifests a manifest points to (for GC and integrity). */
export interface ManifestReferenceTable {
  repository: string;
  manifest_digest: string;
  child_digest: string;
  kind: 'blob' | 'manifest';
}

export interface TagTable {
  repository: string;
  name: string;
  digest: string;
  updated_at: number;
}

export interface UploadTable {
  id: string;
  repository: string;
  created_at: number;
  updated_at: number;
  /** Bumped by every request that wrote to the session (any process): see src/registry/uploads.ts. */
  version: Generated<number>;
}
