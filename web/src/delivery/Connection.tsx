/**
 * Connection state of a cluster or Git repository, as the API reports it:
 * when Berth last reached it and, when the last attempt failed after that,
 * the error. Read loosely (an older server reports nothing).
 */
import { Text } from '@mantine/core';
import { Tone } from './badges.tsx';
import { RelativeTime } from '../components/RelativeTime.tsx';

interface ConnectionInfo {
  state: 'Connected' | 'Failed' | 'Never contacted';
  at: number | undefined;
  error: { message: string; at: number } | undefined;
}

export function connectionOf(obj: object): ConnectionInfo | undefined {
  const c = (obj as { connection?: { lastSuccessAt?: number | null; lastError?: { message: string; at: number } | null } }).connection;
  if (!c) return undefined;
  const at = c.lastSuccessAt ?? undefined;
  const error = c.lastError ?? undefined;
  const state = error && (at === undefined || error.at >= at) ? 'Failed' : at !== undefined ? 'Connected' : 'Never contacted';
  return { state, at, error };
}

const COLOURS = { Connected: 'green', Failed: 'red', 'Never contacted': 'gray' } as const;

export function ConnectionState({ of }: { of: object }) {
  const c = connectionOf(of);
  if (!c) return <Text size="sm">Unknown</Text>;
  return (
    <>
      <Tone color={COLOURS[c.state]}>
        {c.state}
      </Tone>
      {c.at !== undefined ? (
        <Text size="xs">
          last reached <RelativeTime value={c.at} />
        </Text>
      ) : null}
      {c.error ? (
        <Text size="xs" style={{ overflowWrap: 'anywhere' }}>
          <RelativeTime value={c.error.at} />: {c.error.message}
        </Text>
      ) : null}
    </>
  );
}
