/**
 * Live scan status: one EventSource on /api/v1/stream?types=artifact.* shared by the views
 * that show scans (repository and artifact pages). `artifact.scanned` and
 * `artifact.scan_failed` (and pushes and deletes) refresh the named repository's artifact
 * list, artifact detail and scan queries; while the stream is not open the views poll
 * instead (pollUnlessLive), so a scan still shows its end without the stream.
 */
import { type QueryClient, useQueryClient } from '@tanstack/react-query';
import { useEffect, useSyncExternalStore } from 'react';
import { withinProject } from '../paths.ts';

export type LiveState = 'connecting' | 'live' | 'reconnecting' | 'unsupported';

const EVENT_NAMES = ['artifact.scanned', 'artifact.scan_failed', 'artifact.pushed', 'artifact.deleted'];
/** Events of one burst (scan-all finishing many artifacts) are applied together. */
const FLUSH_MS = 300;
export const POLL_MS = 5_000;
const CLOSE_GRACE_MS = 5_000;

let state: LiveState = 'connecting';
const listeners = new Set<() => void>();
let users = 0;
let source: EventSource | undefined;
let pending = new Map<string, [string, string]>();
let flushTimer: ReturnType<typeof setTimeout> | undefined;
let closeTimer: ReturnType<typeof setTimeout> | undefined;
let dog: ReturnType<typeof setInterval> | undefined;

function setState(next: LiveState): void {
  if (next === state) return;
  state = next;
  for (const l of listeners) l();
}

/** Invalidates what shows a repository's artifacts (query keys of RepositoryPage, ArtifactPage, scan/api.ts). */
export function refreshRepository(client: QueryClient, project: string, repository: string): void {
  for (const prefix of ['scan', 'artifacts', 'artifact']) void client.invalidateQueries({ queryKey: [prefix, project, repository] });
}

function flush(client: QueryClient): void {
  flushTimer = undefined;
  const repos = pending;
  pending = new Map();
  for (const [project, repository] of repos.values()) refreshRepository(client, project, repository);
}

function onEvent(client: QueryClient, data: string): void {
  try {
    const event = JSON.parse(data) as { data?: { project?: unknown; repository?: unknown } };
    const { project, repository } = event.data ?? {};
    if (typeof project !== 'string' || typeof repository !== 'string') return;
    // Events carry the full name (project/repo); the views key by the name within the project.
    const name = withinProject(project, repository);
    pending.set(`${project}/${name}`, [project, name]);
    flushTimer ??= setTimeout(() => flush(client), FLUSH_MS);
  } catch {
    // Not an event this view understands.
  }
}

function connect(client: QueryClient): void {
  if (typeof EventSource === 'undefined') return setState('unsupported');
  source = new EventSource('/api/v1/stream?types=artifact.*', { withCredentials: true });
  source.onopen = () => {
    // Events sent while the stream was down may not be replayed: refetch once.
    if (state === 'reconnecting') void client.invalidateQueries({ queryKey: ['scan'] });
    setState('live');
  };
  source.onerror = () => setState('reconnecting');
  for (const n of EVENT_NAMES) source.addEventListener(n, (e) => onEvent(client, (e as MessageEvent<string>).data));
  source.addEventListener('reset', () => void client.invalidateQueries({ queryKey: ['scan'] }));
}

function close(): void {
  closeTimer = undefined;
  source?.close();
  source = undefined;
  if (dog) clearInterval(dog);
  dog = undefined;
  if (flushTimer) clearTimeout(flushTimer);
  flushTimer = undefined;
  state = 'connecting';
}

/** Subscribes to artifact events while mounted; returns the connection state. */
export function useLiveScans(): LiveState {
  const client = useQueryClient();
  useEffect(() => {
    if (users++ === 0) {
      if (closeTimer) clearTimeout(closeTimer);
      closeTimer = undefined;
      if (!source) {
        connect(client);
        // A source closed for good (an error status) is not retried by the browser.
        dog = setInterval(() => {
          if (source?.readyState === EventSource.CLOSED) {
            source.close();
            connect(client);
            setState('reconnecting');
          }
        }, 10_000);
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

/**
 * refetchInterval while a scan is under way: slow while the stream is open (it says when the
 * scan ends; the poll is only a safety net), every POLL_MS otherwise; none once it ended.
 */
export const pollWhileActive = (live: LiveState, active: boolean): number | false => (active ? (live === 'live' ? 4 * POLL_MS : POLL_MS) : false);
