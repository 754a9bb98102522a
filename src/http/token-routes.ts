/**
 * The Docker registry token endpoint (GET, and POST with the OAuth2 password
 * grant as containerd prefers) and the JWKS document of its signing keys.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Authorizer } from '../access/authorizer.ts';
import { ANONYMOUS, type Principal } from '../access/principal.ts';
import { parseScopes } from '../access/scopes.ts';
import type { TokenService } from '../access/tokens.ts';
import type { PasswordAuthenticator } from '../access/users.ts';
import { parseBasic } from './registry-auth.ts';

export interface TokenRouteOptions {
  tokens: TokenService;
  passwords: PasswordAuthenticator;
  authorizer: Authorizer;
  service: string;
}

export function registerTokenRoutes(app: FastifyInstance, options: TokenRouteOptions): void {
  const { tokens, passwords, authorizer } = options;

  async function respond(reply: FastifyReply, principal: Principal, scopes: string[]) {
    const granted = await authorizer.grant(principal, parseScopes(scopes));
    const t = await tokens.issue(principal, granted);
    return reply
      .header('cache-control', 'no-store')
      .send({ token: t.token, access_token: t.token, expires_in: t.expiresIn, issued_at: t.issuedAt });
  }

  function unauthorized(reply: FastifyReply, message: string) {
    return reply.code(401).send({ errors: [{ code: 'UNAUTHORIZED', message }] });
  }

  app.get('/auth/token', async (req: FastifyRequest, reply) => {
    req.routeLabel = 'token';
    const query = req.query as Record<string, string | string[] | undefined>;
    const scopes = ([] as string[]).concat(query.scope ?? []);
    const header = req.headers.authorization;
    if (!header) return respond(reply, ANONYMOUS, scopes);
    const [scheme, value] = header.split(' ', 2);
    const credentials = scheme?.toLowerCase() === 'basic' && value ? parseBasic(value) : undefined;
    const principal = credentials && (await passwords.verify(credentials.username, credentials.password));
    if (!principal) return unauthorized(reply, 'invalid user name or password');
    return respond(reply, principal, scopes);
  });

  app.post('/auth/token', async (req: FastifyRequest, reply) => {
    req.routeLabel = 'token';
    const body = (req.body ?? {}) as Record<string, string | undefined>;
    if (body.grant_type !== 'password') {
      return reply.code(400).send({ error: 'unsupported_grant_type', error_description: 'only grant_type=password is supported; use GET for anonymous tokens' });
    }
    const principal = body.username && body.password !== undefined ? await passwords.verify(body.username, body.password) : undefined;
    if (!principal) return unauthorized(reply, 'invalid user name or password');
    return respond(reply, principal, body.scope ? [body.scope] : []);
  });

  app.get('/auth/jwks', (req, reply) => {
    req.routeLabel = 'jwks';
    return reply.send(tokens.jwks());
  });
}
