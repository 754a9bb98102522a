/**
 * Routes below need a signed-in user; otherwise the sign-in page, coming back here afterwards
 * (saying the session expired when it did) — unless the user just signed out: then plain
 * /login, since they chose to leave this page.
 */
import type { ReactNode } from 'react';
import { Center, Loader } from '@mantine/core';
import { Navigate, useLocation } from 'react-router';
import { loginPath } from '../api/client.ts';
import { ApiErrorAlert } from '../components/ApiErrorAlert.tsx';
import { sessionEndReason, useAuth } from './auth.tsx';

export function RequireAuth({ children }: { children: ReactNode }) {
  const { user, error } = useAuth();
  const location = useLocation();
  if (error) return <ApiErrorAlert error={error} title="Berth is not reachable" />;
  if (user === undefined) {
    return (
      <Center h="50vh">
        <Loader aria-label="Loading" />
      </Center>
    );
  }
  if (user === null) {
    const reason = sessionEndReason();
    return <Navigate to={reason === 'signed-out' ? '/login' : loginPath(location.pathname + location.search, reason === 'expired')} replace />;
  }
  return <>{children}</>;
}
