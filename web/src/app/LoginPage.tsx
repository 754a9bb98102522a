/**
 * Sign-in: user name and password (POST /api/v1/auth/login sets the session cookie) and, when
 * the server has OIDC on, single sign-on through the existing browser flow. `next` is where to
 * go afterwards (same-origin paths only); `expired=1` says why the user is here.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { Alert, Button, Center, Divider, Paper, PasswordInput, Stack, TextInput, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { api, unwrap } from '../api/client.ts';
import { ApiErrorAlert } from '../components/ApiErrorAlert.tsx';
import { forgetSignOut, useAuth } from './auth.tsx';
import { ColorSchemeToggle } from './ColorSchemeToggle.tsx';
import { safeNext } from './next.ts';

export function LoginPage() {
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'));
  const expired = params.get('expired') === '1';
  const { user, refresh } = useAuth();
  const navigate = useNavigate();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    if (!user) forgetSignOut();
  }, [user]);
  const config = useQuery({ queryKey: ['auth-config'], queryFn: () => unwrap(api.GET('/api/v1/auth/config')), staleTime: Infinity });

  if (user) return <Navigate to={next} replace />;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await unwrap(api.POST('/api/v1/auth/login', { body: { username, password } }));
      await refresh();
      await navigate(next, { replace: true });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const oidcHref = `/api/v1/auth/oidc/login?${new URLSearchParams({ next }).toString()}`;

  return (
    <Center mih="100vh" p="md">
      <Paper withBorder shadow="sm" p="xl" w={380} maw="100%" component="main">
        <Stack>
          <Title order={1} size="h2">
            Sign in to Berth
          </Title>
          {expired && (
            <Alert variant="filled" color="yellow.4" autoContrast title="Session expired" role="status">
              Your session has ended. Sign in again to continue.
            </Alert>
          )}
          <ApiErrorAlert error={error} title="Sign-in failed" />
          <form onSubmit={(e) => void submit(e)}>
            <Stack>
              <TextInput label="User name" name="username" autoComplete="username" required withAsterisk={false} value={username} onChange={(e) => setUsername(e.currentTarget.value)} autoFocus />
              <PasswordInput label="Password" name="password" autoComplete="current-password" required withAsterisk={false} value={password} onChange={(e) => setPassword(e.currentTarget.value)} />
              <Button type="submit" loading={busy} fullWidth>
                Sign in
              </Button>
            </Stack>
          </form>
          {config.data?.oidcEnabled && (
            <>
              <Divider label="or" labelPosition="center" />
              <Button component="a" href={oidcHref} variant="default" fullWidth>
                Sign in with single sign-on
              </Button>
            </>
          )}
          <Center>
            <ColorSchemeToggle />
          </Center>
        </Stack>
      </Paper>
    </Center>
  );
}
