/**
 * Calls of the scanning API (typed by the generated schema) and the query keys the scan views
 * share, so one event or one action refreshes everything showing the same artifact.
 */
import { api, type Page, unwrap, unwrapPage } from '../../api/client.ts';
import { ApiError } from '../../api/errors.ts';
import type { PackageRow, ScanReport, Severity, Vulnerability } from './types.ts';

const enc = encodeURIComponent;

export const scanKeys = {
  /** Everything scan-related of a repository (events name the repository and digest). */
  repository: (project: string, repository: string) => ['scan', project, repository] as const,
  artifact: (project: string, repository: string, reference: string) => ['scan', project, repository, reference] as const,
  report: (project: string, repository: string, reference: string) => ['scan', project, repository, reference, 'report'] as const,
};

/** The report, or null when the artifact was never scanned (404 NOT_SCANNED). */
export async function getReport(project: string, repository: string, reference: string): Promise<ScanReport | null> {
  try {
    return await unwrap(api.GET('/api/v1/projects/{project}/repositories/{repository}/artifacts/{reference}/scan', { params: { path: { project, repository, reference } } }));
  } catch (err) {
    if (err instanceof ApiError && err.status === 404 && err.code === 'NOT_SCANNED') return null;
    throw err;
  }
}

export function startScan(project: string, repository: string, reference: string): Promise<{ job_id: string }> {
  return unwrap(api.POST('/api/v1/projects/{project}/repositories/{repository}/artifacts/{reference}/scan', { params: { path: { project, repository, reference } } }));
}

export function scanRepository(project: string, repository: string): Promise<{ queued: number }> {
  return unwrap(api.POST('/api/v1/projects/{project}/repositories/{repository}/scan', { params: { path: { project, repository } } }));
}

export interface VulnFilter {
  severity?: string;
  fixable?: boolean;
  package?: string;
  q?: string;
}

export function listVulnerabilities(project: string, repository: string, reference: string, f: VulnFilter & { sort?: string; page: number; pageSize: number }): Promise<Page<Vulnerability>> {
  const query = {
    page: f.page,
    page_size: f.pageSize,
    ...(f.severity ? { severity: f.severity } : {}),
    ...(f.fixable ? { fixable: 'true' as const } : {}),
    ...(f.package ? { package: f.package } : {}),
    ...(f.q ? { q: f.q } : {}),
    ...(f.sort ? { sort: f.sort } : {}),
  };
  return unwrapPage(api.GET('/api/v1/projects/{project}/repositories/{repository}/artifacts/{reference}/vulnerabilities', { params: { path: { project, repository, reference }, query } }));
}

export function listPackages(project: string, repository: string, reference: string, f: { type?: string; q?: string; page: number; pageSize: number }): Promise<Page<PackageRow>> {
  const query = { page: f.page, page_size: f.pageSize, ...(f.type ? { type: f.type } : {}), ...(f.q ? { q: f.q } : {}) };
  return unwrapPage(api.GET('/api/v1/projects/{project}/repositories/{repository}/artifacts/{reference}/packages', { params: { path: { project, repository, reference }, query } }));
}

/** A plain link (GET with the session cookie): the browser saves the attachment under the server's name. */
export const sbomUrl = (project: string, repository: string, reference: string, format: 'cyclonedx' | 'spdx') =>
  `/api/v1/projects/${enc(project)}/repositories/${enc(repository)}/artifacts/${enc(reference)}/sbom?format=${format}`;

export type { Severity };
