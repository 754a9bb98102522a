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

const AuthContext = createContext<Auth | undefined>(undefined);

async function fetchMe() {
  try {
    return await unwrap(api.GET('/api/v1/users/me'));
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return null;
    throw err;
  }
}

export const ME_KEY = ['me'] as const;

/**
 * Signed out (or expired): nobody is signed in and every cached answer is dropped. The `me`
 * query is set, not removed: its observer stays attached to it (clear() would leave the
 * shell showing the old user).
 */
export function forgetSession(client: QueryClient): void {
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
    signOut: async () => {
      await api.POST('/api/v1/auth/logout');
      forgetSession(client);
    },
  };
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error('useAuth outside AuthProvider');
  return auth;
}
