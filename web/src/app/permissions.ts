/**
 * What the viewer may do, so actions they cannot use are not rendered (the server still
 * checks every call): GET /api/v1/users/me/permissions[?project=P] → { admin, permissions }.
 */
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../api/client.ts';

export function usePermissions(project?: string) {
  const q = useQuery({
    queryKey: ['permissions', project ?? ''],
    queryFn: () => unwrap(api.GET('/api/v1/users/me/permissions', { params: { query: project ? { project } : {} } })),
    staleTime: 30_000,
  });
  const can = (permission: string): boolean => Boolean(q.data && (q.data.admin || q.data.permissions.includes(permission)));
  return { ...q, can, admin: q.data?.admin ?? false };
}
