/**
 * Behaviour of the /api/v1 REST API against a real Berth, once per metadata
 * database: paging (page/page_size, X-Total-Count, Link), q filters and
 * sort, validation errors that name the field, unknown fields, 404, 409,
 * 412, the password policy, the built-in admin's protection, personal API
 * tokens, login throttling, robot secrets and expiry notices, the
 * projectCreation setting, and the OpenAPI 3.1 document.
 *
 * Berth trusts X-Forwarded-For here so that requests meant to fail sign-in
 * come from addresses of their own: the login throttle also locks a source
 * address, which would otherwise lock the suite out.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { DomainEvent } from '../../src/platform/events/types.ts';
import { startTestBerth, type TestBerth } from '../support/berth.ts';
import { testDatabases } from '../support/databases.ts';
import { ADMIN, PASSWORD, addMember, createProject, createRobot, createUser, manifestStatus, must } from '../support/matrix-fixture.ts';
import { basic, bearer, call, eventually, fetchToken, firstError, freshIp, type Res } from '../support/matrix-http.ts';

function assertError(res: Res, status: number, code: string, what: string, mention?: string | RegExp): void {
  assert.equal(res.status, status, `${what}: expected ${status}, got ${res.status} ${res.text.slice(0, 300)}`);
  const e = firstError(res);
  assert.ok(e, `${what}: no {"errors":[{code,message}]} body: ${res.text.slice(0, 300)}`);
  assert.equal(e.code, code, `${what}: code (${e.message})`);
  if (typeof mention === 'string') assert.ok(e.message.includes(mention), `${what}: ${JSON.stringify(e.message)} should mention ${mention}`);
  else if (mention) assert.match(e.message, mention, what);
}

/** The rel → URL map of a Link header. */
function links(res: Res): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (res.headers.get('link') ?? '').split(',')) {
    const m = /<([^>]+)>\s*;\s*rel="([^"]+)"/.exec(part);
    if (m) out[m[2]!] = m[1]!;
  }
  return out;
}

const names = (res: Res) => (res.body as { name: string }[]).map((p) => p.name);

/** `METHOD /path/{param}` of every /api/v1 route fastify serves (from its route tree). */
function servedRoutes(tree: string): Set<string> {
  const out = new Set<string>();
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const m = /^((?:[│ ] {3})*)[├└]── (\S+)(?: \(([^)]+)\))?$/.exec(line.trimEnd());
    if (!m) continue;
    const depth = m[1]!.length / 4;
    stack.length = depth;
    const path = (depth > 0 ? stack[depth - 1]! : '') + m[2]!;
    stack.push(path);
    if (!m[3] || !path.startsWith('/api/v1/')) continue;
    for (const method of m[3].split(',').map((s) => s.trim())) out.add(`${method} ${path.replace(/:([A-Za-z_]+)/g, '{$1}')}`);
  }
  return out;
}

/** Resolves a local JSON pointer (`#/a/b`) in `doc`. */
function resolvePointer(doc: unknown, ref: string): unknown {
  if (!ref.startsWith('#')) return undefined;
  let node: unknown = doc;
  for (const raw of ref.slice(1).split('/').slice(1)) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (node === null || typeof node !== 'object' || !(key in node)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function collectRefs(node: unknown, at: string, out: { at: string; ref: string }[]): void {
  if (Array.isArray(node)) node.forEach((v, i) => collectRefs(v, `${at}/${i}`, out));
  else if (node !== null && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') out.push({ at, ref: v });
      else collectRefs(v, `${at}/${k}`, out);
    }
  }
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

for (const database of await testDatabases()) {
  describe(`REST API on ${database.name}`, { skip: database.skip }, () => {
    let berth: TestBerth;
    let base: string;

    before(async () => {
      berth = await startTestBerth({ ...(await database.env()), BERTH_TRUST_PROXY: 'true', BERTH_UPLOAD_PURGE_INTERVAL_SECONDS: '1' });
      base = berth.url;
    });
    after(() => berth?.stop());

    describe('paging, filters and sort', () => {
      const made = Array.from({ length: 12 }, (_, i) => `pgn-${String(i).padStart(2, '0')}`);

      before(async () => {
        for (const name of made) must(await call(base, 'POST', '/api/v1/projects', { auth: ADMIN, body: { name, public: name.endsWith('1') } }), 201, name);
        must(await call(base, 'POST', '/api/v1/projects', { auth: ADMIN, body: { name: 'pgn_under' } }), 201, 'pgn_under');
        must(await call(base, 'POST', '/api/v1/projects', { auth: ADMIN, body: { name: 'pgnxunder' } }), 201, 'pgnxunder');
      });

      test('page/page_size with X-Total-Count and Link next/prev, followed to the end', async () => {
        let res = await call(base, 'GET', '/api/v1/projects?q=name%3D~pgn-&page_size=5', { auth: ADMIN });
        assert.equal(res.status, 200);
        assert.equal(res.headers.get('x-total-count'), '12');
        assert.deepEqual(names(res), made.slice(0, 5));
        assert.equal(links(res).prev, undefined);
        const seen = [...names(res)];
        let pages = 1;
        while (links(res).next) {
          const next = links(res).next!;
          assert.match(next, /^\/api\/v1\/projects\?/);
          assert.ok(new URL(next, base).searchParams.get('q') === 'name=~pgn-', `the filter is kept: ${next}`);
          res = await call(base, 'GET', next, { auth: ADMIN });
          assert.equal(res.status, 200);
          assert.ok(links(res).prev, 'a later page links back');
          seen.push(...names(res));
          pages++;
        }
        assert.equal(pages, 3);
        assert.deepEqual(seen, made);
        assert.equal(new URL(links(res).prev!, base).searchParams.get('page'), '2');
        const beyond = await call(base, 'GET', '/api/v1/projects?q=name%3D~pgn-&page_size=5&page=9', { auth: ADMIN });
        assert.deepEqual(beyond.body, []);
        assert.equal(beyond.headers.get('x-total-count'), '12');
      });

      test('page and page_size are validated, naming the parameter', async () => {
        for (const [qs, field] of [
          ['page_size=101', 'query.page_size'],
          ['page_size=0', 'query.page_size'],
          ['page=0', 'query.page'],
          ['page=abc', 'query.page'],
          ['page_size=2.5', 'query.page_size'],
        ] as const) {
          assertError(await call(base, 'GET', `/api/v1/projects?${qs}`, { auth: ADMIN }), 400, 'BAD_REQUEST', qs, field);
        }
      });

      test('q: exact (k=v), contains (k=~v), several terms; unknown keys and bad terms refused', async () => {
        assert.deepEqual(names(await call(base, 'GET', '/api/v1/projects?q=name%3Dpgn-03', { auth: ADMIN })), ['pgn-03']);
        assert.deepEqual(names(await call(base, 'GET', '/api/v1/projects?q=name%3Dpgn-0', { auth: ADMIN })), [], 'exact is exact');
        assert.deepEqual(names(await call(base, 'GET', '/api/v1/projects?q=name%3D~pgn-0&page_size=100', { auth: ADMIN })), made.slice(0, 10));
        assert.deepEqual(names(await call(base, 'GET', '/api/v1/projects?q=name%3D~PGN-1&page_size=100', { auth: ADMIN })), ['pgn-10', 'pgn-11'], 'contains ignores case');
        assert.deepEqual(names(await call(base, 'GET', `/api/v1/projects?q=${encodeURIComponent('name=~pgn-,public=true')}&page_size=100`, { auth: ADMIN })), ['pgn-01', 'pgn-11']);
        // `_` is a LIKE wildcard: it must match only itself.
        assert.deepEqual(names(await call(base, 'GET', `/api/v1/projects?q=${encodeURIComponent('name=~pgn_')}&page_size=100`, { auth: ADMIN })), ['pgn_under']);
        assertError(await call(base, 'GET', `/api/v1/projects?q=${encodeURIComponent('owner=admin')}`, { auth: ADMIN }), 400, 'BAD_REQUEST', 'unknown q key', 'owner');
        assertError(await call(base, 'GET', '/api/v1/projects?q=justaword', { auth: ADMIN }), 400, 'BAD_REQUEST', 'q without =', 'justaword');
        const users = await call(base, 'GET', `/api/v1/users?q=${encodeURIComponent('username=admin')}`, { auth: ADMIN });
        assert.deepEqual((users.body as { username: string }[]).map((u) => u.username), ['admin']);
      });

      test('a q value with a stray % is a client error, not a server error', async () => {
        const res = await call(base, 'GET', `/api/v1/projects?q=${encodeURIComponent('name=~100%')}`, { auth: ADMIN });
        assert.ok(res.status === 200 || res.status === 400, `GET /api/v1/projects?q=name%3D~100%25 → ${res.status} ${res.text}`);
      });

      test('sort: -name, name, created; unknown fields refused', async () => {
        const desc = await call(base, 'GET', '/api/v1/projects?q=name%3D~pgn-&sort=-name&page_size=100', { auth: ADMIN });
        assert.deepEqual(names(desc), [...made].reverse());
        const asc = await call(base, 'GET', '/api/v1/projects?q=name%3D~pgn-&sort=name&page_size=3', { auth: ADMIN });
        assert.deepEqual(names(asc), made.slice(0, 3));
        // Paging a descending sort keeps the order across pages.
        const page2 = await call(base, 'GET', '/api/v1/projects?q=name%3D~pgn-&sort=-name&page_size=5&page=2', { auth: ADMIN });
        assert.deepEqual(names(page2), [...made].reverse().slice(5, 10));
        assert.ok(new URL(links(page2).next!, base).searchParams.get('sort') === '-name', 'the sort is kept in Link');
        const created = await call(base, 'GET', '/api/v1/projects?q=name%3D~pgn-&sort=-created,name&page_size=100', { auth: ADMIN });
        assert.equal(names(created).length, 12);
        assertError(await call(base, 'GET', '/api/v1/projects?sort=-secret', { auth: ADMIN }), 400, 'BAD_REQUEST', 'unknown sort', 'secret');
        const users = await call(base, 'GET', '/api/v1/users?sort=-username', { auth: ADMIN });
        const u = (users.body as { username: string }[]).map((x) => x.username);
        assert.deepEqual(u, [...u].sort().reverse());
      });
    });

    describe('validation, 404, 409, 412', () => {
      test('validation errors are 400 BAD_REQUEST naming the field', async () => {
        assertError(await call(base, 'POST', '/api/v1/users', { auth: ADMIN, body: { username: 'v1', password: 5 } }), 400, 'BAD_REQUEST', 'password type', 'body.password');
        assertError(await call(base, 'POST', '/api/v1/users', { auth: ADMIN, body: { username: 'v2', password: PASSWORD, email: 'not-an-email' } }), 400, 'BAD_REQUEST', 'email', 'body.email');
        assertError(await call(base, 'POST', '/api/v1/projects', { auth: ADMIN, body: { public: true } }), 400, 'BAD_REQUEST', 'missing name', 'body.name');
        assertError(await call(base, 'POST', '/api/v1/projects', { auth: ADMIN, body: { name: 'okname', public: 'yes' } }), 400, 'BAD_REQUEST', 'public type', 'body.public');
        assertError(await call(base, 'POST', '/api/v1/projects/pgn-00/members', { auth: ADMIN, body: { name: 'admin', role: 'owner' } }), 400, 'BAD_REQUEST', 'role', 'body.role');
        assertError(
          await call(base, 'PUT', '/api/v1/projects/pgn-00/members/robot/x', { auth: ADMIN, body: { role: 'guest' } }),
          400,
          'BAD_REQUEST',
          'member kind',
          'path.kind',
        );
        assertError(await call(base, 'PUT', '/api/v1/settings', { auth: ADMIN, body: { projectCreation: 'anyone' } }), 400, 'BAD_REQUEST', 'setting', 'body.projectCreation');
        assertError(await call(base, 'GET', '/api/v1/audit-logs?from=yesterday', { auth: ADMIN }), 400, 'BAD_REQUEST', 'audit from', 'query.from');
        assertError(await call(base, 'POST', '/api/v1/robots', { auth: ADMIN, body: { name: 'r', level: 'project', permissions: [] } }), 400, 'BAD_REQUEST', 'no permissions', 'body.permissions');
      });

      test('a body that is not JSON is 400 BAD_REQUEST in the API error format', async () => {
        const res = await call(base, 'POST', '/api/v1/projects', { auth: ADMIN, raw: '{"name": ', headers: { 'content-type': 'application/json' } });
        assertError(res, 400, 'BAD_REQUEST', 'POST /api/v1/projects with a truncated JSON body');
      });

      test('unknown fields are refused, naming them', async () => {
        assertError(await call(base, 'POST', '/api/v1/projects', { auth: ADMIN, body: { name: 'unk', owner: 'eve' } }), 400, 'BAD_REQUEST', 'project owner', 'owner');
        assertError(await call(base, 'POST', '/api/v1/users', { auth: ADMIN, body: { username: 'unk', password: PASSWORD, role: 'admin' } }), 400, 'BAD_REQUEST', 'user role', 'role');
        assertError(await call(base, 'PUT', '/api/v1/projects/pgn-00', { auth: ADMIN, body: { public: true, name: 'renamed' } }), 400, 'BAD_REQUEST', 'project rename', 'name');
        assertError(await call(base, 'PUT', '/api/v1/settings', { auth: ADMIN, body: { anonymousPull: true } }), 400, 'BAD_REQUEST', 'unknown setting', 'anonymousPull');
        assertError(
          await call(base, 'POST', '/api/v1/robots', { auth: ADMIN, body: { name: 'r', level: 'project', secret: 'x'.repeat(20), permissions: [{ namespace: 'pgn-00', access: [{ resource: 'repository', action: 'pull' }] }] } }),
          400,
          'BAD_REQUEST',
          'robot secret at create',
          'secret',
        );
        const unchanged = await call(base, 'GET', '/api/v1/projects/unk', { auth: ADMIN });
        assert.equal(unchanged.status, 404, 'nothing was created');
      });

      test('404: missing project, user, robot, member, token; unknown routes in the API error format', async () => {
        assertError(await call(base, 'GET', '/api/v1/projects/nope', { auth: ADMIN }), 404, 'NOT_FOUND', 'project', 'nope');
        assertError(await call(base, 'GET', '/api/v1/users/nope', { auth: ADMIN }), 404, 'NOT_FOUND', 'user', 'nope');
        assertError(await call(base, 'GET', `/api/v1/robots/${encodeURIComponent('robot$nope')}`, { auth: ADMIN }), 404, 'NOT_FOUND', 'robot', 'nope');
        assertError(await call(base, 'DELETE', '/api/v1/projects/pgn-00/members/user/nope', { auth: ADMIN }), 404, 'NOT_FOUND', 'member');
        assertError(await call(base, 'POST', '/api/v1/projects/pgn-00/members', { auth: ADMIN, body: { name: 'ghost', role: 'guest' } }), 404, 'NOT_FOUND', 'member of a missing user', 'ghost');
        assertError(await call(base, 'DELETE', '/api/v1/users/me/tokens/0123456789abcdef0123456789abcdef', { auth: ADMIN }), 404, 'NOT_FOUND', 'token');
        assertError(await call(base, 'PUT', '/api/v1/projects/nope', { auth: ADMIN, body: { public: true } }), 404, 'NOT_FOUND', 'update missing project');
        assertError(await call(base, 'GET', '/api/v1/no-such-thing', { auth: ADMIN }), 404, 'NOT_FOUND', 'GET /api/v1/no-such-thing');
      });

      test('409 on a duplicate project, user, member and robot', async () => {
        assertError(await call(base, 'POST', '/api/v1/projects', { auth: ADMIN, body: { name: 'pgn-00' } }), 409, 'CONFLICT', 'project', 'pgn-00');
        await createUser(base, 'dup-user');
        assertError(await call(base, 'POST', '/api/v1/users', { auth: ADMIN, body: { username: 'dup-user', password: PASSWORD } }), 409, 'CONFLICT', 'user', 'dup-user');
        await addMember(base, 'pgn-00', 'dup-user', 'guest');
        assertError(await call(base, 'POST', '/api/v1/projects/pgn-00/members', { auth: ADMIN, body: { name: 'dup-user', role: 'developer' } }), 409, 'CONFLICT', 'member', 'dup-user');
        await createRobot(base, 'pgn-00', 'dup', ['repository:pull']);
        const again = await call(base, 'POST', '/api/v1/robots', { auth: ADMIN, body: { name: 'dup', level: 'project', permissions: [{ namespace: 'pgn-00', access: [{ resource: 'repository', action: 'pull' }] }] } });
        assertError(again, 409, 'CONFLICT', 'robot', 'robot$pgn-00+dup');
      });

      test('deleting a project that is not empty is 412; force deletes its repositories and robots', async () => {
        await createProject(base, 'del-me', false);
        const robot = await createRobot(base, 'del-me', 'ci', ['repository:pull']);
        assert.equal(await manifestStatus(base, 'del-me/app', 'v1'), 200);
        assertError(await call(base, 'DELETE', '/api/v1/projects/del-me', { auth: ADMIN }), 412, 'PRECONDITION_FAILED', 'not empty', 'not empty');
        assert.equal(await manifestStatus(base, 'del-me/app', 'v1'), 200, 'refused delete changed nothing');
        assert.equal((await call(base, 'GET', '/v2/del-me/app/tags/list', { auth: basic(robot.name, robot.secret) })).status, 200);
        must(await call(base, 'DELETE', '/api/v1/projects/del-me?force=true', { auth: ADMIN }), 204, 'forced delete');
        const pull = await call(base, 'GET', '/v2/del-me/app/manifests/v1', { auth: ADMIN });
        assert.equal(pull.status, 404, `pull after forced delete: ${pull.status}`);
        assert.equal((await call(base, 'GET', '/v2/del-me/app/tags/list', { auth: ADMIN })).status, 404);
        const catalog = (await call(base, 'GET', '/v2/_catalog?n=10000', { auth: ADMIN })).body as { repositories: string[] };
        assert.ok(!catalog.repositories.includes('del-me/app'));
        assertError(await call(base, 'GET', '/api/v1/projects/del-me', { auth: ADMIN }), 404, 'NOT_FOUND', 'project gone');
        assertError(await call(base, 'GET', `/api/v1/robots/${encodeURIComponent(robot.name)}`, { auth: ADMIN }), 404, 'NOT_FOUND', 'robot gone');
        const robotLogin = await call(base, 'GET', '/v2/', { auth: basic(robot.name, robot.secret), headers: { 'x-forwarded-for': freshIp() } });
        assert.equal(robotLogin.status, 401, 'the robot of a deleted project cannot sign in');
        // The name is free again, and the new project starts empty.
        must(await call(base, 'POST', '/api/v1/projects', { auth: ADMIN, body: { name: 'del-me' } }), 201, 'recreate');
        assert.equal((await call(base, 'GET', '/api/v1/projects/del-me', { auth: ADMIN }).then((r) => r.body as { repositoryCount: number })).repositoryCount, 0);
      });
    });

    describe('accounts', () => {
      test('password policy: 8–128 characters with upper, lower and digit', async () => {
        for (const bad of ['Sh0rt', 'alllowercase1', 'ALLUPPERCASE1', 'NoDigitsHere', `Aa1${'x'.repeat(126)}`]) {
          assertError(await call(base, 'POST', '/api/v1/users', { auth: ADMIN, body: { username: 'weak', password: bad } }), 400, 'BAD_REQUEST', `password ${bad.slice(0, 12)}`, 'password');
        }
        assert.equal((await call(base, 'GET', '/api/v1/users/weak', { auth: ADMIN })).status, 404);
        await createUser(base, 'pw-user');
        const me = basic('pw-user', PASSWORD);
        assertError(await call(base, 'PUT', '/api/v1/users/me/password', { auth: me, body: { oldPassword: 'Wrong-Passw0rd', newPassword: 'Another-Passw0rd' } }), 403, 'FORBIDDEN', 'wrong old password');
        assertError(await call(base, 'PUT', '/api/v1/users/me/password', { auth: me, body: { oldPassword: PASSWORD, newPassword: 'weak' } }), 400, 'BAD_REQUEST', 'weak new password', 'password');
        assertError(await call(base, 'PUT', '/api/v1/users/pw-user/password', { auth: ADMIN, body: { newPassword: 'weakweakweak' } }), 400, 'BAD_REQUEST', 'weak reset', 'password');
        must(await call(base, 'PUT', '/api/v1/users/me/password', { auth: me, body: { oldPassword: PASSWORD, newPassword: 'Another-Passw0rd' } }), 204, 'change');
        assert.equal((await call(base, 'GET', '/api/v1/users/me', { auth: me, headers: { 'x-forwarded-for': freshIp() } })).status, 401, 'the old password stops working');
        assert.equal((await call(base, 'GET', '/api/v1/users/me', { auth: basic('pw-user', 'Another-Passw0rd') })).status, 200);
      });

      test('the built-in admin cannot be deleted, demoted or disabled', async () => {
        assertError(await call(base, 'DELETE', '/api/v1/users/admin', { auth: ADMIN }), 412, 'PRECONDITION_FAILED', 'delete admin');
        assertError(await call(base, 'PUT', '/api/v1/users/admin', { auth: ADMIN, body: { admin: false } }), 412, 'PRECONDITION_FAILED', 'demote admin');
        assertError(await call(base, 'PUT', '/api/v1/users/admin', { auth: ADMIN, body: { disabled: true } }), 412, 'PRECONDITION_FAILED', 'disable admin');
        // Not even by another administrator.
        await createUser(base, 'second-admin', true);
        const other = basic('second-admin', PASSWORD);
        assertError(await call(base, 'DELETE', '/api/v1/users/admin', { auth: other }), 412, 'PRECONDITION_FAILED', 'delete admin (other admin)');
        assertError(await call(base, 'PUT', '/api/v1/users/admin', { auth: other, body: { admin: false } }), 412, 'PRECONDITION_FAILED', 'demote admin (other admin)');
        const me = (await call(base, 'GET', '/api/v1/users/admin', { auth: ADMIN })).body as { admin: boolean; disabled: boolean };
        assert.equal(me.admin, true);
        assert.equal(me.disabled, false);
        // Plain users may not touch accounts at all.
        await createUser(base, 'plain');
        assertError(await call(base, 'PUT', '/api/v1/users/plain', { auth: basic('plain', PASSWORD), body: { admin: true } }), 403, 'FORBIDDEN', 'self-promotion');
        assertError(await call(base, 'GET', '/api/v1/users', { auth: basic('plain', PASSWORD) }), 403, 'FORBIDDEN', 'list users');
      });

      test('personal API token: create → Bearer on /api/v1 and password on /v2 → revoke → 401', async () => {
        await createUser(base, 'pat-user');
        await createProject(base, 'pat-proj', false);
        await addMember(base, 'pat-proj', 'pat-user', 'guest');
        const created = must(await call(base, 'POST', '/api/v1/users/me/tokens', { auth: basic('pat-user', PASSWORD), body: { name: 'ci', expiresInDays: 30 } }), 201, 'create token');
        const { id, secret } = created.body as { id: string; secret: string };
        assert.match(secret, /^berth_pat_[0-9a-f]{32}_[A-Za-z0-9_-]{43}$/);
        const listed = (await call(base, 'GET', '/api/v1/users/me/tokens', { auth: basic('pat-user', PASSWORD) })).body as Record<string, unknown>[];
        assert.equal(listed.length, 1);
        assert.ok(!JSON.stringify(listed).includes(secret.slice(-20)), 'the secret is shown once');

        const me = await call(base, 'GET', '/api/v1/users/me', { auth: bearer(secret) });
        assert.equal(me.status, 200);
        assert.equal((me.body as { username: string }).username, 'pat-user');
        assert.equal((await call(base, 'GET', '/v2/pat-proj/app/tags/list', { auth: basic('pat-user', secret) })).status, 200, '/v2 with the token as password');
        const t = await fetchToken(base, ['repository:pat-proj/app:pull'], basic('pat-user', secret));
        assert.ok(t.token, 'token endpoint with the token as password');
        assert.equal((await call(base, 'GET', '/v2/pat-proj/app/tags/list', { auth: bearer(t.token) })).status, 200);
        // Someone else's name with this token is refused.
        assert.equal((await call(base, 'GET', '/api/v1/users/me', { auth: basic('admin', secret), headers: { 'x-forwarded-for': freshIp() } })).status, 401);

        must(await call(base, 'DELETE', `/api/v1/users/me/tokens/${id}`, { auth: bearer(secret) }), 204, 'revoke');
        assertError(await call(base, 'GET', '/api/v1/users/me', { auth: bearer(secret) }), 401, 'UNAUTHORIZED', 'revoked, Bearer');
        assertError(await call(base, 'GET', '/v2/pat-proj/app/tags/list', { auth: basic('pat-user', secret), headers: { 'x-forwarded-for': freshIp() } }), 401, 'UNAUTHORIZED', 'revoked, /v2');
        assert.equal((await fetchToken(base, [], basic('pat-user', secret), { 'x-forwarded-for': freshIp() })).res.status, 401, 'revoked, token endpoint');
        assert.deepEqual((await call(base, 'GET', '/api/v1/users/me/tokens', { auth: basic('pat-user', PASSWORD) })).body, []);
      });

      test('login throttling: the 6th wrong password is 429 with a retry message; the right one is refused during the lock', async () => {
        await createUser(base, 'throttled');
        await createUser(base, 'neighbour');
        const ip = freshIp();
        const from = (addr: string) => ({ 'x-forwarded-for': addr });
        for (let i = 1; i <= 5; i++) {
          assertError(await call(base, 'GET', '/api/v1/users/me', { auth: basic('throttled', `Wrong-Passw0rd${i}`), headers: from(ip) }), 401, 'UNAUTHORIZED', `wrong password ${i}`);
        }
        const sixth = await call(base, 'GET', '/api/v1/users/me', { auth: basic('throttled', 'Wrong-Passw0rd6'), headers: from(ip) });
        assertError(sixth, 429, 'TOO_MANY_REQUESTS', '6th attempt', /try again in \d+ s/);
        // The account is locked wherever the attempt comes from, on every door…
        assertError(await call(base, 'GET', '/api/v1/users/me', { auth: basic('throttled', PASSWORD), headers: from(freshIp()) }), 429, 'TOO_MANY_REQUESTS', 'right password, /api/v1', /try again in \d+ s/);
        assertError(await call(base, 'GET', '/v2/', { auth: basic('throttled', PASSWORD), headers: from(freshIp()) }), 429, 'TOOMANYREQUESTS', 'right password, /v2');
        assert.equal((await fetchToken(base, [], basic('throttled', PASSWORD), from(freshIp()))).res.status, 429, 'right password, token endpoint');
        // …and so is the address, for every account.
        assert.equal((await call(base, 'GET', '/api/v1/users/me', { auth: basic('neighbour', PASSWORD), headers: from(ip) })).status, 429, 'same address, other user');
        assert.equal((await call(base, 'GET', '/api/v1/users/me', { auth: basic('neighbour', PASSWORD), headers: from(freshIp()) })).status, 200, 'other address, other user');
        const throttled = await call(base, 'GET', `/api/v1/audit-logs?actor=throttled&outcome=failure&action=login`, { auth: ADMIN });
        assert.ok((throttled.body as { detail: string | null }[]).some((e) => e.detail === 'throttled'), 'the refusals are audited');
      });

      test('robot secret refresh: the old secret fails at once, the new one works', async () => {
        await createProject(base, 'sec-proj', false);
        const r = await createRobot(base, 'sec-proj', 'rotating', ['repository:pull']);
        const tags = (secret: string) => call(base, 'GET', '/v2/sec-proj/app/tags/list', { auth: basic(r.name, secret), headers: { 'x-forwarded-for': freshIp() } });
        assert.equal((await tags(r.secret)).status, 200);
        const refreshed = must(await call(base, 'PATCH', `/api/v1/robots/${encodeURIComponent(r.name)}/secret`, { auth: ADMIN, body: {} }), 200, 'refresh');
        const secret = (refreshed.body as { secret: string }).secret;
        assert.notEqual(secret, r.secret);
        assertError(await tags(r.secret), 401, 'UNAUTHORIZED', 'old secret, /v2');
        assert.equal((await fetchToken(base, [], basic(r.name, r.secret), { 'x-forwarded-for': freshIp() })).res.status, 401, 'old secret, token endpoint');
        assert.equal((await tags(secret)).status, 200, 'new secret');
        assertError(await call(base, 'PATCH', `/api/v1/robots/${encodeURIComponent(r.name)}/secret`, { auth: ADMIN, body: { secret: 'too-short' } }), 400, 'BAD_REQUEST', 'short chosen secret', 'secret');
        const chosen = 'A-chosen-robot-secret-0123';
        must(await call(base, 'PATCH', `/api/v1/robots/${encodeURIComponent(r.name)}/secret`, { auth: ADMIN, body: { secret: chosen } }), 200, 'chosen secret');
        assert.equal((await tags(chosen)).status, 200);
        assert.equal((await tags(secret)).status, 401);
        const shown = await call(base, 'GET', `/api/v1/robots/${encodeURIComponent(r.name)}`, { auth: ADMIN });
        assert.ok(!shown.text.includes(chosen), 'secrets are never shown again');
      });

      test('robot expiry notices: robot.expiring (7 days, 1 day) and robot.expired events', async () => {
        await createProject(base, 'exp-proj', false);
        const day = await createRobot(base, 'exp-proj', 'one-day', ['repository:pull'], { duration: 1 });
        const week = await createRobot(base, 'exp-proj', 'one-week', ['repository:pull'], { duration: 7 });
        const month = await createRobot(base, 'exp-proj', 'one-month', ['repository:pull'], { duration: 30 });
        // Not exposed by /api/v1: read from the domain event history through the server's bus.
        const events = async (robot: string) => (await berth.events.list({})).filter((e) => e.type.startsWith('robot.expir') && 'robot' in e.data && e.data.robot === robot) as Array<DomainEvent<'robot.expiring' | 'robot.expired'> & { data: { daysLeft?: number } }>;
        await eventually('robot.expiring events', async () => (await events(day.name)).length > 0 && (await events(week.name)).length > 0, 10_000);
        const [d] = await events(day.name);
        assert.equal(d!.type, 'robot.expiring');
        assert.equal(d!.data.daysLeft, 1);
        assert.equal(d!.data.project, 'exp-proj');
        const [w] = await events(week.name);
        assert.equal(w!.type, 'robot.expiring');
        assert.equal(w!.data.daysLeft, 7);
        assert.deepEqual(await events(month.name), []);
        // The API cannot move expiry into the past; the test moves it in the database.
        await berth.db.updateTable('robots').set({ expires_at: Date.now() - 1000 }).where('name', '=', day.name).execute();
        await eventually('robot.expired event', async () => (await events(day.name)).some((e) => e.type === 'robot.expired'), 10_000);
        await new Promise((r) => setTimeout(r, 1500));
        assert.equal((await events(day.name)).filter((e) => e.type === 'robot.expired').length, 1, 'recorded once');
        // Renewing clears the notice state: a later expiry is announced again.
        must(await call(base, 'PUT', `/api/v1/robots/${encodeURIComponent(day.name)}`, { auth: ADMIN, body: { duration: 1 } }), 200, 'renew');
        await eventually('a new robot.expiring after renewal', async () => (await events(day.name)).filter((e) => e.type === 'robot.expiring').length === 2, 10_000);
      });
    });

    describe('settings', () => {
      test('projectCreation=everyone lets a plain user create a project and become its projectAdmin', async () => {
        await createUser(base, 'creator');
        await createUser(base, 'helper');
        const me = basic('creator', PASSWORD);
        assertError(await call(base, 'POST', '/api/v1/projects', { auth: me, body: { name: 'mine' } }), 403, 'FORBIDDEN', 'adminOnly');
        assertError(await call(base, 'PUT', '/api/v1/settings', { auth: me, body: { projectCreation: 'everyone' } }), 403, 'FORBIDDEN', 'settings by a user');
        assertError(await call(base, 'GET', '/api/v1/settings', { auth: me }), 403, 'FORBIDDEN', 'read settings by a user');
        assert.deepEqual(must(await call(base, 'PUT', '/api/v1/settings', { auth: ADMIN, body: { projectCreation: 'everyone' } }), 200, 'set').body, { projectCreation: 'everyone' });
        try {
          const created = must(await call(base, 'POST', '/api/v1/projects', { auth: me, body: { name: 'mine' } }), 201, 'create as user');
          assert.equal((created.body as { createdBy: string }).createdBy, 'creator');
          const members = (await call(base, 'GET', '/api/v1/projects/mine/members', { auth: me })).body as { name: string; role: string }[];
          assert.deepEqual(members.map((m) => [m.name, m.role]), [['creator', 'projectAdmin']]);
          // projectAdmin in practice: push through the token flow, manage members and settings.
          const t = await fetchToken(base, ['repository:mine/app:pull,push'], me);
          assert.ok(t.token);
          assert.equal((await call(base, 'POST', '/v2/mine/app/blobs/uploads/', { auth: bearer(t.token) })).status, 202);
          must(await call(base, 'POST', '/api/v1/projects/mine/members', { auth: me, body: { name: 'helper', role: 'developer' } }), 201, 'add member');
          must(await call(base, 'PUT', '/api/v1/projects/mine', { auth: me, body: { public: true } }), 200, 'make public');
          // A robot is not a user: it may not create projects even then.
          const r = await createRobot(base, 'mine', 'bot', ['repository:pull']);
          assertError(await call(base, 'POST', '/api/v1/projects', { auth: basic(r.name, r.secret), body: { name: 'robots-own' } }), 403, 'FORBIDDEN', 'robot creates a project');
        } finally {
          must(await call(base, 'PUT', '/api/v1/settings', { auth: ADMIN, body: { projectCreation: 'adminOnly' } }), 200, 'reset');
        }
        assertError(await call(base, 'POST', '/api/v1/projects', { auth: me, body: { name: 'mine2' } }), 403, 'FORBIDDEN', 'adminOnly again');
      });
    });

    describe('OpenAPI document', () => {
      let doc: Record<string, unknown>;
      before(async () => {
        const res = await call(base, 'GET', '/api/v1/openapi.json');
        assert.equal(res.status, 200);
        assert.match(res.headers.get('content-type') ?? '', /application\/json/);
        doc = res.body as Record<string, unknown>;
      });

      test('is a structurally valid OpenAPI 3.1 document', () => {
        assert.match(String(doc.openapi), /^3\.1\.\d+$/);
        const info = doc.info as { title?: unknown; version?: unknown };
        assert.equal(typeof info.title, 'string');
        assert.equal(typeof info.version, 'string');
        const schemes = (doc.components as { securitySchemes?: Record<string, unknown> } | undefined)?.securitySchemes ?? {};
        const checkSecurity = (sec: unknown, at: string) => {
          assert.ok(Array.isArray(sec), `${at}: security is an array`);
          for (const req of sec as Record<string, unknown>[]) for (const name of Object.keys(req)) assert.ok(name in schemes, `${at}: unknown security scheme ${name}`);
        };
        if (doc.security !== undefined) checkSecurity(doc.security, 'root');
        const paths = doc.paths as Record<string, Record<string, unknown>>;
        assert.ok(Object.keys(paths).length > 0);
        const operationIds = new Set<string>();
        const problems: string[] = [];
        for (const [path, item] of Object.entries(paths)) {
          if (!path.startsWith('/')) problems.push(`${path}: does not start with /`);
          const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
          const ops = Object.entries(item).filter(([k]) => HTTP_METHODS.includes(k));
          if (ops.length === 0) problems.push(`${path}: no operations`);
          for (const [method, raw] of ops) {
            const op = raw as { operationId?: string; responses?: Record<string, { description?: unknown; $ref?: string }>; parameters?: { name: string; in: string; required?: boolean; schema?: unknown; content?: unknown }[]; requestBody?: { content?: Record<string, unknown> }; security?: unknown };
            const at = `${method.toUpperCase()} ${path}`;
            if (!op.responses || Object.keys(op.responses).length === 0) problems.push(`${at}: no responses`);
            for (const [code, r] of Object.entries(op.responses ?? {})) {
              if (!/^([1-5]\d\d|[1-5]XX|default)$/.test(code)) problems.push(`${at}: response key ${code}`);
              if (r.$ref === undefined && typeof r.description !== 'string') problems.push(`${at} ${code}: response without description`);
            }
            if (op.operationId !== undefined) {
              if (operationIds.has(op.operationId)) problems.push(`${at}: duplicate operationId ${op.operationId}`);
              operationIds.add(op.operationId);
            }
            const params = [...((item.parameters as typeof op.parameters) ?? []), ...(op.parameters ?? [])];
            const seen = new Set<string>();
            for (const p of params) {
              if (!['path', 'query', 'header', 'cookie'].includes(p.in)) problems.push(`${at}: parameter ${p.name} in ${p.in}`);
              if (seen.has(`${p.in}:${p.name}`)) problems.push(`${at}: parameter ${p.name} declared twice`);
              seen.add(`${p.in}:${p.name}`);
              if (p.schema === undefined && p.content === undefined) problems.push(`${at}: parameter ${p.name} without schema`);
              if (p.in === 'path' && p.required !== true) problems.push(`${at}: path parameter ${p.name} not required`);
              if (p.in === 'path' && !templated.includes(p.name)) problems.push(`${at}: path parameter ${p.name} is not in the path`);
            }
            for (const name of templated) if (!params.some((p) => p.in === 'path' && p.name === name)) problems.push(`${at}: {${name}} is not declared`);
            if (op.requestBody && (!op.requestBody.content || Object.keys(op.requestBody.content).length === 0)) problems.push(`${at}: requestBody without content`);
            if (op.security !== undefined) checkSecurity(op.security, at);
          }
        }
        const refs: { at: string; ref: string }[] = [];
        collectRefs(doc, '#', refs);
        for (const { at, ref } of refs) if (resolvePointer(doc, ref) === undefined) problems.push(`${at}: $ref ${ref} does not resolve`);
        assert.deepEqual(problems, []);
      });

      test('lists every /api/v1 route the server answers, and nothing else', () => {
        const served = servedRoutes(berth.app.printRoutes({ commonPrefix: false }));
        assert.ok(served.size > 20, `${served.size} routes found in the route tree`);
        const documented = new Set<string>();
        for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
          for (const method of Object.keys(item)) if (HTTP_METHODS.includes(method)) documented.add(`${method.toUpperCase()} ${path}`);
        }
        assert.deepEqual([...served].filter((r) => !documented.has(r)).sort(), [], 'served but not documented');
        assert.deepEqual([...documented].filter((r) => !served.has(r)).sort(), [], 'documented but not served');
        // The routes this suite relies on, by hand.
        for (const r of ['GET /api/v1/projects', 'DELETE /api/v1/projects/{project}', 'PATCH /api/v1/robots/{name}/secret', 'POST /api/v1/users/me/tokens', 'GET /api/v1/audit-logs', 'GET /api/v1/openapi.json']) {
          assert.ok(documented.has(r), r);
        }
      });
    });
  });
}
