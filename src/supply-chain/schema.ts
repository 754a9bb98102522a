/**
 * Table types of the supply-chain domain. Each unit keeps its tables in its
 * own block below (one migration each); platform/db/schema.ts combines them.
 */

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
