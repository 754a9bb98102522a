/**
 * The answer shapes of the registry browsing API (Harbor's field names, so
 * Harbor habits and scripts carry over). Times are RFC 3339 strings as in
 * Harbor; a time that never happened is null (Harbor answers year 1).
 * The CLI imports these as types; the REST layer declares matching zod
 * schemas for the OpenAPI document.
 */

export interface RepositoryInfo {
  /** Full name, `<project>/<name>` (Harbor's `name`). */
  name: string;
  project_name: string;
  description: string;
  /** Listed artifacts: not counting index children and referrers (accessories). */
  artifact_count: number;
  pull_count: number;
  creation_time: string;
  update_time: string;
}

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
  os_version?: string;
}

export interface TagInfo {
  name: string;
  push_time: string;
}

export interface ChildInfo {
  digest: string;
  media_type: string;
  size: number;
  platform: Platform | null;
}

export interface ArtifactInfo {
  digest: string;
  /** IMAGE, INDEX, or OTHER (any other artifact, e.g. a Helm chart or an SBOM). */
  type: 'IMAGE' | 'INDEX' | 'OTHER';
  /** The manifest's media type (Harbor's manifest_media_type). */
  media_type: string;
  /** `artifactType`, or the config media type of an image manifest. */
  artifact_type: string | null;
  repository_name: string;
  project_name: string;
  /** Manifest plus the blobs it references (plus the children, for an index). */
  size: number;
  push_time: string;
  pull_time: string | null;
  pull_count: number;
  /** Tags, by name; null when listed with with_tag=false. */
  tags: TagInfo[] | null;
  annotations: Record<string, string>;
  /** Platforms of an index's children; empty for anything else. */
  platforms: Platform[];
  /** The config's Labels; only with with_label=true (null when none or not read). */
  labels?: Record<string, string> | null;
}

export interface LayerInfo {
  digest: string;
  media_type: string;
  size: number;
}

export interface ConfigSummary {
  os: string | null;
  architecture: string | null;
  variant: string | null;
  created: string | null;
  author: string | null;
  labels: Record<string, string>;
  entrypoint: string[] | null;
  cmd: string[] | null;
  working_dir: string | null;
  env_count: number;
  exposed_ports: string[];
}

/** A referrer (subject = an artifact), depth 1 for direct referrers. */
export interface ReferrerInfo {
  digest: string;
  /** The digest it refers to. */
  subject: string;
  depth: number;
  media_type: string;
  artifact_type: string | null;
  size: number;
  push_time: string;
  annotations: Record<string, string>;
}

export interface ArtifactDetail extends ArtifactInfo {
  labels: Record<string, string> | null;
  /** Image config summary; null for an index, a non-image or an unreadable/oversized config. */
  config: ConfigSummary | null;
  config_digest: string | null;
  layers: LayerInfo[];
  /** Children of an index, with their platform. */
  references: ChildInfo[];
  /** Referrers, depth first: each entry's `subject` is an earlier entry or this artifact. */
  referrers: ReferrerInfo[];
  /** The digest this artifact refers to, when it is itself a referrer. */
  subject: string | null;
}
