/**
 * Calls of the scanning API and the query keys the scan views share (so one event or one
 * action refreshes everything showing the same artifact).
 */
import { CSRF_HEADER, request, type Page } from '../../api/client.ts';
import { toApiError } from '../../api/errors.ts';
import type { PackageRow, ScanReport, Vulnerability } from './types.ts';

const enc = encodeURIComponent;

export function artifactApi(project: string, repository: string, reference: string): string {
  return `/api/v1/projects/${enc(project)}/repositories/${enc(repository)}/artifacts/${enc(reference)}`;
}

export const scanKeys = {
  /** Everything scan-related of a repository (events name the repository and digest). */
  repository: (project: string, repository: string) => ['scan', project, repository] as const,
  artifact: (project: string, repository: string, reference: string) => ['scan', project, repository, reference] as const,
  report: (project: string, repository: string, reference: string) => ['scan', project, repository, reference, 'report'] as const,
};

/** GET of a paged list: the items and X-Total-Count. */
async function getPage<T>(path: string): Promise<Page<T>> {
  const response = await fetch(path, { credentials: 'same-origin', headers: { [CSRF_HEADER]: '1' } });
  const text = await response.text();
  const body: unknown = text ? JSON.parse(text) : undefined;
  if (!response.ok) throw toApiError(response.status, body);
  const items = (body as T[] | undefined) ?? [];
  const total = response.headers.get('x-total-count');
  return { items, total: total === null ? items.length : Number(total) };
}

function query(params: Record<string, string | number | boolean | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '' && v !== false) q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** The report, or null when the artifact was never scanned (404 NOT_SCANNED). */
export async function getReport(project: string, repository: string, reference: string): Promise<ScanReport | null> {
  try {
    return await request<ScanReport>('GET', `${artifactApi(project, repository, reference)}/scan`);
  } catch (err) {
    if ((err as { status?: number }).status === 404 && (err as { code?: string }).code === 'NOT_SCANNED') return null;
    throw err;
  }
}

export function startScan(project: string, repository: string, reference: string): Promise<{ job_id: string | number }> {
  return request('POST', `${artifactApi(project, repository, reference)}/scan`);
}

export interface VulnFilter {
  severity?: string;
  fixable?: boolean;
  package?: string;
  q?: string;
}

export function listVulnerabilities(project: string, repository: string, reference: string, f: VulnFilter & { sort?: string; page: number; pageSize: number }): Promise<Page<Vulnerability>> {
  const qs = query({ severity: f.severity, fixable: f.fixable ? 'true' : undefined, package: f.package, q: f.q, sort: f.sort, page: f.page, page_size: f.pageSize });
  return getPage(`${artifactApi(project, repository, reference)}/vulnerabilities${qs}`);
}

export function listPackages(project: string, repository: string, reference: string, f: { type?: string; q?: string; page: number; pageSize: number }): Promise<Page<PackageRow>> {
  const qs = query({ type: f.type, q: f.q, page: f.page, page_size: f.pageSize });
  return getPage(`${artifactApi(project, repository, reference)}/packages${qs}`);
}

export const sbomUrl = (project: string, repository: string, reference: string, format: 'cyclonedx' | 'spdx') => `${artifactApi(project, repository, reference)}/sbom?format=${format}`;
