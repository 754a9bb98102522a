/**
 * Connection state of a cluster or Git repository: when Berth last reached
 * it, or the error of its last attempt. Read loosely so that the view shows
 * whatever the server reports (older servers report nothing).
 */
import { Badge, Text } from '@mantine/core';
import { RelativeTime } from '../components/RelativeTime.tsx';

interface ConnectionInfo {
  state: string;
  at: number | undefined;
  error: string | undefined;
}

export function connectionOf(obj: object): ConnectionInfo | undefined {
  const o = obj as Record<string, unknown>;
  const c = (typeof o.connection === 'object' && o.connection !== null ? o.connection : o) as Record<string, unknown>;
  const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
  const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
  const at = num(c.lastSuccessAt) ?? num(c.lastContactAt) ?? num(c.lastSuccessfulAt) ?? num(c.lastOkAt);
  const error = str(c.lastError) ?? str(c.error);
  const state = str(c.state) ?? str(c.status) ?? (error ? 'Failed' : at ? 'Successful' : undefined);
  return state ? { state, at, error } : undefined;
}

const COLOURS: Record<string, string> = { Successful: 'green', ok: 'green', connected: 'green', Connected: 'green', Failed: 'red', failed: 'red', error: 'red', Unknown: 'gray', unknown: 'gray' };

export function ConnectionState({ of }: { of: object }) {
  const c = connectionOf(of);
  if (!c) return <Text size="sm">Unknown</Text>;
  return (
    <>
      <Badge variant="light" color={COLOURS[c.state] ?? 'gray'}>
        {c.state}
      </Badge>
      {c.at ? (
        <Text size="xs" c="dimmed">
          last contact <RelativeTime value={c.at} />
        </Text>
      ) : null}
      {c.error ? (
        <Text size="xs" c="red" style={{ overflowWrap: 'anywhere' }}>
          {c.error}
        </Text>
      ) : null}
    </>
  );
}
