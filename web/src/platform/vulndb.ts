/**
 * Calls of the vulnerability-data API (docs/vulnerability-data.md), system
 * administrators only; the shapes are the generated OpenAPI types. The upload
 * goes through fetch, not the typed client: its body is the file itself.
 */
import { CSRF_HEADER, request } from '../api/client.ts';
import { toApiError } from '../api/errors.ts';
import type { VulnImportResult, VulnSource } from './types.ts';

export type { VulnSource };
export type ImportResult = VulnImportResult;

export const FORMATS = [
  { value: 'osv', label: 'OSV (all.zip or JSON)' },
  { value: 'alpine-secdb', label: 'Alpine secdb (JSON)' },
  { value: 'debian-tracker', label: 'Debian security tracker (JSON)' },
  { value: 'debian-dsa', label: 'Debian DSA list' },
  { value: 'debian-dla', label: 'Debian DLA list' },
];

export const vulnDbKey = ['vulndb', 'sources'] as const;

export const listSources = () => request<VulnSource[]>('GET', '/api/v1/vulndb/sources');
export const removeSource = (name: string) => request<unknown>('DELETE', `/api/v1/vulndb/sources/${encodeURIComponent(name)}`);
export const importUrl = (body: { url: string; format?: string; source?: string }) => request<ImportResult>('POST', '/api/v1/vulndb/imports', body);

/** Uploads a file as the raw body (streamed by the browser from disk, never read whole here). */
export async function importFile(file: File, options: { format?: string; source?: string }): Promise<ImportResult> {
  const q = new URLSearchParams();
  if (options.format) q.set('format', options.format);
  if (options.source) q.set('source', options.source);
  const qs = q.toString();
  const response = await fetch(`/api/v1/vulndb/imports${qs ? `?${qs}` : ''}`, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { [CSRF_HEADER]: '1', 'content-type': 'application/octet-stream' },
    body: file,
  });
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!response.ok) throw toApiError(response.status, body);
  return body as ImportResult;
}
