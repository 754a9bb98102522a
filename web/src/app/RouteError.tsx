/**
 * Shown when a view throws while rendering or loading: the error, and a way back. A view chunk
 * that no longer exists (Berth was updated while the page was open) asks for a reload instead.
 */
import { Anchor, Button, Stack, Text, Title } from '@mantine/core';
import { Link, useRouteError } from 'react-router';
import { ApiErrorAlert } from '../components/ApiErrorAlert.tsx';

const STALE = /dynamically imported module|Importing a module script failed|error loading dynamically imported module/i;

export function RouteError() {
  const error = useRouteError();
  if (error instanceof Error && STALE.test(error.message)) {
    return (
      <Stack p="md" align="start">
        <Title order={1} size="h2">
          Berth was updated
        </Title>
        <Text>This page was loaded from an earlier version. Reload to continue.</Text>
        <Button onClick={() => window.location.reload()}>Reload</Button>
      </Stack>
    );
  }
  return (
    <Stack p="md">
      <Title order={1} size="h2">
        Something went wrong
      </Title>
      <ApiErrorAlert error={error} title="Error" />
      <Anchor component={Link} to="/">
        Go to the start page
      </Anchor>
    </Stack>
  );
}
