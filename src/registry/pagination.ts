/** `n` / `last` pagination shared by the tag list and the catalog. */
import { RegistryError } from '../oci/errors.ts';

export interface PageRequest {
  /** undefined: no limit given. */
  n: number | undefined;
  last: string | undefined;
}

/** The most entries one page returns, whatever `n` asks for. */
export const MAX_PAGE_SIZE = 10_000;

export function parsePageRequest(query: Record<string, unknown>): PageRequest {
  const rawN = query.n;
  const rawLast = query.last;
  let n: number | undefined;
  if (rawN !== undefined && rawN !== '') {
    if (typeof rawN !== 'string' || !/^\d{1,9}$/.test(rawN)) {
      throw new RegistryError('PAGINATION_NUMBER_INVALID', `invalid page size n=${JSON.stringify(rawN)}: must be a non-negative integer`);
    }
    n = Number(rawN);
  }
  if (rawLast !== undefined && typeof rawLast !== 'string') {
    throw new RegistryError('PAGINATION_NUMBER_INVALID', 'last must be given once');
  }
  return { n, last: rawLast === '' ? undefined : rawLast };
}

/**
 * The `Link` header for the next page, or undefined when this page was the
 * last. `path` is the endpoint path without query.
 */
export function nextLink(path: string, items: readonly string[], limit: number, more: boolean): string | undefined {
  if (!more || items.length === 0) return undefined;
  const last = items[items.length - 1]!;
  return `<${path}?n=${limit}&last=${encodeURIComponent(last)}>; rel="next"`;
}
