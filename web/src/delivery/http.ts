/**
 * Small helpers over the typed API client shared by the delivery and
 * platform views: unwrap an openapi-fetch result (already awaited) into its
 * data or the API's error, read X-Total-Count, format times.
 */
import { toApiError } from '../api/errors.ts';
import { errorText } from '../components/ApiErrorAlert.tsx';

interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The data of a successful answer; throws the shell's ApiError (4xx are not retried) otherwise. */
export function unwrap<T>(r: FetchResult<T>): T {
  if (!r.response.ok) throw toApiError(r.response.status, r.error);
  return r.data as T;
}

/** A page of a paged list: its items and the X-Total-Count header. */
export function paged<T>(r: FetchResult<T[]>): { items: T[]; total: number } {
  const items = unwrap(r) ?? [];
  const total = Number(r.response.headers.get('x-total-count') ?? items.length);
  return { items, total: Number.isFinite(total) ? total : items.length };
}

export { errorText };

export function exact(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? '' : new Date(ms).toLocaleString();
}

export function duration(from: number | null | undefined, to: number | null | undefined): string {
  if (!from || !to) return '—';
  const s = Math.max(0, (to - from) / 1000);
  return s < 60 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

export const shortSha = (rev: string | undefined): string => (rev && /^[0-9a-f]{40,64}$/.test(rev) ? rev.slice(0, 7) : (rev ?? ''));
