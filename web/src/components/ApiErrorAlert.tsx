/** Shows an API failure with the server's own message ({errors:[{code,message}]}). */
import { Alert } from '@mantine/core';
import { ApiError } from '../api/errors.ts';

export function ApiErrorAlert({ error, title = 'Request failed' }: { error: unknown; title?: string }) {
  if (!error) return null;
  const messages = error instanceof ApiError ? error.errors.map((e) => `${e.message} (${e.code})`) : [errorText(error)];
  return (
    <Alert color="red" title={title} role="alert" variant="light">
      {messages.map((m) => (
        <div key={m}>{m}</div>
      ))}
    </Alert>
  );
}

/** Text of an error for notifications. */
export function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : 'unexpected error';
}
