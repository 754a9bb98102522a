/**
 * What the signed-in user may do (the shell's usePermissions: GET
 * /users/me/permissions, per project or system-level). Views render an
 * action only when `can` says so; the API checks again either way.
 */
import { usePermissions as useShellPermissions } from '../app/permissions.ts';

export interface Can {
  admin: boolean;
  can: (permission: string) => boolean;
  loaded: boolean;
}

export function usePermissions(project?: string): Can {
  const p = useShellPermissions(project || undefined);
  return { admin: p.admin, can: p.can, loaded: p.isSuccess || p.isError };
}
