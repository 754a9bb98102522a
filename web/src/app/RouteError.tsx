/** Shown when a view throws while rendering or loading: the error, and a way back. */
import { Anchor, Stack, Title } from '@mantine/core';
import { Link, useRouteError } from 'react-router';
import { ApiErrorAlert } from '../components/ApiErrorAlert.tsx';

export function RouteError() {
  const error = useRouteError();
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
