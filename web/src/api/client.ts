/**
 * The typed API client: openapi-fetch over the generated schema (scripts/gen-api-types.ts),
 * so a request or response that does not match /api/v1/openapi.json fails `tsc -p web`.
 *
 * Cookie sessions: same-origin credentials and `X-Berth-CSRF: 1` on every request (the server
 * refuses unsafe cookie requests without it, src/access/sessions.ts). A 401 on anything but the
 * sign-in calls sends the browser to the sign-in page with `expired=1` and the current path.
 */
import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './schema';
import { toApiError } from './errors.ts';

export const CSRF_HEADER = 'X-Berth-CSRF';

/** Paths whose 401 is an answer (who is signed in, sign-in itself), not an expired session. */
const isSessionProbe = (path: string) => path === '/api/v1/users/me' || path.startsWith('/api/v1/auth/');

let onUnauthorized: (() => void) | undefined;

/** The app shell registers how to go to the sign-in page (it owns the router). */
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

export { loginPath } from '../app/next.ts';

let checking: Promise<void> | undefined;

/**
 * Many reads allow anonymous callers, so an expired session often shows as 403/404 (a private
 * project is hidden from anonymous) rather than 401. After such an answer, ask /users/me once:
 * a 401 there means the session is gone.
 */
function checkSession(): void {
  checking ??= fetch('/api/v1/users/me', { credentials: 'same-origin', headers: { [CSRF_HEADER]: '1' } })
    .then((r) => {
      if (r.status === 401) onUnauthorized?.();
    })
    .catch(() => undefined)
    .finally(() => {
      checking = undefined;
    });
}

function afterResponse(path: string, status: number): void {
  if (isSessionProbe(path)) return;
  if (status === 401) onUnauthorized?.();
  else if (status === 403 || status === 404) checkSession();
}

const session: Middleware = {
  onRequest({ request }) {
    request.headers.set(CSRF_HEADER, '1');
    return request;
  },
  onResponse({ request, response }) {
    afterResponse(new URL(request.url).pathname, response.status);
    return response;
  },
};

export const api = createClient<paths>({ baseUrl: '/', credentials: 'same-origin' });
api.use(session);

/**
 * Unwraps an openapi-fetch result: the data, or a thrown ApiError with the server's message.
 * With `total`, also X-Total-Count (paged lists).
 */
export async function unwrap<T>(promise: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await promise;
  if (!response.ok) throw toApiError(response.status, error);
  return data as T;
}

export interface Page<T> {
  items: T[];
  total: number;
}

export async function unwrapPage<T>(promise: Promise<{ data?: T[]; error?: unknown; response: Response }>): Promise<Page<T>> {
  const { data, error, response } = await promise;
  if (!response.ok) throw toApiError(response.status, error);
  const items = data ?? [];
  const header = response.headers.get('x-total-count');
  return { items, total: header === null ? items.length : Number(header) };
}

/**
 * For endpoints another branch is still adding to the API (not yet in the generated
 * schema): same headers and error handling, untyped result. Replace with `api` once present.
 */
export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: { [CSRF_HEADER]: '1', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  afterResponse(path.split('?', 1)[0]!, response.status);
  const text = await response.text();
  const parsed: unknown = text ? JSON.parse(text) : undefined;
  if (!response.ok) throw toApiError(response.status, parsed);
  return parsed as T;
}
