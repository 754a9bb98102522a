/**
 * Management changes are audited in the same transaction as the change: a
 * kill -9 right after the API answers loses neither; a refused change is
 * audited as a failure; settings records name keys, never values.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { basicAuth } from '../support/berth.ts';
import { spawnBerth, type BerthProcess } from '../support/berth-process.ts';

let dataDir: string | undefined;
let server: BerthProcess | undefined;
after(async () => {
  await server?.kill();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const json = (method: string, body?: unknown) => ({
  method,
  headers: { authorization: basicAuth(), 'content-type': 'application/json' },
  ...(body === undefined ? {} : { body: JSON.stringify(body) }),
});

test('records of acknowledged changes survive kill -9; refusals are recorded', async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'berth-audit-mgmt-'));
  // A long flush interval: only the transactional write can save these records.
  server = await spawnBerth(dataDir, { BERTH_AUDIT_FLUSH_INTERVAL_MS: '60000' });
  const u = server.url;
  assert.equal((await fetch(`${u}/api/v1/projects`, json('POST', { name: 'audited', public: false }))).status, 201);
  assert.equal((await fetch(`${u}/api/v1/users`, json('POST', { username: 'carol', password: 'Secret123abc' }))).status, 201);
  assert.equal((await fetch(`${u}/api/v1/projects/audited/members`, json('POST', { kind: 'user', name: 'carol', role: 'developer' }))).status, 201);
  assert.equal((await fetch(`${u}/api/v1/settings`, json('PUT', { projectCreation: 'everyone' }))).status, 200);
  const refused = await fetch(`${u}/api/v1/projects`, { method: 'POST', headers: { authorization: basicAuth('carol', 'Secret123abc'), 'content-type': 'application/json' }, body: JSON.stringify({ name: 'audited' }) });
  assert.equal(refused.status, 409);
  await server.kill('SIGKILL');

  server = await spawnBerth(dataDir);
  const res = await fetch(`${server.url}/api/v1/audit-logs?page_size=100&sort=time`, json('GET'));
  const entries = (await res.json()) as { actor: { name: string }; resourceType: string; resource: string; action: string; outcome: string; detail: string | null }[];
  const seen = entries.map((e) => `${e.outcome} ${e.resourceType} ${e.action} ${e.resource}`);
  for (const expected of ['success project create audited', 'success user create carol', 'success member create audited/user:carol', 'success config update settings']) {
    assert.ok(seen.includes(expected), `missing "${expected}" in:\n${seen.join('\n')}`);
  }
  const settings = entries.find((e) => e.resourceType === 'config');
  assert.equal(settings?.detail, 'projectCreation', 'keys only, never values');

  // A refused change is recorded as a failure, with the reason.
  const denied = await fetch(`${server.url}/api/v1/projects/audited`, { method: 'DELETE', headers: { authorization: basicAuth('carol', 'Secret123abc') } });
  assert.equal(denied.status, 403);
  const failures = (await (await fetch(`${server.url}/api/v1/audit-logs?outcome=failure&actor=carol`, json('GET'))).json()) as { action: string; resource: string; detail: string }[];
  assert.ok(
    failures.some((f) => f.action === 'delete' && f.resource === '/projects/audited' && f.detail.startsWith('FORBIDDEN')),
    JSON.stringify(failures),
  );
});
