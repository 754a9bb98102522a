/** GET /api/v1/system/info: version and the registry host pull commands name. */
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../api/client.ts';

export function useSystemInfo() {
  return useQuery({ queryKey: ['system-info'], queryFn: () => unwrap(api.GET('/api/v1/system/info')), staleTime: Infinity });
}

/** The host:port docker and crane name; the page's own host when the server has no external URL. */
export function registryHost(info: { registryHost: string | null } | undefined): string {
  return info?.registryHost ?? window.location.host;
}
