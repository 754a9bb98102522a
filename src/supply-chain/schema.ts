/** Table types of the supply-chain domain; each unit keeps its own block (the lead merges them). */

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
