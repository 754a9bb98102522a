/** Where to go after sign-in: only same-origin paths (an open redirect would let a link send users elsewhere). */
export function safeNext(next: string | null): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\') || next.startsWith('/login')) return '/';
  return next;
}

/** The sign-in page's address that returns to `next`; `expired` says the session ended. */
export function loginPath(next: string, expired: boolean): string {
  const params = new URLSearchParams();
  if (next && next !== '/' && !next.startsWith('/login')) params.set('next', next);
  if (expired) params.set('expired', '1');
  const q = params.toString();
  return q ? `/login?${q}` : '/login';
}
