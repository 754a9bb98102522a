/**
 * The API the web UI needs beyond the artifact API, against a real Berth on
 * SQLite and PostgreSQL: password sign-in to a cookie session (throttled and
 * audited like every sign-in, CSRF on unsafe requests, no Basic challenge
 * for the UI), the sign-in configuration, the system information, and the
 * caller's permissions as the authorizer decides them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ADMIN_PASSWORD, startTestBerth, type TestBerth } from '../support/berth.ts';
import { testDatabases } from '../support/databases.ts';
import { ADMIN, PASSWORD, addMember, createUser, must } from '../support/matrix-fixture.ts';
import { auditEntries, call, eventually, firstError, freshIp } from '../support/matrix-http.ts';

const UI = { 'x-berth-csrf': '1' };

/** The berth_session cookie a response sets (name=value), or undefined. */
function sessionCookie(headers: Headers): { pair: string; attributes: string } | undefined {
  for (const c of headers.getSetCookie()) {
    if (c.startsWith('berth_session=') && !c.startsWith('berth_session=;')) return { pair: c.split(';', 1)[0]!, attributes: c };
  }
  return undefined;
}

for (const database of await testDatabases()) {
  describe(`UI API: sign-in, system info, permissions on ${database.name}`, { skip: database.skip }, () => {
    let b: TestBerth;
    let base: string;

    before(async () => {
      b = await startTestBerth({ ...(await database.env()), BERTH_TRUST_PROXY: 'true', BERTH_AUDIT_FLUSH_INTERVAL_MS: '50' });
      base = b.url;
      await createUser(base, 'ui-dev');
      await createUser(base, 'ui-outsider');
      must(await call(base, 'POST', '/api/v1/projects', { auth: ADMIN, body: { name: 'ui-team', public: false } }), 201, 'project ui-team');
      await addMember(base, 'ui-team', 'ui-dev', 'developer');
    });
    after(() => b?.stop());

    const login = (username: string, password: string, ip = freshIp()) =>
      call(base, 'POST', '/api/v1/auth/login', { body: { username, password }, headers: { ...UI, 'x-forwarded-for': ip } });

    test('auth config offers password sign-in', async () => {
      const res = must(await call(base, 'GET', '/api/v1/auth/config'), 200, 'auth config');
      assert.deepEqual(res.body, { passwordLogin: true, oidcEnabled: false, loginUrl: null, cliLogin: false, sessionCookie: 'berth_session' });
    });

    test('password sign-in starts a cookie session; unsafe requests need the CSRF header; logout ends it', async () => {
      const ip = freshIp();
      const res = must(await login('ui-dev', PASSWORD, ip), 200, 'login');
      const body = res.body as { username: string; admin: boolean; expiresAt: number };
      assert.equal(body.username, 'ui-dev');
      assert.equal(body.admin, false);
      assert.ok(body.expiresAt > Date.now() + 3_600_000 && body.expiresAt <= Date.now() + 28_800_000 + 1000, 'expires after the session lifetime (8 h by default)');
      assert.equal(res.headers.get('cache-control'), 'no-store');
      const cookie = sessionCookie(res.headers);
      assert.ok(cookie, 'berth_session set');
      assert.match(cookie.attributes, /HttpOnly/);
      assert.match(cookie.attributes, /SameSite=Lax/);
      assert.match(cookie.attributes, /Path=\//);

      const me = must(await call(base, 'GET', '/api/v1/users/me', { headers: { cookie: cookie.pair } }), 200, 'me by cookie');
      assert.equal((me.body as { username: string }).username, 'ui-dev');
      // A cookie without the CSRF header cannot change anything.
      const forged = await call(base, 'POST', '/api/v1/users/me/tokens', { body: { name: 'x' }, headers: { cookie: cookie.pair } });
      assert.equal(forged.status, 403);
      must(await call(base, 'POST', '/api/v1/users/me/tokens', { body: { name: 'from-ui' }, headers: { ...UI, cookie: cookie.pair } }), 201, 'token with the CSRF header');

      await eventually('the sign-in is audited', async () => {
        const records = (await auditEntries(base, ADMIN, { resource_type: 'session', action: 'login', outcome: 'success' })).filter((e) => e.sourceIp === ip);
        return records.length === 1 && records[0]!.actor.name === 'ui-dev' && records[0]!.detail === 'password (web session)';
      });

      must(await call(base, 'POST', '/api/v1/auth/logout', { headers: { ...UI, cookie: cookie.pair } }), 204, 'logout');
      const after = await call(base, 'GET', '/api/v1/users/me', { headers: { ...UI, cookie: cookie.pair } });
      assert.equal(after.status, 401, 'the session is gone');
      assert.equal(after.headers.get('www-authenticate'), null, 'no Basic challenge for the UI: the browser would open its own dialog');
      const script = await call(base, 'GET', '/api/v1/users/me');
      assert.equal(script.status, 401);
      assert.equal(script.headers.get('www-authenticate'), 'Basic realm="berth"', 'other clients still get the challenge');
    });

    test('bad credentials answer 401 with a clear message, audited; robots and API tokens cannot start a session', async () => {
      const ip = freshIp();
      const bad = await login('ui-dev', 'wrong-password', ip);
      assert.equal(bad.status, 401);
      assert.deepEqual(firstError(bad), { code: 'UNAUTHORIZED', message: 'invalid user name or password' });
      assert.equal(sessionCookie(bad.headers), undefined);
      assert.equal((await login('nobody-here', 'whatever')).status, 401, 'unknown user: the same answer');
      await eventually('the failed sign-in is audited', async () => {
        const records = (await auditEntries(base, ADMIN, { resource_type: 'session', action: 'login', outcome: 'failure' })).filter((e) => e.sourceIp === ip);
        return records.some((r) => r.actor.name === 'ui-dev' && r.detail === 'invalid credentials');
      });

      const robot = await login('robot$ui-team+ci', 'secret');
      assert.equal(robot.status, 401);
      assert.match(firstError(robot)!.message, /robot accounts cannot sign in/);
      const token = must(await call(base, 'POST', '/api/v1/users/me/tokens', { auth: ADMIN, body: { name: 'not-a-password' } }), 201, 'token');
      const withToken = await login('admin', (token.body as { secret: string }).secret);
      assert.equal(withToken.status, 401);
      assert.match(firstError(withToken)!.message, /sign in with your password/);
      assert.equal((await call(base, 'POST', '/api/v1/auth/login', { body: { username: 'admin' }, headers: UI })).status, 400, 'missing password');
    });

    test('sign-in is throttled like Basic auth: after 5 failures from one address even the right password waits', async () => {
      const ip = freshIp();
      for (let i = 0; i < 5; i++) assert.equal((await login('ui-outsider', `wrong-${i}`, ip)).status, 401);
      const throttled = await login('ui-outsider', PASSWORD, ip);
      assert.equal(throttled.status, 429);
      assert.ok(Number(throttled.headers.get('retry-after')) >= 1);
      assert.match(firstError(throttled)!.message, /too many failed sign-ins/);
      // Basic auth shares the same counters.
      const basicAuth = `Basic ${Buffer.from(`ui-outsider:${PASSWORD}`).toString('base64')}`;
      assert.equal((await call(base, 'GET', '/api/v1/users/me', { auth: basicAuth, headers: { 'x-forwarded-for': ip } })).status, 429);
      must(await login('ui-outsider', PASSWORD), 200, 'from another address');
    });

    test('an administrator signs in with a password too', async () => {
      const res = must(await login('admin', ADMIN_PASSWORD), 200, 'admin login');
      assert.equal((res.body as { admin: boolean }).admin, true);
    });

    test('system info: version, external URL, registry host (no sign-in needed)', async () => {
      const res = must(await call(base, 'GET', '/api/v1/system/info'), 200, 'system info');
      const info = res.body as { version: string; externalUrl: string; registryHost: string };
      assert.match(info.version, /^\d+\.\d+\.\d+/);
      assert.equal(info.externalUrl, base);
      assert.equal(info.registryHost, b.hostPort);
    });

    test('permissions: per project from the authorizer, system-level without a project', async () => {
      const dev = `Basic ${Buffer.from(`ui-dev:${PASSWORD}`).toString('base64')}`;
      const onTeam = must(await call(base, 'GET', '/api/v1/users/me/permissions?project=ui-team', { auth: dev }), 200, 'dev on ui-team').body as { admin: boolean; permissions: string[] };
      assert.equal(onTeam.admin, false);
      assert.ok(onTeam.permissions.includes('application:sync') && onTeam.permissions.includes('repository:push'));
      assert.ok(!onTeam.permissions.includes('application:create') && !onTeam.permissions.includes('artifact:delete') && !onTeam.permissions.includes('member:create'));
      assert.deepEqual(onTeam.permissions, [...onTeam.permissions].sort());
      const outsider = `Basic ${Buffer.from(`ui-outsider:${PASSWORD}`).toString('base64')}`;
      const hidden = must(await call(base, 'GET', '/api/v1/users/me/permissions?project=ui-team', { auth: outsider }), 200, 'outsider').body;
      const missing = must(await call(base, 'GET', '/api/v1/users/me/permissions?project=no-such-project', { auth: outsider }), 200, 'missing project').body;
      assert.deepEqual(hidden, { admin: false, permissions: [] });
      assert.deepEqual(missing, hidden, 'a hidden project answers as a missing one');
      assert.deepEqual(must(await call(base, 'GET', '/api/v1/users/me/permissions', { auth: dev }), 200, 'dev system').body, { admin: false, permissions: [] });
      const admin = must(await call(base, 'GET', '/api/v1/users/me/permissions', { auth: ADMIN }), 200, 'admin system').body as { admin: boolean; permissions: string[] };
      assert.deepEqual(admin, { admin: true, permissions: ['job:manage', 'job:read', 'project:create'] });
      const adminOnTeam = must(await call(base, 'GET', '/api/v1/users/me/permissions?project=ui-team', { auth: ADMIN }), 200, 'admin on team').body as { permissions: string[] };
      assert.ok(adminOnTeam.permissions.includes('member:delete') && adminOnTeam.permissions.includes('webhook:create'));
      must(await call(base, 'PUT', '/api/v1/settings', { auth: ADMIN, body: { projectCreation: 'everyone' } }), 200, 'everyone creates projects');
      try {
        assert.deepEqual(must(await call(base, 'GET', '/api/v1/users/me/permissions', { auth: dev }), 200, 'dev system').body, { admin: false, permissions: ['project:create'] });
      } finally {
        must(await call(base, 'PUT', '/api/v1/settings', { auth: ADMIN, body: { projectCreation: 'adminOnly' } }), 200, 'back to adminOnly');
      }
      const anonymous = must(await call(base, 'GET', '/api/v1/users/me/permissions?project=ui-team'), 200, 'anonymous').body;
      assert.deepEqual(anonymous, { admin: false, permissions: [] });
    });
  });
}
