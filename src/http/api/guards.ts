/** Permission checks shared by route modules that act inside a project. */
import { AccessError, forbidden } from '../../access/errors.ts';
import type { Permission } from '../../access/permissions.ts';
import type { Principal } from '../../access/principal.ts';
import type { AccessServices } from '../../access/services.ts';

/**
 * Throws unless `principal` holds `permission` on `project`: 404 when the
 * project is invisible to them (its existence is not revealed), 403 when
 * they can see it but lack the permission.
 */
export function projectGuard(access: AccessServices) {
  return async (principal: Principal, project: string, permission: Permission): Promise<void> => {
    const perms = await access.authorizer.permissions(principal, project);
    if (perms.has(permission)) return;
    if (!perms.has('project:read')) throw new AccessError('NOT_FOUND', `project ${project} not found`);
    throw forbidden(`you need ${permission} on project ${project}`);
  };
}
