/**
 * The queries of one application's page, keyed under appKeys.app(name) so
 * that an event about the application refreshes all of them at once; polled
 * every 10 s while the event stream is down.
 */
import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client.ts';
import { unwrap } from './http.ts';
import { appKeys, type LiveState, pollUnlessLive } from './live.ts';

const path = (name: string) => ({ params: { path: { name } } });

export function useApplication(name: string, live: LiveState) {
  return useQuery({
    queryKey: appKeys.app(name),
    queryFn: async () => unwrap(await api.GET('/api/v1/applications/{name}', path(name))),
    refetchInterval: pollUnlessLive(live),
  });
}

/** Children (ReplicaSets, Pods …) change without an application event (a pod restarts, a rollout progresses): polled while shown. */
export const TREE_POLL_MS = 5_000;

export function useResourceTree(name: string) {
  return useQuery({
    queryKey: appKeys.part(name, 'tree'),
    queryFn: async () => unwrap(await api.GET('/api/v1/applications/{name}/resource-tree', path(name))),
    refetchInterval: TREE_POLL_MS,
  });
}

/** Diffs need a render and a dry run on the server: only fetched when shown. */
export function useDiff(name: string, enabled: boolean) {
  return useQuery({
    queryKey: appKeys.part(name, 'diff'),
    queryFn: async () => unwrap(await api.GET('/api/v1/applications/{name}/diff', path(name))),
    enabled,
    staleTime: 5_000,
  });
}

export function useHistory(name: string, enabled: boolean) {
  return useQuery({
    queryKey: appKeys.part(name, 'history'),
    queryFn: async () => unwrap(await api.GET('/api/v1/applications/{name}/history', path(name))),
    enabled,
  });
}

export function useOperations(name: string, enabled: boolean) {
  return useQuery({
    queryKey: appKeys.part(name, 'operations'),
    queryFn: async () => unwrap(await api.GET('/api/v1/applications/{name}/operations', { params: { path: { name }, query: { limit: 20 } } })),
    enabled,
  });
}
