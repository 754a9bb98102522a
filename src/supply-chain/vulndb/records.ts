/**
 * What every importer shares: the formats, the limits each parser of outside
 * data is bounded by, the error it throws, and the checks that turn loose JSON
 * into the `Advisory` shape (src/supply-chain/types.ts) with bounded strings
 * and lists, so nothing a hostile file says reaches SQL unbounded.
 */
import { createHash } from 'node:crypto';
import { DomainError } from '../../core/errors.ts';
import { SEVERITIES, type Advisory, type AffectedPackage, type RangeEvent, type Severity } from '../types.ts';
import { foldName } from '../vulnerabilities/ecosystems.ts';

export type ImportFormat = 'osv' | 'alpine-secdb' | 'debian-tracker' | 'debian-dsa' | 'debian-dla';

export const IMPORT_FORMATS: readonly ImportFormat[] = ['osv', 'alpine-secdb', 'debian-tracker', 'debian-dsa', 'debian-dla'];

export interface ImportLimits {
  /** Largest file accepted (upload, download or local file). */
  maxFileBytes: number;
  /** Largest single record: one zip entry of an OSV all.zip. */
  maxRecordBytes: number;
  /** Most records (zip entries, advisories) in one file. */
  maxRecords: number;
  /** Largest JSON document parsed whole (secdb, tracker JSON). */
  maxJsonBytes: number;
}

export const DEFAULT_LIMITS: ImportLimits = {
  maxFileBytes: 2 * 1024 ** 3,
  maxRecordBytes: 16 * 1024 ** 2,
  maxRecords: 2_000_000,
  maxJsonBytes: 512 * 1024 ** 2,
};

/** A file the importer refuses: the caller's input is wrong (a 400 at the API). */
export class VulnDataError extends DomainError {
  constructor(message: string) {
    super('invalid', message);
    this.name = 'VulnDataError';
  }
}

/** Advisory ids, aliases: `CVE-2024-1234`, `GHSA-xxxx-…`, `GO-2023-0001`, `DSA-5000-1`, `PYSEC-2021-1`, `RUSTSEC-…`. */
const ID = /^[A-Za-z0-9][A-Za-z0-9._:+-]{0,127}$/;

export function isAdvisoryId(value: unknown): value is string {
  return typeof value === 'string' && ID.test(value);
}

/** A bounded string or undefined (control characters other than newline and tab removed). */
export function text(value: unknown, max: number): string | undefined {
  if (typeof value !== 'string') return undefined;
  // eslint-disable-next-line no-control-regex -- removing control characters is the point
  const clean = value.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '').trim();
  if (clean.length === 0) return undefined;
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

export const MAX_AFFECTED = 10_000;
export const MAX_VERSIONS = 20_000;
export const MAX_EVENTS = 1_000;
export const MAX_REFERENCES = 200;
export const MAX_ALIASES = 200;
/** Package names longer than this are refused (the index column is varchar(512)). */
export const MAX_NAME = 512;
export const MAX_ECOSYSTEM = 128;
export const MAX_VERSION = 256;

/** The key a package name is filed under: the matcher's own folding (vulnerabilities/ecosystems.ts), so lookups and matching agree. */
export const lookupKey: (ecosystem: string, name: string) => string = foldName;

/** Harbor severity from a publisher's word (GHSA `MODERATE`, Debian urgency `medium`, …); undefined when unknown. */
export function severityWord(value: unknown): Severity | undefined {
  if (typeof value !== 'string') return undefined;
  const w = value.trim().toLowerCase().replace(/\*+$/, '');
  if (w === 'moderate') return 'Medium';
  if (w === 'unimportant' || w === 'negligible') return 'Negligible';
  return SEVERITIES.find((s) => s.toLowerCase() === w);
}

/** Checks a version string from a record; refuses what cannot be one. */
export function version(value: unknown, where: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_VERSION || /\s/.test(value)) {
    throw new VulnDataError(`${where}: ${JSON.stringify(String(value).slice(0, 80))} is not a version`);
  }
  return value;
}

export function packageName(value: unknown, where: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_NAME) throw new VulnDataError(`${where}: a package name of 1–${MAX_NAME} characters is required`);
  return value;
}

export function ecosystemName(value: unknown, where: string): string {
  // eslint-disable-next-line no-control-regex -- refusing control characters
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_ECOSYSTEM || /[\u0000-\u001f]/.test(value)) {
    throw new VulnDataError(`${where}: an ecosystem of 1–${MAX_ECOSYSTEM} characters is required`);
  }
  return value;
}

/** `introduced 0, fixed X` (or no fix) in ECOSYSTEM terms: what distribution data says. */
export function fixedRange(fixed: string | undefined): AffectedPackage['ranges'] {
  const events: RangeEvent[] = [{ introduced: '0' }];
  if (fixed !== undefined) events.push({ fixed });
  return [{ type: 'ECOSYSTEM', events }];
}

/** The hash an import compares to decide whether a stored record changed. */
export function contentHash(advisory: Advisory): string {
  return createHash('sha256').update(JSON.stringify(advisory)).digest('hex');
}

/** Ids as a sorted, de-duplicated list, the record's own id left out. */
export function aliasList(ids: Iterable<unknown>, self: string): string[] {
  const out = new Set<string>();
  for (const id of ids) {
    if (isAdvisoryId(id) && id !== self) out.add(id);
    if (out.size >= MAX_ALIASES) break;
  }
  return [...out].sort();
}
