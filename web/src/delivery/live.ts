/**
 * Live application status: one EventSource on /api/v1/stream filtered to
 * application events. Each event invalidates the queries of the application
 * it names and the lists (batched, so a burst of events from many syncs costs
 * one refetch per query). EventSource reconnects by itself (sending
 * Last-Event-ID); while it is not open the views poll every 10 s instead.
 * One connection is shared by every component that uses the hook.
 */
import { type QueryClient, useQueryClient } from '@tanstack/react-query';
import { useEffect, useSyncExternalStore } from 'react';

export type LiveState = 'connecting' | 'live' | 'reconnecting' | 'unsupported';

/** Query key prefixes the delivery views use, so that events know what to invalidate. */
export const appKeys = {
  all: ['applications'] as const,
  list: (query: object) => ['applications', 'list', query] as const,
  lists: ['applications', 'list'] as const,
  app: (name: string) => ['applications', 'app', name] as const,
  part: (name: string, part: 'tree' | 'diff' | 'history' | 'operations' | 'permissions') => ['applications', 'app', name, part] as const,
};

/** While the stream is down, how often views refetch. */
export const POLL_MS = 10_000;
const FLUSH_MS = 400;
/** Lists refetch at most this often, so a storm of events (many applications syncing) costs one page request per interval. */
const LIST_MIN_INTERVAL_MS = 2_000;
let listRefetchedAt = 0;
/** The application event types /api/v1/stream sends (`event:` lines, src/platform/events/types.ts). */
const EVENT_NAMES = ['application.status_changed', 'application.operation_updated', 'application.synced', 'application.sync_failed', 'application.health_changed', 'application.deployed'];

let state: LiveState = 'connecting';
const listeners = new Set<() => void>();
let users = 0;
let source: EventSource | undefined;
let pending = new Set<string>();
let flushTimer: ReturnType<typeof setTimeout> | undefined;

function setState(next: LiveState): void {
  if (next === state) return;
  state = next;
  for (const l of listeners) l();
}

/** The application an event is about, whatever the event's exact shape. */
function appNameOf(data: string): string | undefined {
  try {
    const parsed = JSON.parse(data) as Record<string, unknown>;
    const body = (typeof parsed.data === 'object' && parsed.data !== null ? parsed.data : parsed) as Record<string, unknown>;
    const name = body.application ?? body.app ?? body.name;
    return typeof name === 'string' ? name : undefined;
  } catch {
    return undefined;
  }
}

function flush(client: QueryClient): void {
  flushTimer = undefined;
  const names = pending;
  pending = new Set();
  const now = Date.now();
  if (now - listRefetchedAt >= LIST_MIN_INTERVAL_MS) {
    listRefetchedAt = now;
    void client.invalidateQueries({ queryKey: appKeys.lists });
  } else {
    // Too soon: come back once the interval has passed (the names are already handled).
    flushTimer ??= setTimeout(() => flush(client), LIST_MIN_INTERVAL_MS - (now - listRefetchedAt));
  }
  for (const name of names) void client.invalidateQueries({ queryKey: appKeys.app(name) });
}

function connect(client: QueryClient): void {
  if (typeof EventSource === 'undefined') return setState('unsupported');
  source = new EventSource('/api/v1/stream?types=application.*', { withCredentials: true });
  setState('connecting');
  source.onopen = () => {
    // Whatever changed while disconnected is not replayed for sure: refetch once.
    if (state === 'reconnecting') void client.invalidateQueries({ queryKey: appKeys.all });
    setState('live');
  };
  source.onerror = () => setState('reconnecting');
  const onEvent = (e: MessageEvent<string>): void => {
    const name = appNameOf(e.data);
    if (name) pending.add(name);
    flushTimer ??= setTimeout(() => flush(client), FLUSH_MS);
  };
  for (const n of EVENT_NAMES) source.addEventListener(n, onEvent as EventListener);
  // The server could not replay what was missed (Last-Event-ID too old): reload everything.
  source.addEventListener('reset', () => void client.invalidateQueries({ queryKey: appKeys.all }));
}

/** A closed source (the server answered an error status) is not retried by the browser: retry it ourselves. */
function watchdog(client: QueryClient): ReturnType<typeof setInterval> {
  return setInterval(() => {
    if (source?.readyState === EventSource.CLOSED) {
      source.close();
      connect(client);
      setState('reconnecting');
    }
  }, POLL_MS);
}

let dog: ReturnType<typeof setInterval> | undefined;
let closeTimer: ReturnType<typeof setTimeout> | undefined;
/** Going from one live view to another keeps the connection (and its place in the stream). */
const CLOSE_GRACE_MS = 5_000;

function close(): void {
  closeTimer = undefined;
  source?.close();
  source = undefined;
  if (dog) clearInterval(dog);
  if (flushTimer) clearTimeout(flushTimer);
  flushTimer = undefined;
  state = 'connecting';
}

/** Subscribes to live application events while mounted; returns the connection state. */
export function useLiveApplications(): LiveState {
  const client = useQueryClient();
  useEffect(() => {
    if (users++ === 0) {
      if (closeTimer) clearTimeout(closeTimer);
      closeTimer = undefined;
      if (!source) {
        connect(client);
        dog = watchdog(client);
      }
    }
    return () => {
      if (--users === 0) closeTimer = setTimeout(close, CLOSE_GRACE_MS);
    };
  }, [client]);
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => state,
  );
}

/** refetchInterval for queries the stream keeps fresh: none while live, polling otherwise. */
export const pollUnlessLive = (live: LiveState): number | false => (live === 'live' ? false : POLL_MS);
