/**
 * One error vocabulary on /api/v1, against a real Berth per database: every
 * refused request is audited once (who, what, status, why) whatever domain
 * refused it — access, delivery, input validation, a body the framework
 * could not parse — and an unexpected failure answers 500 in the API's own
 * error shape while /v2 keeps the OCI error body.
 *
 * Berth trusts X-Forwarded-For here, so each request comes from an address
 * of its own and its audit records are found by that address.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestBerth, type TestBerth } from '../support/berth.ts';
import { testDatabases } from '../support/databases.ts';
import { ADMIN, PASSWORD, createUser, must } from '../support/matrix-fixture.ts';
import { auditEntries, basic, call, eventually, firstError, freshIp, type AuditEntry, type CallOptions, type Res } from '../support/matrix-http.ts';

for (const database of await testDatabases()) {
  describe(`/api/v1 errors on ${database.name}`, { skip: database.skip }, () => {
    let berth: TestBerth;
    let base: string;

    before(async () => {
      berth = await startTestBerth({ ...(await database.env()), BERTH_TRUST_PROXY: 'true', BERTH_AUDIT_FLUSH_INTERVAL_MS: '50' });
      base = berth.url;
      await createUser(base, 'err-plain');
      must(await call(base, 'POST', '/api/v1/projects', { auth: ADMIN, body: { name: 'err-team', public: false } }), 201, 'project err-team');
    });
    after(() => berth?.stop());

    /** Sends one request from an address of its own; answers the response and that address's failure records once written. */
    async function refused(method: string, path: string, options: CallOptions, status: number, code: string): Promise<{ res: Res; records: AuditEntry[] }> {
      const ip = freshIp();
      const res = await call(base, method, path, { ...options, headers: { ...options.headers, 'x-forwarded-for': ip } });
      assert.equal(res.status, status, `${method} ${path}: ${res.text.slice(0, 300)}`);
      assert.equal(firstError(res)?.code, code, `${method} ${path}: error code`);
      let records: AuditEntry[] = [];
      await eventually(`the refusal of ${method} ${path} is audited`, async () => {
        records = (await auditEntries(base, ADMIN, { outcome: 'failure' })).filter((e) => e.sourceIp === ip);
        return records.length > 0;
      });
      return { res, records };
    }

    test('a refusal by the access domain is audited once, naming caller, action, resource, status and reason', async () => {
      const { records } = await refused('DELETE', '/api/v1/users/admin', { auth: basic('err-plain', PASSWORD) }, 403, 'FORBIDDEN');
      assert.equal(records.length, 1, JSON.stringify(records));
      const [r] = records;
      assert.deepEqual(r!.actor, { kind: 'user', name: 'err-plain' });
      assert.equal(r!.action, 'delete');
      assert.equal(r!.resource, '/users/admin');
      assert.match(r!.detail ?? '', /^FORBIDDEN \(403\): /);
    });

    test('a refusal by the delivery domain is audited once', async () => {
      const { records } = await refused('GET', '/api/v1/applications/no-such-app', { auth: ADMIN }, 404, 'NOT_FOUND');
      assert.equal(records.length, 1, JSON.stringify(records));
      assert.deepEqual(records[0]!.actor, { kind: 'user', name: 'admin' });
      assert.equal(records[0]!.resourceType, 'applications');
      assert.equal(records[0]!.action, 'get');
      assert.match(records[0]!.detail ?? '', /^NOT_FOUND \(404\): application no-such-app/);
    });

    test('a refused Git repository URL (the delivery side\'s validation) is audited', async () => {
      const { records } = await refused('POST', '/api/v1/git-repositories', { auth: ADMIN, body: { url: 'ext::sh' } }, 400, 'BAD_REQUEST');
      assert.equal(records.length, 1, JSON.stringify(records));
      assert.equal(records[0]!.resourceType, 'git-repositories');
      assert.match(records[0]!.detail ?? '', /^BAD_REQUEST \(400\): .*transport helpers/);
    });

    test('a body the framework refuses before any handler runs is answered in the API shape and audited', async () => {
      const { records } = await refused('POST', '/api/v1/applications', { auth: ADMIN, raw: '{"metadata": ', headers: { 'content-type': 'application/json' } }, 400, 'BAD_REQUEST');
      assert.equal(records.length, 1, JSON.stringify(records));
      assert.equal(records[0]!.resourceType, 'applications', 'named by the route even though its handler never ran');
      assert.equal(records[0]!.action, 'post');
    });

    test('a request that succeeds writes no failure record', async () => {
      const ip = freshIp();
      must(await call(base, 'GET', '/api/v1/projects/err-team', { auth: ADMIN, headers: { 'x-forwarded-for': ip } }), 200, 'get project');
      // A refusal sent after it, from another address, is written with or after it: once that one is visible, this one would be too.
      await refused('GET', '/api/v1/projects/err-missing', { auth: ADMIN }, 404, 'NOT_FOUND');
      const records = (await auditEntries(base, ADMIN, { outcome: 'failure' })).filter((e) => e.sourceIp === ip);
      assert.deepEqual(records, []);
    });
  });
}

describe('an unexpected failure', () => {
  let berth: TestBerth;

  before(async () => {
    // The request failures it logs are expected here.
    berth = await startTestBerth({ BERTH_ANONYMOUS_PULL: 'true', BERTH_LOG_LEVEL: 'fatal' });
    // A real failure nothing anticipates: the metadata database goes away under the server.
    await berth.db.destroy();
  });
  after(async () => {
    await berth?.stop().catch(() => undefined);
  });

  test('answers 500 in the API error shape on /api/v1, never an OCI body', async () => {
    const res = await call(berth.url, 'GET', '/api/v1/projects');
    assert.equal(res.status, 500, res.text);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(res.body, { errors: [{ code: 'INTERNAL_SERVER_ERROR', message: 'internal server error' }] });
  });

  test('keeps the OCI error body on /v2', async () => {
    const res = await call(berth.url, 'GET', '/v2/_catalog');
    assert.equal(res.status, 500, res.text);
    assert.equal(firstError(res)?.code, 'UNKNOWN');
  });
});
