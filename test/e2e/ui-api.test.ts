/**
 * The API the web UI needs beyond the artifact API, against a real Berth on
 * SQLite and PostgreSQL: password sign-in to a cookie session (throttled and
 * audited like every sign-in, CSRF on unsafe requests, no Basic challenge
 * for the UI), the sign-in configuration, the system information, and the
 * caller's permissions as the authorizer decides them; the event stream
 * (/api/v1/stream) read by a real HTTP client: permission filtering, types
 * globs, Last-Event-ID resume, limits, shutdown, and an event crossing from
 * one process to another on PostgreSQL.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ADMIN_PASSWORD, startTestBerth, type TestBerth } from '../support/berth.ts';
import { spawnBerth, type BerthProcess } from '../support/berth-process.ts';
import { testDatabases } from '../support/databases.ts';
import { ADMIN, PASSWORD, addMember, createUser, must } from '../support/matrix-fixture.ts';
import { auditEntries, call, eventually, firstError, freshIp } from '../support/matrix-http.ts';
import { openStream, type Stream } from '../support/sse.ts';

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


const untilTrue = (what: string, check: () => boolean, ms = 10_000) => eventually(what, () => Promise.resolve(check()), ms);

for (const database of await testDatabases()) {
  describe(`UI API: the event stream on ${database.name}`, { skip: database.skip }, () => {
    let b: TestBerth;
    let base: string;
    const open: Stream[] = [];
    const stream = async (query: string, headers: Record<string, string>) => {
      const s = await openStream(`${base}/api/v1/stream${query}`, headers);
      open.push(s);
      return s;
    };
    const asDev = { authorization: `Basic ${Buffer.from(`st-dev:${PASSWORD}`).toString('base64')}` };

    before(async () => {
      b = await startTestBerth(await database.env());
      base = b.url;
      await createUser(base, 'st-dev');
      must(await call(base, 'POST', '/api/v1/projects', { auth: ADMIN, body: { name: 'st-mine', public: false } }), 201, 'project st-mine');
      await addMember(base, 'st-mine', 'st-dev', 'developer');
    });
    after(async () => {
      for (const s of open) await s.close();
      await b?.stop();
    });

    test('the OpenAPI document describes the UI routes, the stream as text/event-stream', async () => {
      const doc = must(await call(base, 'GET', '/api/v1/openapi.json'), 200, 'openapi').body as { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>> };
      for (const [p, m] of [['/api/v1/auth/login', 'post'], ['/api/v1/system/info', 'get'], ['/api/v1/users/me/permissions', 'get'], ['/api/v1/applications/{name}/resource-tree', 'get'], ['/api/v1/git-repositories', 'get']] as const) {
        assert.ok(doc.paths[p]?.[m]?.responses['200']?.content?.['application/json'], `${m} ${p} has a response schema`);
      }
      assert.ok(doc.paths['/api/v1/stream']!.get!.responses['200']!.content!['text/event-stream']);
      const gitRoutes = Object.entries(doc.paths).filter(([, ops]) => Object.values(ops).some((op) => (op as { tags?: string[] }).tags?.includes('git-repositories'))).map(([p]) => p);
      assert.deepEqual(gitRoutes, ['/api/v1/git-repositories'], 'Git repositories live under /git-repositories only (no alias at /repositories)');
    });

    test('anonymous callers are refused; a bad types filter is a 400', async () => {
      assert.equal((await call(base, 'GET', '/api/v1/stream')).status, 401);
      const bad = await call(base, 'GET', '/api/v1/stream?types=nothing.*', { auth: ADMIN });
      assert.equal(bad.status, 400);
      assert.match(firstError(bad)!.message, /matches no event type/);
    });

    test('a member hears the events of its projects only, as SSE with ids; admins hear all; cookie sessions work', async () => {
      const login = must(await call(base, 'POST', '/api/v1/auth/login', { body: { username: 'st-dev', password: PASSWORD }, headers: UI }), 200, 'login');
      const cookie = sessionCookie(login.headers)!.pair;
      const dev = await stream('', { cookie });
      assert.equal(dev.res.status, 200);
      assert.match(dev.res.headers.get('content-type')!, /^text\/event-stream/);
      assert.equal(dev.res.headers.get('cache-control'), 'no-cache, no-transform');
      const admin = await stream('?types=project.*', { authorization: ADMIN });
      await untilTrue('the streams are open', () => dev.comments.includes('connected') && admin.comments.includes('connected'));
      assert.equal(dev.retry, 3000, 'reconnection advice');

      must(await call(base, 'PUT', '/api/v1/projects/st-mine', { auth: ADMIN, body: { public: false } }), 200, 'update st-mine');
      must(await call(base, 'POST', '/api/v1/projects', { auth: ADMIN, body: { name: 'st-other', public: false } }), 201, 'project st-other');
      await untilTrue('the admin hears both', () => admin.of('project.updated').length === 1 && admin.of('project.created').some((e) => e.data.project === 'st-other'));
      await untilTrue('the member hears its project', () => dev.of('project.updated').length === 1);
      const updated = dev.events.find((e) => e.event === 'project.updated')!;
      const payload = JSON.parse(updated.data) as { id: string; type: string; actor: string; data: { project: string } };
      assert.equal(updated.id, payload.id, 'id: is the event id');
      assert.deepEqual([payload.type, payload.actor, payload.data.project], ['project.updated', 'admin', 'st-mine']);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(dev.of('project.created').filter((e) => e.data.project === 'st-other').length, 0, 'not a project the member can read');
    });

    test('types globs filter; Last-Event-ID replays what was missed; an unknown id says reset', async () => {
      const first = await stream('?types=project.*', asDev);
      await untilTrue('open', () => first.comments.includes('connected'));
      must(await call(base, 'PUT', '/api/v1/projects/st-mine', { auth: ADMIN, body: { public: false } }), 200, 'update 1');
      await untilTrue('heard update 1', () => first.of('project.updated').length === 1);
      const lastId = first.events.at(-1)!.id!;
      await first.close();
      // Missed while disconnected.
      must(await call(base, 'PUT', '/api/v1/projects/st-mine', { auth: ADMIN, body: { public: false } }), 200, 'update 2');
      must(await call(base, 'PUT', '/api/v1/projects/st-mine', { auth: ADMIN, body: { public: false } }), 200, 'update 3');
      const resumed = await stream('?types=project.updated', { ...asDev, 'last-event-id': lastId });
      await untilTrue('the two missed events are replayed', () => resumed.of('project.updated').length === 2);
      must(await call(base, 'PUT', '/api/v1/projects/st-mine', { auth: ADMIN, body: { public: false } }), 200, 'update 4');
      await untilTrue('then live ones', () => resumed.of('project.updated').length === 3);
      const ids = resumed.events.map((e) => e.id);
      assert.equal(new Set(ids).size, ids.length, 'no event twice');
      assert.ok(!ids.includes(lastId), 'not the last one seen');

      const stale = await stream('', { ...asDev, 'last-event-id': '00000000-0000-7000-8000-000000000000' });
      await untilTrue('reset', () => stale.events.some((e) => e.event === 'reset'));
    });

    test('at most 8 streams per account; shutdown ends the streams', async () => {
      for (const s of open.splice(0)) await s.close();
      const many: Stream[] = [];
      for (let i = 0; i < 8; i++) many.push(await stream('', asDev));
      const ninth = await call(base, 'GET', '/api/v1/stream', { headers: asDev });
      assert.equal(ninth.status, 429);
      assert.match(firstError(ninth)!.message, /at most 8 event streams/);
      await many[0]!.close();
      await eventually('a slot is free again', async () => {
        const s = await openStream(`${base}/api/v1/stream`, asDev);
        if (s.res.status === 200) {
          open.push(s);
          return true;
        }
        await s.close();
        return false;
      });
      const started = Date.now();
      await b.stop();
      await Promise.all(open.map((s) => s.done));
      assert.ok(open.every((s) => s.ended), 'every stream ended');
      assert.ok(Date.now() - started < 10_000, `shutdown waited ${Date.now() - started} ms`);
      b = await startTestBerth(await database.env());
    });
  });
}

const pg = (await testDatabases()).find((d) => d.name === 'postgres')!;
describe('UI API: an event published by one process reaches a stream on another (PostgreSQL)', { skip: pg.skip }, () => {
  let a: TestBerth;
  let other: BerthProcess;
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'berth-stream-'));
    const env = { BERTH_DATABASE_URL: await pg.createUrl(dir) };
    a = await startTestBerth(env);
    other = await spawnBerth(path.join(dir, 'b'), env);
  });
  after(async () => {
    await other?.kill('SIGTERM');
    await a?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('a project created through process A is heard on process B; heartbeats keep the stream alive', async () => {
    const s = await openStream(`${other.url}/api/v1/stream?types=project.created`, { authorization: ADMIN });
    try {
      await untilTrue('open', () => s.comments.includes('connected'));
      const opened = Date.now();
      must(await call(a.url, 'POST', '/api/v1/projects', { auth: ADMIN, body: { name: 'across', public: false } }), 201, 'create on A');
      await untilTrue('B hears it', () => s.of('project.created').some((e) => e.data.project === 'across'));
      await untilTrue('a heartbeat comment within 15 s', () => s.comments.includes('heartbeat'), 20_000);
      assert.ok(Date.now() - opened >= 14_000, 'not before 15 s');
    } finally {
      await s.close();
    }
  });
});

for (const database of await testDatabases()) {
  describe(`UI API: the application list with 1,000 applications on ${database.name}`, { skip: database.skip }, () => {
    let b: TestBerth;
    before(async () => {
      b = await startTestBerth(await database.env());
      // The list is what is measured: the engine stops, so it neither compares nor rewrites these statuses.
      await b.delivery!.engine.close();
      await createUser(b.url, 'list-dev');
      for (const p of ['list-a', 'list-b']) must(await call(b.url, 'POST', '/api/v1/projects', { auth: ADMIN, body: { name: p, public: false } }), 201, p);
      await addMember(b.url, 'list-a', 'list-dev', 'guest');
      const now = Date.now();
      const syncs = ['Synced', 'OutOfSync', 'Unknown'];
      const healths = ['Healthy', 'Progressing', 'Degraded', 'Missing'];
      const apps = Array.from({ length: 1000 }, (_, i) => {
        const name = `app-${String(i).padStart(4, '0')}`;
        const spec = { project: i % 2 ? 'list-b' : 'list-a', source: { repoURL: 'https://git.example.com/team/apps.git', path: name, targetRevision: 'main' }, destination: { name: i % 5 === 0 ? 'prod' : 'stage', namespace: `ns-${i % 10}` }, syncPolicy: { syncOptions: [] } };
        return { name, project: spec.project, spec: JSON.stringify(spec), repo_url: 'https://git.example.com/team/apps', dest_name: spec.destination.name, dest_server: `https://${spec.destination.name}.example.com`, dest_namespace: spec.destination.namespace, created_by: 'admin', created_at: now, updated_at: now };
      });
      const statuses = apps.filter((_, i) => i % 4 !== 3).map((a, i) => {
        const status = { sync: { status: syncs[i % 3]!, revision: 'c0ffee' }, health: { status: healths[i % 4]! }, resources: Array.from({ length: 5 }, (_, r) => ({ key: { group: 'apps', kind: 'Deployment', namespace: a.dest_namespace, name: `d${r}` }, version: 'v1', status: 'Synced', health: { status: 'Healthy' } })), conditions: [], reconciledAt: now };
        return { app: a.name, status: JSON.stringify(status), sync_status: status.sync.status, health_status: status.health.status, operation_phase: null, updated_at: now };
      });
      for (let i = 0; i < apps.length; i += 100) await b.db.insertInto('applications').values(apps.slice(i, i + 100)).execute();
      for (let i = 0; i < statuses.length; i += 100) await b.db.insertInto('application_status').values(statuses.slice(i, i + 100)).execute();
    });
    after(() => b?.stop());

    const list = async (query: string, auth = ADMIN) => {
      const started = performance.now();
      const res = must(await call(b.url, 'GET', `/api/v1/applications?${query}`, { auth }), 200, query);
      return { ms: performance.now() - started, total: Number(res.headers.get('x-total-count')), items: res.body as { name: string; project: string; sync: string; health: string; destination: { name?: string; namespace: string } }[] };
    };

    test('filters by cluster, namespace, sync and health in SQL, paged, fast', async () => {
      await list('page_size=100'); // warm
      const times: Record<string, number> = {};
      const all = await list('page_size=100');
      times.all = all.ms;
      assert.equal(all.total, 1000);
      assert.equal(all.items.length, 100);
      const degraded = await list('health=Degraded,Missing&page_size=100');
      times.health = degraded.ms;
      assert.ok(degraded.items.every((a) => a.health === 'Degraded' || a.health === 'Missing'));
      const unknown = await list('sync=Unknown&page_size=100');
      times.sync = unknown.ms;
      assert.ok(unknown.items.every((a) => a.sync === 'Unknown'));
      // 250 apps never saved a status (Unknown), plus every third of the others.
      assert.equal(unknown.total, 250 + 250);
      const combined = await list('cluster=prod&namespace=ns-0&sync=Synced&page=1&page_size=100');
      times.combined = combined.ms;
      assert.ok(combined.items.every((a) => a.destination.name === 'prod' && a.destination.namespace === 'ns-0' && a.sync === 'Synced'));
      assert.ok(combined.total > 0 && combined.total < 100);
      assert.equal((await list('cluster=https://prod.example.com')).total, 200, 'cluster by server');
      const devAuth = `Basic ${Buffer.from(`list-dev:${PASSWORD}`).toString('base64')}`;
      await list('page_size=1', devAuth); // the password check is cached after the first request
      const dev = await list('page_size=100&health=Healthy', devAuth);
      times.member = dev.ms;
      assert.ok(dev.items.every((a) => a.project === 'list-a' && a.health === 'Healthy'));
      const bad = await call(b.url, 'GET', '/api/v1/applications?health=Fine', { auth: ADMIN });
      assert.equal(bad.status, 400);
      assert.match(firstError(bad)!.message, /"Fine" is not one of Healthy/);
      console.log(`[figures] GET /applications with 1,000 applications on ${database.name} (ms): ${Object.entries(times).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ')}`);
      for (const [k, v] of Object.entries(times)) assert.ok(v < 500, `${k}: ${v} ms`);
    });
  });
}
