/**
 * Authentication of /api/v1 requests: HTTP Basic (user password, personal
 * API token as password, robot secret) or `Authorization: Bearer berth_pat_…`.
 * No credentials: anonymous. Bad credentials: 401, never anonymous.
 */
import type { FastifyRequest } from 'fastify';
import { ApiTokenService } from '../../access/api-tokens.ts';
import { AccessError } from '../../access/errors.ts';
import { ANONYMOUS, type Principal } from '../../access/principal.ts';
import type { AccessServices } from '../../access/services.ts';
import { parseBasic } from '../registry-auth.ts';

export async function authenticateApi(req: FastifyRequest, access: AccessServices): Promise<Principal> {
  const header = req.headers.authorization;
  if (!header) return (await access.sessions?.principalOf(req)) ?? ANONYMOUS;
  const space = header.indexOf(' ');
  const scheme = header.slice(0, space).toLowerCase();
  const value = header.slice(space + 1).trim();
  if (scheme === 'basic') {
    const c = parseBasic(value);
    const p = c && (await access.identity.login(c.username, c.password, req.ip));
    if (!p) throw new AccessError('UNAUTHORIZED', 'invalid user name or password');
    return p;
  }
  if (scheme === 'bearer' && ApiTokenService.looksLikeToken(value)) {
    const p = await access.identity.bearer(value);
    if (!p) throw new AccessError('UNAUTHORIZED', 'invalid, expired or revoked API token');
    return p;
  }
  throw new AccessError('UNAUTHORIZED', 'unsupported credentials: use HTTP Basic or a personal API token');
}
