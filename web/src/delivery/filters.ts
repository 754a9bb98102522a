/**
 * The applications list's filters live in the URL query (?project=&cluster=
 * &namespace=&sync=&health=&q=&page=&page_size=) so that a reload, a shared
 * link or the back button shows the same page; they go to the server as is.
 */

export const SYNC_STATES = ['Synced', 'OutOfSync', 'Unknown'] as const;
export const HEALTH_STATES = ['Healthy', 'Progressing', 'Degraded', 'Suspended', 'Missing', 'Unknown'] as const;
export const PAGE_SIZES = [10, 25, 50, 100] as const;

export interface AppFilters {
  project: string;
  cluster: string;
  namespace: string;
  sync: string;
  health: string;
  /** Name substring. */
  q: string;
  page: number;
  pageSize: number;
}

const TEXT_KEYS = ['project', 'cluster', 'namespace', 'sync', 'health', 'q'] as const;

export function readFilters(params: URLSearchParams): AppFilters {
  const num = (key: string, fallback: number, max: number): number => {
    const n = Number(params.get(key));
    return Number.isInteger(n) && n >= 1 ? Math.min(n, max) : fallback;
  };
  const text = (key: string): string => (params.get(key) ?? '').slice(0, 253);
  return {
    project: text('project'),
    cluster: text('cluster'),
    namespace: text('namespace'),
    sync: text('sync'),
    health: text('health'),
    q: text('q'),
    page: num('page', 1, 100_000),
    pageSize: num('page_size', 25, 100),
  };
}

/** The URL query for `f`; a changed filter resets the page unless `page` is part of the change. */
export function writeFilters(current: AppFilters, change: Partial<AppFilters>): URLSearchParams {
  const next: AppFilters = { ...current, ...change, ...(change.page === undefined ? { page: 1 } : {}) };
  const params = new URLSearchParams();
  for (const key of TEXT_KEYS) if (next[key]) params.set(key, next[key]);
  if (next.page !== 1) params.set('page', String(next.page));
  if (next.pageSize !== 25) params.set('page_size', String(next.pageSize));
  return params;
}

/** The API's query for the list: `q` becomes the `name=~text` expression the API parses. */
export function apiQuery(f: AppFilters): Record<string, string | number> {
  return {
    page: f.page,
    page_size: f.pageSize,
    ...(f.project ? { project: f.project } : {}),
    ...(f.cluster ? { cluster: f.cluster } : {}),
    ...(f.namespace ? { namespace: f.namespace } : {}),
    ...(f.sync ? { sync: f.sync } : {}),
    ...(f.health ? { health: f.health } : {}),
    ...(f.q ? { q: `name=~${f.q}` } : {}),
  };
}
