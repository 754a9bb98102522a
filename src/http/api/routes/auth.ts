/**
 * /api/v1/auth: password sign-in for browsers, OIDC sign-in (browser and
 * CLI), logout, and what the sign-in page needs to know. Both sign-ins start
 * the same cookie session (SessionStore). Every sign-in, successful or not,
 * is audited (resourceType `session`, action `login`).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ApiTokenService } from '../../../access/api-tokens.ts';
import { AccessError, notFound } from '../../../access/errors.ts';
import { LOGIN_PATH, LOGIN_TTL_MS, OidcError, type OidcSignIn } from '../../../access/oidc.ts';
import { actorOf } from '../../../access/principal.ts';
import { ROBOT_PREFIX } from '../../../access/robots.ts';
import type { AccessServices } from '../../../access/services.ts';
import { parseCookies, setCookie, type SessionStore } from '../../../access/sessions.ts';
import type { ApiRouter } from '../router.ts';

/** Binds a sign-in to the browser that started it (login CSRF). */
const STATE_COOKIE = 'berth_oidc_state';
const STATE_COOKIE_PATH = '/api/v1/auth/oidc';
/** Lifetime of tokens created by CLI sign-in. */
export const CLI_TOKEN_DAYS = 30;

export interface AuthDeps {
  sessions: SessionStore;
  /** Undefined when OIDC is off. */
  oidc: OidcSignIn | undefined;
  baseUrl: string;
}

const cliSessionId = z.string().regex(/^[0-9a-f]{32}$/, 'a CLI session id');

export function authRoutes(api: ApiRouter, access: AccessServices, deps: AuthDeps): void {
  const { sessions, oidc, baseUrl } = deps;
  const loginUrl = `${baseUrl}${LOGIN_PATH}`;
  const enabled = (): OidcSignIn => {
    if (!oidc) throw new AccessError('NOT_FOUND', 'OIDC sign-in is not configured on this server');
    return oidc;
  };
  const stateCookie = (value: string, maxAgeSeconds: number) => setCookie(STATE_COOKIE, value, { path: STATE_COOKIE_PATH, maxAgeSeconds, secure: sessions.secure });
  const loginAudit = (ip: string, outcome: 'success' | 'failure', username: string | undefined, detail: string) =>
    access.audit.record({ actor: username ? { kind: 'user', name: username } : { kind: 'anonymous', name: '' }, sourceIp: ip, resourceType: 'session', resource: username ?? '-', action: 'login', outcome, detail });

  api.route({
    method: 'GET',
    path: '/auth/config',
    tag: 'auth',
    summary: 'How to sign in: password sign-in (always on), whether OIDC is on and its login URL',
    auth: 'none',
    response: z.object({ passwordLogin: z.boolean(), oidcEnabled: z.boolean(), loginUrl: z.string().nullable(), cliLogin: z.boolean(), sessionCookie: z.string() }),
    handler: async () => ({ passwordLogin: true, oidcEnabled: oidc !== undefined, loginUrl: oidc ? loginUrl : null, cliLogin: oidc !== undefined, sessionCookie: 'berth_session' }),
  });

  api.route({
    method: 'POST',
    path: '/auth/login',
    tag: 'auth',
    summary: 'Sign in with a user name and password: starts a browser session (Set-Cookie berth_session, HttpOnly). Throttled like every sign-in; 401 on bad credentials',
    auth: 'none',
    body: z.strictObject({ username: z.string().min(1).max(255), password: z.string().min(1).max(4096) }),
    response: z.object({ username: z.string(), admin: z.boolean(), expiresAt: z.number().int() }),
    handler: async ({ body, ip, reply }) => {
      reply.header('cache-control', 'no-store');
      // A session is a person's: robots use their secret with the API or docker
      // login, and an API token stays a token (it must not become a cookie that
      // outlives its revocation check at sign-in). Refused before any check,
      // so these answers reveal nothing about the account.
      if (body.username.startsWith(ROBOT_PREFIX)) throw new AccessError('UNAUTHORIZED', 'robot accounts cannot sign in to the web interface; use the robot secret with the API or docker login');
      if (ApiTokenService.looksLikeToken(body.password)) throw new AccessError('UNAUTHORIZED', 'sign in with your password; personal API tokens are for the API and the CLI');
      // The throttled check Basic auth and /auth/token use (failures audited there).
      const principal = await access.identity.login(body.username, body.password, ip);
      if (!principal || principal.kind !== 'user') throw new AccessError('UNAUTHORIZED', 'invalid user name or password');
      const session = await sessions.create(principal.name);
      reply.header('set-cookie', session.cookie);
      loginAudit(ip, 'success', principal.name, 'password (web session)');
      return { username: principal.name, admin: principal.admin, expiresAt: session.expiresAt };
    },
  });

  api.route({
    method: 'GET',
    path: '/auth/oidc/login',
    tag: 'auth',
    summary: 'Start OIDC sign-in: redirects (302) to the identity provider. `next` (or `redirect`) is a same-origin path to return to (anything else returns to /); `cli` binds the sign-in to a CLI session',
    auth: 'none',
    status: 302,
    query: z.object({ next: z.string().max(2048).optional(), redirect: z.string().max(2048).optional(), cli: cliSessionId.optional() }),
    handler: async ({ query, req, reply }) => {
      const flow = enabled();
      let started: { url: string; state: string };
      try {
        // flow.begin keeps only a same-origin path (safeRedirect): no open redirect.
        started = await flow.begin({ redirect: query.next ?? query.redirect, cli: query.cli });
      } catch (err) {
        if (!(err instanceof OidcError)) throw err;
        req.log.warn({ reason: err.message }, 'OIDC sign-in could not start');
        return failure(req, reply, err.status, err.message);
      }
      reply.header('set-cookie', stateCookie(started.state, LOGIN_TTL_MS / 1000));
      reply.header('cache-control', 'no-store');
      reply.header('location', started.url);
    },
  });

  api.route({
    method: 'GET',
    path: '/auth/oidc/callback',
    tag: 'auth',
    summary: "The identity provider's redirect target: validates the sign-in, creates or updates the account, starts the session and redirects (302)",
    auth: 'none',
    status: 302,
    query: z.object({
      state: z.string().max(512).optional(),
      code: z.string().max(4096).optional(),
      iss: z.string().max(1024).optional(),
      error: z.string().max(256).optional(),
      error_description: z.string().max(1024).optional(),
    }),
    handler: async ({ query, req, reply, ip }) => {
      const flow = enabled();
      reply.header('cache-control', 'no-store');
      reply.header('referrer-policy', 'no-referrer');
      const cookies = [stateCookie('', 0)];
      let done;
      try {
        done = await flow.complete({
          state: query.state,
          code: query.code,
          iss: query.iss,
          error: query.error,
          errorDescription: query.error_description,
          browserState: parseCookies(req.headers.cookie).get(STATE_COOKIE),
        });
      } catch (err) {
        if (!(err instanceof OidcError)) throw err;
        loginAudit(ip, 'failure', err.username, `oidc: ${err.message}`);
        req.log.warn({ reason: err.message, user: err.username }, 'OIDC sign-in refused');
        reply.header('set-cookie', cookies);
        return failure(req, reply, err.status, `Sign-in failed: ${err.message}`);
      }
      const { user } = done;
      const session = await sessions.create(user.username);
      cookies.push(session.cookie);
      reply.header('set-cookie', cookies);
      loginAudit(ip, 'success', user.username, done.cliSession ? 'oidc (cli)' : 'oidc');
      access.identity.invalidate();
      access.authorizer.invalidate();
      if (done.cliSession) {
        return page(reply, 200, 'Signed in', `Signed in to Berth as ${user.username}. The command line has its token now; you can close this window.`);
      }
      reply.header('location', done.redirect);
    },
  });

  api.route({
    method: 'POST',
    path: '/auth/logout',
    tag: 'auth',
    summary: 'End the browser session (cookie requests need X-Berth-CSRF: 1)',
    auth: 'optional',
    status: 204,
    handler: async ({ req, reply, ip, principal }) => {
      const username = await sessions.end(req.headers);
      reply.header('set-cookie', sessions.clearCookie());
      if (username) access.audit.record({ actor: { kind: 'user', name: username }, sourceIp: ip, resourceType: 'session', resource: username, action: 'logout', outcome: 'success', detail: 'session ended' });
      else if (principal.kind !== 'anonymous') access.audit.record({ actor: actorOf(principal), sourceIp: ip, resourceType: 'session', resource: principal.name, action: 'logout', outcome: 'success', detail: 'no session' });
    },
  });

  api.route({
    method: 'POST',
    path: '/auth/oidc/cli-sessions',
    tag: 'auth',
    summary: 'Start a CLI sign-in: open `url` in a browser, then poll the session with `X-Berth-CLI-Secret: <secret>`',
    auth: 'none',
    status: 201,
    response: z.object({ id: z.string(), url: z.string(), secret: z.string(), expiresAt: z.number().int() }),
    handler: async () => enabled().createCliSession(),
  });

  api.route({
    method: 'GET',
    path: '/auth/oidc/cli-sessions/:id',
    tag: 'auth',
    summary: "Poll a CLI sign-in (header X-Berth-CLI-Secret). When complete, answers once with a new personal API token; 404 when unknown, expired or already consumed",
    auth: 'none',
    params: z.object({ id: z.string().max(64) }),
    response: z.discriminatedUnion('status', [z.object({ status: z.literal('pending') }), z.object({ status: z.literal('complete'), username: z.string(), token: z.string() })]),
    handler: async ({ params, req, reply, ip }) => {
      const flow = enabled();
      reply.header('cache-control', 'no-store');
      const secret = req.headers['x-berth-cli-secret'];
      const state = typeof secret === 'string' && cliSessionId.safeParse(params.id).success ? await flow.pollCliSession(params.id, secret) : undefined;
      if (!state) throw notFound('CLI sign-in session');
      if (state.status === 'pending') return { status: 'pending' as const };
      const day = new Date().toISOString().slice(0, 10);
      // Audited with the change: resource `<user>/<token id>`, detail the token name.
      const { secret: value } = await access.apiTokens.create(state.username, `cli-oidc-${day}`, CLI_TOKEN_DAYS, { actor: { kind: 'user', name: state.username }, sourceIp: ip });
      return { status: 'complete' as const, username: state.username, token: value };
    },
  });
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

async function page(reply: FastifyReply, status: number, title: string, message: string): Promise<void> {
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>Berth: ${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p></body></html>\n`;
  await reply.code(status).header('content-security-policy', "default-src 'none'").type('text/html; charset=utf-8').send(html);
}

/** A failure of a browser-facing route: an HTML page for browsers, the API error shape for others. */
async function failure(req: FastifyRequest, reply: FastifyReply, status: number, message: string): Promise<void> {
  if ((req.headers.accept ?? '').includes('text/html')) return page(reply, status, 'Sign-in failed', message);
  const code = status === 400 ? 'BAD_REQUEST' : status === 401 ? 'UNAUTHORIZED' : status === 403 ? 'FORBIDDEN' : 'UNAVAILABLE';
  await reply.code(status).type('application/json').send(JSON.stringify({ errors: [{ code, message }] }));
}

