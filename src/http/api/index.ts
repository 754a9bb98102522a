/** Registers every /api/v1 route module. */
import type { FastifyInstance } from 'fastify';
import type { AccessServices } from '../../access/services.ts';
import type { AuditLog } from '../../audit/audit-log.ts';
import { ApiRouter } from './router.ts';
import { auditRoutes } from './routes/audit.ts';
import { authRoutes, type AuthDeps } from './routes/auth.ts';
import { projectRoutes } from './routes/projects.ts';
import { robotRoutes } from './routes/robots.ts';
import { systemRoutes } from './routes/system.ts';
import { userRoutes } from './routes/users.ts';

export function registerApi(app: FastifyInstance, access: AccessServices, version: string, audit: AuditLog, auth?: AuthDeps): ApiRouter {
  const api = new ApiRouter(app, access);
  if (auth) authRoutes(api, access, auth);
  auditRoutes(api, access, audit);
  userRoutes(api, access);
  projectRoutes(api, access);
  robotRoutes(api, access);
  systemRoutes(api, access, version);
  return api;
}
