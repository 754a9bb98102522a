/**
 * The Docker registry token endpoint (GET, and POST with the OAuth2 password
 * grant as containerd prefers) and the JWKS document of its signing keys.
 * The granted scope is the intersection of the request and the account's
 * permissions; the account is checked at issue.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AccessError } from '../access/errors.ts';
import { ANONYMOUS, type Principal } from '../access/principal.ts';
import { parseScopes } from '../access/scopes.ts';
import type { AccessServices } from '../access/services.ts';
import { parseBasic } from './registry-auth.ts';

export function registerTokenRoutes(app: FastifyInstance, access: AccessServices): void {
  async function respond(reply: FastifyReply, principal: Principal, scopes: string[]) {
    const granted = await access.authorizer.grant(principal, parseScopes(scopes));
    const t = await access.tokens.issue(principal, granted);
    return reply
      .header('cache-control', 'no-store')
      .send({ token: t.token, access_token: t.token, expires_in: t.expiresIn, issued_at: t.issuedAt });
  }

  async function login(req: FastifyRequest, reply: FastifyReply, username: string, password: string): Promise<Principal | undefined> {
    try {
      const p = await access.identity.login(username, password, req.ip, true);
      if (!p) void reply.code(401).send({ errors: [{ code: 'UNAUTHORIZED', message: 'invalid user name or password' }] });
      return p;
    } catch (err) {
      if (err instanceof AccessError && err.code === 'TOO_MANY_REQUESTS') {
        if (err.retryAfterSeconds !== undefined) void reply.header('retry-after', err.retryAfterSeconds);
        void reply.code(429).send({ errors: [{ code: 'TOOMANYREQUESTS', message: err.message }] });
        return undefined;
      }
      throw err;
    }
  }

  app.get('/auth/token', async (req: FastifyRequest, reply) => {
    req.routeLabel = 'token';
    const query = req.query as Record<string, string | string[] | undefined>;
    const scopes = ([] as string[]).concat(query.scope ?? []);
    const header = req.headers.authorization;
    if (!header) return respond(reply, ANONYMOUS, scopes);
    const [scheme, value] = header.split(' ', 2);
    const credentials = scheme?.toLowerCase() === 'basic' && value ? parseBasic(value) : undefined;
    if (!credentials) return reply.code(401).send({ errors: [{ code: 'UNAUTHORIZED', message: 'use HTTP Basic credentials' }] });
    const principal = await login(req, reply, credentials.username, credentials.password);
    return principal ? respond(reply, principal, scopes) : reply;
  });

  app.post('/auth/token', async (req: FastifyRequest, reply) => {
    req.routeLabel = 'token';
    const body = (req.body ?? {}) as Record<string, string | undefined>;
    if (body.grant_type !== 'password') {
      return reply.code(400).send({ error: 'unsupported_grant_type', error_description: 'only grant_type=password is supported; use GET for anonymous tokens' });
    }
    if (!body.username || body.password === undefined) return reply.code(400).send({ error: 'invalid_request', error_description: 'username and password are required' });
    const principal = await login(req, reply, body.username, body.password);
    return principal ? respond(reply, principal, body.scope ? body.scope.split(' ') : []) : reply;
  });

  app.get('/auth/jwks', (req, reply) => {
    req.routeLabel = 'jwks';
    return reply.send(access.tokens.jwks());
  });
}
