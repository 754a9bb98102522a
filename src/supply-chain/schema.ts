/**
 * Table types of the supply-chain domain. Each unit keeps its tables in its
 * own block below (one migration each); platform/db/schema.ts combines them.
 */
import type { Generated } from 'kysely';

// --- vulndb: imported vulnerability data (migration 0013-vulndb) ---

/** One imported source: a file of one format, replaced as a whole by each import of the same name. */
export interface VulnSourceTable {
  /** `osv-Go`, `alpine-secdb-v3.10-main`, `debian-dsa`, … (chosen at import or derived from the file). */
  name: string;
  /** The format: osv, alpine-secdb, debian-tracker, debian-dsa, debian-dla. */
  kind: string;
  /** What the data says of its own age: newest `modified` (OSV), newest advisory date (DSA/DLA), secdb release. */
  version: string | null;
  /** sha256 of the imported file, so importing the same file again changes nothing. */
  content_sha256: string;
  imported_at: number;
  imported_by: string;
  record_count: number;
  /** JSON array of the OSV ecosystems the records name (`Go`, `Debian:12`, `Alpine:v3.10`). */
  ecosystems: string;
  duration_ms: number;
}

/** One advisory as imported, normalised to OSV's shape (the `Advisory` type, as JSON). */
export interface VulnAdvisoryTable {
  source: string;
  id: string;
  /** sha256 of the normalised record: an import rewrites only records whose hash changed. */
  content_hash: string;
  modified: string | null;
  withdrawn: string | null;
  /** JSON array of alias ids. */
  aliases: string;
  /** The `Advisory` as JSON. */
  data: string;
}

/** The lookup index: one row per (advisory, ecosystem, package name) it names. */
export interface VulnAffectedTable {
  source: string;
  advisory_id: string;
  ecosystem: string;
  /** The lookup key: the package name as the ecosystem writes it (PyPI: PEP 503 normalised). */
  name: string;
}

// ---- scanning (migration 0014-scanning; src/supply-chain/scanning) ----

/** Harbor's scan states. */
export type ScanStatus = 'Pending' | 'Running' | 'Success' | 'Error';

/** One scan report per manifest digest (an image or an index): the newest scan of that content. */
export interface ScanReportTable {
  /** UUIDv7; a new scan of the digest keeps the id (Harbor's report_id stays stable). */
  id: string;
  digest: string;
  /** Repository the content was last scanned from (its blobs are read there) and its project. */
  repository: string;
  project: string;
  media_type: string;
  status: ScanStatus;
  /** The job running or last run for it. */
  job_id: string | null;
  /** The engine (`berth` or a configured external scanner) and what it reported about itself. */
  engine: string;
  scanner_name: string | null;
  scanner_vendor: string | null;
  scanner_version: string | null;
  /** 1 when the inventories are stored, so a vulnerability data import re-matches them without reading the image. */
  rematchable: Generated<number>;
  error: string | null;
  requested_at: number;
  started_at: number | null;
  ended_at: number | null;
  /** When the findings were last computed (scan or re-match). */
  matched_at: number | null;
  /** sha256 of the findings as stored: a re-match that finds the same ones writes nothing. */
  findings_hash: string | null;
  /** Highest severity of the counted findings, `None` without any. */
  severity: Generated<string>;
  critical: Generated<number>;
  high: Generated<number>;
  medium: Generated<number>;
  low: Generated<number>;
  negligible: Generated<number>;
  unknown: Generated<number>;
  total: Generated<number>;
  fixable: Generated<number>;
  package_count: Generated<number>;
}

/** One analysed image manifest (a platform of an index) of a report. */
export interface ScanInventoryTable {
  report_id: string;
  idx: number;
  manifest_digest: string;
  os: string | null;
  architecture: string | null;
  variant: string | null;
  distro_id: string | null;
  distro_version: string | null;
  distro_codename: string | null;
  distro_name: string | null;
  /** JSON array of {path, layer?, reason} (bounded). */
  skipped: string;
  /** JSON {layers, entries, bytesRead, durationMs}. */
  stats: string;
}

/** The packages of an inventory: rows, so re-matching thousands of inventories is a few indexed reads. */
export interface ScanPackageTable {
  report_id: string;
  seq: number;
  inventory: number;
  type: string;
  name: string;
  version: string;
  source_name: string | null;
  source_version: string | null;
  /** JSON array, or null. */
  licenses: string | null;
  location: string;
  layer: string;
  found_by: string;
  purl: string;
  arch: string | null;
}

/** The findings of a report (replaced as a whole by each scan or re-match). */
export interface ScanFindingTable {
  report_id: string;
  seq: number;
  vuln_id: string;
  /** JSON arrays. */
  aliases: string;
  package_type: string;
  package: string;
  installed_version: string;
  fixed_version: string | null;
  status: string;
  severity: string;
  /** 0 Unknown … 5 Critical, for sorting and filtering in SQL. */
  severity_rank: number;
  cvss_score: number | null;
  cvss_vector: string | null;
  cvss_version: string | null;
  summary: string | null;
  links: string;
  purl: string;
  layer: string;
  location: string;
  sources: string;
}

// ---- scanners: external Pluggable Scanner API adapters (migration 0015-scanners) ----

export interface ScannerRegistrationTable {
  /** UUID. */
  id: string;
  /** Unique; how the API and CLI name it. */
  name: string;
  /** Base URL of the adapter; its API is under `<url>/api/v1`. */
  url: string;
  description: string;
  /** `none`, `Basic`, `Bearer` or `X-ScannerAdapter-API-Key` (Harbor's choices). */
  auth: string;
  /** The credential sent with that scheme, sealed (src/platform/secrets/sealer.ts). */
  credential_sealed: string | null;
  is_default: number;
  disabled: number;
  /** JSON: the adapter's metadata answer when registered (scanner, capabilities, properties). */
  metadata: string | null;
  created_by: string;
  created_at: number;
  updated_at: number;
}

export interface ProjectScannerTable {
  project: string;
  scanner_id: string;
  updated_at: number;
}
