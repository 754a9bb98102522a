/**
 * Who is signed in: GET /api/v1/users/me (cookie session). 401 means nobody; the shell then
 * shows the sign-in page. Sign-out ends the session and forgets every cached query.
 */
import { createContext, useContext, type ReactNode } from 'react';
import { useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client.ts';
import { ApiError } from '../api/errors.ts';

type Me = NonNullable<Awaited<ReturnType<typeof fetchMe>>>;

export interface Auth {
  /** undefined while loading; null when nobody is signed in. */
  user: Me | null | undefined;
  isAdmin: boolean;
  /** Set when /users/me failed for another reason than 401 (server down …). */
  error: unknown;
  refresh: () => Promise<unknown>;
  signOut: () => Promise<void>;
}

/**
 * `signed-out`: the user chose to leave, so the sign-in page is plain /login (no `next` back to
 * the page they left). `expired`: a 401 ended it, so `next` and `expired=1` come along.
 */
export type SessionEnd = 'signed-out' | 'expired' | null;

const AuthContext = createContext<Auth | undefined>(undefined);

// Module state, not React state: the 401 handler (main.tsx) ends the session outside React.
// It is set before `me` becomes null, so RequireAuth reads it when that change renders.
let sessionEnd: SessionEnd = null;
let signedIn = false;

/** Why nobody is signed in, when someone was (RequireAuth picks the sign-in address from it). */
export function sessionEndReason(): SessionEnd {
  return sessionEnd;
}

/**
 * The sign-in page has been reached after signing out: that reason is used up, so a later visit
 * to a protected page (Back) comes back to it after sign-in again. `expired` stays until someone
 * signs in: the 401 handler may bounce through the sign-in page before the old user is gone.
 */
export function forgetSignOut(): void {
  if (sessionEnd === 'signed-out') sessionEnd = null;
}

async function fetchMe() {
  try {
    const me = await unwrap(api.GET('/api/v1/users/me'));
    signedIn = true;
    sessionEnd = null;
    return me;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      // Someone was signed in here and /users/me now says nobody: the session expired.
      if (signedIn && sessionEnd === null) sessionEnd = 'expired';
      signedIn = false;
      return null;
    }
    throw err;
  }
}

export const ME_KEY = ['me'] as const;

/**
 * Signed out (or expired): nobody is signed in and every cached answer is dropped. The `me`
 * query is set, not removed: its observer stays attached to it (clear() would leave the
 * shell showing the old user).
 */
export function forgetSession(client: QueryClient, reason: Exclude<SessionEnd, null> = 'expired'): void {
  sessionEnd = reason;
  signedIn = false;
  client.setQueryData(ME_KEY, null);
  client.removeQueries({ predicate: (q) => q.queryKey[0] !== ME_KEY[0] });
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const client = useQueryClient();
  const me = useQuery({ queryKey: ME_KEY, queryFn: fetchMe, staleTime: 60_000, retry: false });
  const user = me.data;
  const value: Auth = {
    user: me.isPending ? undefined : (user ?? null),
    isAdmin: Boolean(user && 'admin' in user && user.admin),
    error: me.error,
    refresh: () => client.invalidateQueries({ queryKey: ME_KEY }),
    // No navigation here: RequireAuth sees nobody signed in and goes to plain /login. The shell
    // used to navigate as well, which raced it: the sign-in page, still seeing the old user,
    // sent the browser back, and RequireAuth then added `next`.
    signOut: async () => {
      await unwrap(api.POST('/api/v1/auth/logout'));
      forgetSession(client, 'signed-out');
    },
  };
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error('useAuth outside AuthProvider');
  return auth;
}
