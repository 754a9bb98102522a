/**
 * OIDC sign-in end to end against a real OpenID provider (oidc-provider) on
 * loopback: browser flow with PKCE, sessions, CSRF, group roles, the admin
 * group, logout, the CLI flow, and refusals (wrong audience, expired ID
 * token, replayed state, tampered code, …), each audited.
 */
import assert from 'node:assert/strict';
import { rm, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CLOCK_TOLERANCE_SECONDS } from '../../src/access/oidc.ts';
import { SessionStore } from '../../src/access/sessions.ts';
import { basicAuth, freePort, startTestBerth, type TestBerth } from '../support/berth.ts';
import { testDatabases } from '../support/databases.ts';
import { OciClient } from '../support/oci-client.ts';
import { Browser, startOidcProvider, type TestOidcProvider } from '../support/oidc-provider.ts';

const CLIENT_ID = 'berth';
const CLIENT_SECRET = 'berth-client-secret';
const OTHER_ID = 'other-app';
const OTHER_SECRET = 'other-app-secret';
const OTHER_CALLBACK = 'http://127.0.0.1:9/other-app/callback';
const ADMIN_GROUP = 'berth-admins';

const ACCOUNTS = [
  { login: 'u-alice', claims: { preferred_username: 'alice', email: 'alice@example.com', groups: ['devs', 'readers'] } },
  { login: 'u-bob', claims: { preferred_username: 'bob', groups: [] } },
  { login: 'u-carol', claims: { preferred_username: 'carol', groups: [ADMIN_GROUP] } },
  { login: 'u-dave', claims: { preferred_username: 'dave', groups: ['devs'] } },
  { login: 'u-erin', claims: { preferred_username: 'erin', groups: [] } },
  { login: 'u-frank', claims: { preferred_username: 'frank', groups: [] } },
  { login: 'u-grace', claims: { preferred_username: 'grace', groups: [] } },
  { login: 'u-admin', claims: { preferred_username: 'admin', groups: [] } },
  { login: 'u-nameless', claims: { groups: ['devs'] } },
];

interface AuditEntry {
  actor: { kind: string; name: string };
  resourceType: string;
  resource: string;
  action: string;
  outcome: string;
  detail: string | null;
}

for (const db of await testDatabases()) {
  describe(`OIDC sign-in against a real provider (${db.name})`, { skip: db.skip }, () => {
    let provider: TestOidcProvider;
    let berth: TestBerth;
    let base: string;
    let dataDir: string;
    let port: number;
    let dbEnv: Record<string, string>;
    const admin = basicAuth();

    function berthEnv(): Record<string, string> {
      return {
        BERTH_LISTEN: `127.0.0.1:${port}`,
        BERTH_DATA_DIR: dataDir,
        BERTH_OIDC_ISSUER: provider.issuer,
        BERTH_OIDC_CLIENT_ID: CLIENT_ID,
        BERTH_OIDC_CLIENT_SECRET: CLIENT_SECRET,
        BERTH_OIDC_ADMIN_GROUP: ADMIN_GROUP,
        BERTH_AUDIT_FLUSH_INTERVAL_MS: '20',
        ...dbEnv,
      };
    }

    before(async () => {
      dbEnv = await db.env();
      port = await freePort();
      dataDir = await mkdtemp(path.join(os.tmpdir(), 'berth-oidc-'));
      provider = await startOidcProvider({
        clients: [
          { client_id: CLIENT_ID, client_secret: CLIENT_SECRET, redirect_uris: [`http://127.0.0.1:${port}/api/v1/auth/oidc/callback`] },
          { client_id: OTHER_ID, client_secret: OTHER_SECRET, redirect_uris: [OTHER_CALLBACK], token_endpoint_auth_method: 'client_secret_post' },
        ],
        accounts: ACCOUNTS,
      });
      berth = await startTestBerth(berthEnv());
      base = berth.config.baseUrl;
    });

    after(async () => {
      await berth?.stop();
      await provider?.stop();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    });

    const callbackPrefix = () => `${base}/api/v1/auth/oidc/callback`;

    /** Browser sign-in up to (not including) Berth's callback; returns the callback URL. */
    async function toCallback(browser: Browser, login: string, start = `${base}/api/v1/auth/oidc/login`): Promise<string> {
      const { url, response } = await browser.navigate(start, { stopAt: callbackPrefix(), login });
      assert.ok(url.startsWith(callbackPrefix()), `expected to reach the callback, stopped at ${url} (${response?.status}): ${response ? await response.text() : ''}`);
      return url;
    }

    /** Full browser sign-in; returns the browser and Berth's final response to the callback. */
    async function signIn(login: string, start?: string): Promise<{ browser: Browser; callback: Response }> {
      const browser = new Browser();
      const callback = await browser.fetch(await toCallback(browser, login, start));
      return { browser, callback };
    }

    async function api(browser: Browser | undefined, p: string, init: RequestInit & { auth?: string } = {}): Promise<Response> {
      const headers = new Headers(init.headers);
      headers.set('accept', 'application/json');
      if (init.auth) headers.set('authorization', init.auth);
      if (browser) return browser.fetch(`${base}${p}`, { ...init, headers });
      return fetch(`${base}${p}`, { ...init, headers, redirect: 'manual' });
    }


    /** Waits until the audit log holds a sign-in record matching `detail`. */
    async function audited(outcome: 'success' | 'failure', detail: RegExp, action = 'login', actor?: string, resourceType = 'session'): Promise<AuditEntry> {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const res = await api(undefined, `/api/v1/audit-logs?resource_type=${resourceType}&action=${action}&outcome=${outcome}&page_size=100`, { auth: admin });
        assert.equal(res.status, 200);
        const hit = ((await res.json()) as AuditEntry[]).find((e) => e.detail !== null && detail.test(e.detail) && (actor === undefined || e.actor.name === actor));
        if (hit) return hit;
        if (Date.now() > deadline) assert.fail(`no audited ${action} ${outcome} with detail ${detail}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }

    test('auth config and the OpenAPI document list the sign-in routes', async () => {
      const res = await api(undefined, '/api/v1/auth/config');
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { passwordLogin: true, oidcEnabled: true, loginUrl: `${base}/api/v1/auth/oidc/login`, cliLogin: true, sessionCookie: 'berth_session' });
      const doc = (await (await api(undefined, '/api/v1/openapi.json')).json()) as { paths: Record<string, unknown> };
      for (const p of ['/api/v1/auth/login', '/api/v1/auth/oidc/login', '/api/v1/auth/oidc/callback', '/api/v1/auth/logout', '/api/v1/auth/config', '/api/v1/auth/oidc/cli-sessions', '/api/v1/auth/oidc/cli-sessions/{id}']) {
        assert.ok(doc.paths[p], `${p} in the OpenAPI document`);
      }
    });

    test('the login redirect carries PKCE S256, state and nonce, and binds the browser', async () => {
      const browser = new Browser();
      const res = await browser.fetch(`${base}/api/v1/auth/oidc/login`);
      assert.equal(res.status, 302);
      const to = new URL(res.headers.get('location')!);
      assert.equal(to.origin, provider.issuer);
      assert.equal(to.searchParams.get('client_id'), CLIENT_ID);
      assert.equal(to.searchParams.get('response_type'), 'code');
      assert.equal(to.searchParams.get('code_challenge_method'), 'S256');
      assert.match(to.searchParams.get('code_challenge')!, /^[A-Za-z0-9_-]{43}$/);
      assert.equal(to.searchParams.get('redirect_uri'), callbackPrefix());
      assert.ok(to.searchParams.get('state')!.length >= 43 && to.searchParams.get('nonce')!.length >= 43);
      assert.equal(to.searchParams.has('code_verifier'), false);
      const stateCookie = browser.get('berth_oidc_state');
      assert.equal(stateCookie?.value, to.searchParams.get('state'));
      assert.ok(stateCookie.attributes.includes('HttpOnly'));
    });

    test('sign-in creates the user with its groups and starts a cookie session', async () => {
      const { browser, callback } = await signIn('u-alice', `${base}/api/v1/auth/oidc/login?redirect=${encodeURIComponent('/projects/team?tab=repos')}`);
      assert.equal(callback.status, 302, await callback.clone().text());
      assert.equal(callback.headers.get('location'), '/projects/team?tab=repos');
      const cookie = browser.get('berth_session');
      assert.ok(cookie, 'berth_session cookie set');
      assert.ok(cookie.attributes.includes('HttpOnly'));
      assert.ok(cookie.attributes.includes('SameSite=Lax'));
      assert.ok(cookie.attributes.includes('Path=/'));
      assert.ok(!cookie.attributes.includes('Secure'), 'no Secure flag on an http external URL');
      assert.equal(browser.get('berth_oidc_state'), undefined, 'the state cookie is cleared');

      const me = await api(browser, '/api/v1/users/me');
      assert.equal(me.status, 200);
      const user = (await me.json()) as { username: string; source: string; groups: string[]; admin: boolean; email: string };
      assert.equal(user.username, 'alice');
      assert.equal(user.source, 'oidc');
      assert.equal(user.email, 'alice@example.com');
      assert.deepEqual(user.groups, ['devs', 'readers']);
      assert.equal(user.admin, false);

      const viaAdmin = (await (await api(undefined, '/api/v1/users/alice', { auth: admin })).json()) as { groups: string[] };
      assert.deepEqual(viaAdmin.groups, ['devs', 'readers']);
      const entry = await audited('success', /^oidc$/, 'login', 'alice');
      assert.equal(entry.resourceType, 'session');
      assert.equal(entry.resource, 'alice');
    });

    test('a project group member gets its role: push with a token created through the session', async () => {
      assert.equal((await api(undefined, '/api/v1/projects', { auth: admin, method: 'POST', body: JSON.stringify({ name: 'team' }), headers: { 'content-type': 'application/json' } })).status, 201);
      const added = await api(undefined, '/api/v1/projects/team/members', { auth: admin, method: 'POST', body: JSON.stringify({ kind: 'group', name: 'devs', role: 'developer' }), headers: { 'content-type': 'application/json' } });
      assert.equal(added.status, 201);

      const { browser } = await signIn('u-dave');
      assert.equal((await api(browser, '/api/v1/projects/team')).status, 200, 'group member sees the private project');
      const json = { 'content-type': 'application/json' };
      // CSRF: a cookie-authenticated POST needs the header or a same-origin Origin.
      const bare = await api(browser, '/api/v1/users/me/tokens', { method: 'POST', body: JSON.stringify({ name: 'laptop' }), headers: json });
      assert.equal(bare.status, 403);
      assert.match(await bare.text(), /X-Berth-CSRF/);
      const foreign = await api(browser, '/api/v1/users/me/tokens', { method: 'POST', body: JSON.stringify({ name: 'laptop' }), headers: { ...json, origin: 'http://evil.example' } });
      assert.equal(foreign.status, 403);
      const sameOrigin = await api(browser, '/api/v1/users/me/tokens', { method: 'POST', body: JSON.stringify({ name: 'by-origin' }), headers: { ...json, origin: new URL(base).origin } });
      assert.equal(sameOrigin.status, 201);
      const created = await api(browser, '/api/v1/users/me/tokens', { method: 'POST', body: JSON.stringify({ name: 'laptop' }), headers: { ...json, 'x-berth-csrf': '1' } });
      assert.equal(created.status, 201);
      const { secret } = (await created.json()) as { secret: string };

      const dave = new OciClient(base, basicAuth('dave', secret));
      await dave.pushImage('team/app', 'v1');

      // Without the group: no access to the private project.
      const bob = await signIn('u-bob');
      assert.equal((await api(bob.browser, '/api/v1/projects/team')).status, 404);
      const bobToken = await api(bob.browser, '/api/v1/users/me/tokens', { method: 'POST', body: JSON.stringify({ name: 'x' }), headers: { ...json, 'x-berth-csrf': '1' } });
      const bobClient = new OciClient(base, basicAuth('bob', ((await bobToken.json()) as { secret: string }).secret));
      const refused = await bobClient.fetch('/v2/team/app/blobs/uploads/', { method: 'POST' });
      assert.ok(refused.status === 401 || refused.status === 403, `bob's push refused, got ${refused.status}`);
    });

    test('the admin group makes a system administrator', async () => {
      const { browser } = await signIn('u-carol');
      const me = (await (await api(browser, '/api/v1/users/me')).json()) as { admin: boolean; groups: string[] };
      assert.equal(me.admin, true);
      assert.deepEqual(me.groups, [ADMIN_GROUP]);
      assert.equal((await api(browser, '/api/v1/users')).status, 200, 'an admin-only route');
    });

    test('session cookies are Secure when the external URL is https', async () => {
      const store = new SessionStore(berth.db, berth.access.users, { ttlSeconds: 120, baseUrl: 'https://berth.example' });
      const { cookie, expiresAt } = await store.create('alice');
      assert.match(cookie, /^berth_session=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=120; HttpOnly; SameSite=Lax; Secure$/);
      assert.ok(expiresAt > Date.now() + 100_000);
      assert.match(store.clearCookie(), /^berth_session=; Path=\/; Max-Age=0; .*Secure$/);
      // Same-origin requests pass the CSRF rule by their Origin.
      const id = cookie.split(';')[0]!.split('=')[1]!;
      const principal = await store.principalOf({ method: 'DELETE', headers: { cookie: `berth_session=${id}`, origin: 'https://berth.example' } });
      assert.equal(principal?.name, 'alice');
      await assert.rejects(store.principalOf({ method: 'DELETE', headers: { cookie: `berth_session=${id}`, origin: 'http://berth.example' } }), /X-Berth-CSRF/);
    });

    test('a username claim falls back to sub', async () => {
      const { browser, callback } = await signIn('u-nameless');
      assert.equal(callback.status, 302);
      const me = (await (await api(browser, '/api/v1/users/me')).json()) as { username: string };
      assert.equal(me.username, 'u-nameless');
    });

    test('redirects go to same-origin paths only', async () => {
      for (const evil of ['https://evil.example/x', '//evil.example/x', '/\\evil.example', 'javascript:alert(1)']) {
        const { callback } = await signIn('u-erin', `${base}/api/v1/auth/oidc/login?redirect=${encodeURIComponent(evil)}`);
        assert.equal(callback.status, 302);
        assert.equal(callback.headers.get('location'), '/', `redirect ${evil}`);
        // `next` (what the web UI's sign-in page passes on) is held to the same rule.
        const viaNext = await signIn('u-erin', `${base}/api/v1/auth/oidc/login?next=${encodeURIComponent(evil)}`);
        assert.equal(viaNext.callback.headers.get('location'), '/', `next ${evil}`);
      }
      const { callback } = await signIn('u-erin', `${base}/api/v1/auth/oidc/login?next=${encodeURIComponent('/applications/web?tab=tree')}`);
      assert.equal(callback.headers.get('location'), '/applications/web?tab=tree');
    });

    test('logout ends the session (and needs the CSRF header)', async () => {
      const { browser } = await signIn('u-frank');
      assert.equal((await api(browser, '/api/v1/users/me')).status, 200);
      const stolen = browser.get('berth_session')!.value;
      assert.equal((await api(browser, '/api/v1/auth/logout', { method: 'POST' })).status, 403);
      const out = await api(browser, '/api/v1/auth/logout', { method: 'POST', headers: { 'x-berth-csrf': '1' } });
      assert.equal(out.status, 204);
      assert.equal(browser.get('berth_session'), undefined, 'cookie cleared');
      assert.equal((await api(browser, '/api/v1/users/me')).status, 401);
      const replay = await fetch(`${base}/api/v1/users/me`, { headers: { cookie: `berth_session=${stolen}` } });
      assert.equal(replay.status, 401, 'the old session id is dead server-side too');
      await audited('success', /^session ended$/, 'logout', 'frank');
    });

    test('sessions survive a restart; a disabled user is refused at once and cannot sign in', async () => {
      const { browser } = await signIn('u-grace');
      await berth.stop();
      berth = await startTestBerth(berthEnv());
      assert.equal((await api(browser, '/api/v1/users/me')).status, 200, 'session still valid after restart');

      assert.equal((await api(undefined, '/api/v1/users/grace', { auth: admin, method: 'PUT', body: JSON.stringify({ disabled: true }), headers: { 'content-type': 'application/json' } })).status, 200);
      assert.equal((await api(browser, '/api/v1/users/me')).status, 401);
      const again = await signIn('u-grace');
      assert.equal(again.callback.status, 403);
      assert.equal(again.browser.get('berth_session'), undefined);
      const refused = await audited('failure', /grace is disabled/);
      assert.equal(refused.actor.name, 'grace');
    });

    test('an IdP user named like a local account is refused', async () => {
      const { callback } = await signIn('u-admin');
      assert.equal(callback.status, 403);
      assert.match(await callback.text(), /taken by another account/);
      await audited('failure', /taken by another account/);
    });

    test('a replayed state is refused', async () => {
      const browser = new Browser();
      const url = await toCallback(browser, 'u-alice');
      assert.equal((await browser.fetch(url)).status, 302);
      const replay = await browser.fetch(url);
      assert.equal(replay.status, 400);
      assert.match(await replay.text(), /already used/);
      await audited('failure', /already used sign-in state/);
    });

    test('a callback in another browser than the one that started the sign-in is refused', async () => {
      const url = await toCallback(new Browser(), 'u-alice');
      const res = await new Browser().fetch(url);
      assert.equal(res.status, 400);
      await audited('failure', /not started in this browser/);
    });

    test('a tampered code is refused by the token endpoint', async () => {
      const browser = new Browser();
      const url = new URL(await toCallback(browser, 'u-alice'));
      const code = url.searchParams.get('code')!;
      url.searchParams.set('code', `${code.slice(0, -4)}${code.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`);
      const res = await browser.fetch(url.toString());
      assert.equal(res.status, 401);
      assert.match(await res.text(), /invalid_grant/);
      await audited('failure', /token endpoint refused the code: invalid_grant/);
    });

    test('a refusal at the provider is audited', async () => {
      const browser = new Browser();
      const { url } = await browser.navigate(`${base}/api/v1/auth/oidc/login`, { stopAt: callbackPrefix(), abort: true });
      assert.equal(new URL(url).searchParams.get('error'), 'access_denied');
      const res = await browser.fetch(url);
      assert.equal(res.status, 401);
      await audited('failure', /provider refused the sign-in: access_denied/);
    });

    test('an ID token issued to another client (wrong audience) is refused', async () => {
      const browser = new Browser();
      // Berth's sign-in: its nonce goes into the other client's request, so only the audience differs.
      const start = await browser.fetch(`${base}/api/v1/auth/oidc/login`);
      const authorize = new URL(start.headers.get('location')!);
      const nonce = authorize.searchParams.get('nonce')!;

      const other = new Browser();
      const verifier = 'other-app-verifier-0123456789-0123456789-0123456789';
      const challenge = Buffer.from(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))).toString('base64url');
      const otherAuthorize = new URL(`${provider.issuer}/auth`);
      for (const [k, v] of Object.entries({ client_id: OTHER_ID, response_type: 'code', redirect_uri: OTHER_CALLBACK, scope: 'openid profile groups', state: 'other-state', nonce, code_challenge: challenge, code_challenge_method: 'S256' })) {
        otherAuthorize.searchParams.set(k, v);
      }
      const reached = await other.navigate(otherAuthorize.toString(), { stopAt: OTHER_CALLBACK, login: 'u-alice' });
      const otherCode = new URL(reached.url).searchParams.get('code')!;
      const tokenRes = await fetch(`${provider.issuer}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'authorization_code', code: otherCode, redirect_uri: OTHER_CALLBACK, code_verifier: verifier, client_id: OTHER_ID, client_secret: OTHER_SECRET }),
      });
      assert.equal(tokenRes.status, 200);
      const { id_token: foreign } = (await tokenRes.json()) as { id_token: string };
      const claims = JSON.parse(Buffer.from(foreign.split('.')[1]!, 'base64url').toString()) as { aud: string; nonce: string };
      assert.equal(claims.aud, OTHER_ID);
      assert.equal(claims.nonce, nonce);

      const { url } = await browser.navigate(authorize.toString(), { stopAt: callbackPrefix(), login: 'u-alice' });
      provider.hooks.replaceNextIdToken = foreign;
      const res = await browser.fetch(url);
      assert.equal(provider.hooks.replaceNextIdToken, undefined, 'the token endpoint answered with the foreign ID token');
      assert.equal(res.status, 401);
      assert.match(await res.text(), /ID token rejected: claim aud failed/);
      assert.equal(browser.get('berth_session'), undefined);
      await audited('failure', /ID token rejected: claim aud/);
    });

    test('an ID token that expired before it arrived is refused', { timeout: 60_000 }, async () => {
      const browser = new Browser();
      const url = await toCallback(browser, 'u-alice');
      // The provider mints a 1 s token, then answers late: it reaches Berth expired beyond the clock tolerance.
      provider.hooks.idTokenTtlSeconds = 1;
      provider.hooks.tokenDelayMs = (CLOCK_TOLERANCE_SECONDS + 3) * 1000;
      try {
        const res = await browser.fetch(url);
        assert.equal(res.status, 401);
        assert.match(await res.text(), /ID token rejected: it has expired/);
      } finally {
        provider.hooks.idTokenTtlSeconds = 300;
        provider.hooks.tokenDelayMs = 0;
      }
      await audited('failure', /ID token rejected: it has expired/);
    });

    test('CLI sign-in: create, sign in with the browser, poll, use the token', async () => {
      const created = await api(undefined, '/api/v1/auth/oidc/cli-sessions', { method: 'POST' });
      assert.equal(created.status, 201);
      const cli = (await created.json()) as { id: string; url: string; secret: string; expiresAt: number };
      assert.match(cli.id, /^[0-9a-f]{32}$/);
      assert.ok(cli.url.startsWith(`${base}/api/v1/auth/oidc/login?cli=`));
      assert.ok(cli.expiresAt > Date.now());
      const poll = (secret: string) => api(undefined, `/api/v1/auth/oidc/cli-sessions/${cli.id}`, { headers: { 'x-berth-cli-secret': secret } });

      assert.deepEqual(await (await poll(cli.secret)).json(), { status: 'pending' });
      assert.equal((await poll('wrong')).status, 404);
      assert.equal((await api(undefined, `/api/v1/auth/oidc/cli-sessions/${cli.id}`)).status, 404, 'no secret');

      const { callback } = await signIn('u-alice', cli.url);
      assert.equal(callback.status, 200);
      assert.match(await callback.text(), /Signed in to Berth as alice/);

      const done = await poll(cli.secret);
      assert.equal(done.status, 200);
      const result = (await done.json()) as { status: string; username: string; token: string };
      assert.equal(result.status, 'complete');
      assert.equal(result.username, 'alice');
      assert.match(result.token, /^berth_pat_/);
      assert.equal((await poll(cli.secret)).status, 404, 'consumed');

      const me = await api(undefined, '/api/v1/users/me', { auth: `Bearer ${result.token}` });
      assert.equal(me.status, 200);
      assert.equal(((await me.json()) as { username: string }).username, 'alice');
      const tokens = (await (await api(undefined, '/api/v1/users/me/tokens', { auth: `Bearer ${result.token}` })).json()) as { name: string; expiresAt: number | null }[];
      assert.ok(tokens.some((t) => /^cli-oidc-\d{4}-\d{2}-\d{2}$/.test(t.name) && t.expiresAt !== null));
      await audited('success', /^oidc \(cli\)$/, 'login', 'alice');
      await audited('success', /^cli-oidc-/, 'create', 'alice', 'token');

      assert.equal((await api(undefined, '/api/v1/auth/oidc/cli-sessions/0123456789abcdef0123456789abcdef', { headers: { 'x-berth-cli-secret': cli.secret } })).status, 404);
      const unknown = await new Browser().fetch(`${base}/api/v1/auth/oidc/login?cli=0123456789abcdef0123456789abcdef`);
      assert.equal(unknown.status, 400);
    });
  });
}

describe('OIDC configuration', () => {
  test('a half-configured OIDC stops the start with a clear message', async () => {
    // Refused before the data directory is touched.
    const BERTH_DATA_DIR = path.join(os.tmpdir(), `berth-oidc-never-created-${process.pid}`);
    await assert.rejects(startTestBerth({ BERTH_DATA_DIR, BERTH_OIDC_ISSUER: 'http://127.0.0.1:1' }), /OIDC is half-configured: oidcIssuer is set but oidcClientId \(BERTH_OIDC_CLIENT_ID\) is not/);
    await assert.rejects(startTestBerth({ BERTH_DATA_DIR, BERTH_OIDC_CLIENT_ID: 'berth', BERTH_OIDC_CLIENT_SECRET: 's' }), /oidcIssuer \(BERTH_OIDC_ISSUER\) is not/);
    await assert.rejects(startTestBerth({ BERTH_DATA_DIR, BERTH_OIDC_ADMIN_GROUP: 'admins' }), /half-configured/);
  });

  test('without OIDC the sign-in routes answer 404 and config says so', async () => {
    const plain = await startTestBerth();
    try {
      const config = (await (await fetch(`${plain.url}/api/v1/auth/config`)).json()) as { oidcEnabled: boolean; loginUrl: string | null };
      assert.equal(config.oidcEnabled, false);
      assert.equal(config.loginUrl, null);
      assert.equal((await fetch(`${plain.url}/api/v1/auth/oidc/login`, { redirect: 'manual' })).status, 404);
      assert.equal((await fetch(`${plain.url}/api/v1/auth/oidc/cli-sessions`, { method: 'POST' })).status, 404);
    } finally {
      await plain.stop();
    }
  });
});
