/** Entry: Mantine (theme, dark scheme), TanStack Query, notifications, the router, the session. */
import '@mantine/core/styles.css';
import '@mantine/notifications/styles.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { localStorageColorSchemeManager, MantineProvider } from '@mantine/core';
import { Notifications, notifications } from '@mantine/notifications';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { RouterProvider } from 'react-router';
import { loginPath, setUnauthorizedHandler } from './api/client.ts';
import { ApiError } from './api/errors.ts';
import { AuthProvider, forgetSession } from './app/auth.tsx';
import { router } from './app/router.tsx';
import { cssVariablesResolver, theme } from './app/theme.ts';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 10_000,
      // 4xx answers are final; retry only what may pass (network, 5xx).
      retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
      refetchOnWindowFocus: true,
    },
  },
});

// A 401 anywhere but the sign-in calls: the session has expired.
let redirecting = false;
setUnauthorizedHandler(() => {
  if (redirecting || window.location.pathname === '/login') return;
  redirecting = true;
  forgetSession(queryClient);
  notifications.show({ color: 'yellow', title: 'Session expired', message: 'Sign in again to continue.' });
  void router.navigate(loginPath(window.location.pathname + window.location.search, true), { replace: true }).finally(() => {
    redirecting = false;
  });
});

const colorSchemeManager = localStorageColorSchemeManager({ key: 'berth-color-scheme' });

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <MantineProvider theme={theme} cssVariablesResolver={cssVariablesResolver} defaultColorScheme="auto" colorSchemeManager={colorSchemeManager}>
      <Notifications position="top-right" />
      <QueryClientProvider client={queryClient}>
        <AuthProvider>
          <RouterProvider router={router} />
        </AuthProvider>
      </QueryClientProvider>
    </MantineProvider>
  </StrictMode>,
);
