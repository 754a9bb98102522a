import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProjectService } from '../access/projects.ts';
import { openDatabase } from '../platform/db/database.ts';
import { Sealer } from '../platform/secrets/sealer.ts';
import { DeliveryLog } from './delivery-log.ts';
import { WebhookPolicyStore } from './policies.ts';

async function setup(secretKey?: string) {
  const db = await openDatabase('sqlite::memory:');
  await new ProjectService(db).create({ name: 'team', createdBy: 'admin' });
  const sealer = await Sealer.open(db, secretKey);
  return { db, sealer, store: new WebhookPolicyStore(db, sealer, { allowPrivate: true }) };
}

test('secrets and auth headers are sealed at rest, kept across updates unless replaced, and open only for delivery', async () => {
  const { db, store } = await setup();
  const { policy, secret } = await store.create('team', { name: 'ci', eventTypes: ['PUSH_ARTIFACT'], targets: [{ type: 'http', address: 'http://127.0.0.1:9/a', authHeader: 'Bearer top-secret' }] }, 'admin');
  const row = await db.selectFrom('webhook_policies').selectAll().executeTakeFirstOrThrow();
  assert.equal(JSON.stringify(row).includes('top-secret'), false);
  assert.equal(JSON.stringify(row).includes(secret), false);
  assert.equal(policy.targets[0]!.authHeaderSet, true);

  // Same target without authHeader keeps it; a new target starts without one.
  const updated = await store.update('team', 'ci', { targets: [{ type: 'http', address: 'http://127.0.0.1:9/a' }, { type: 'slack', address: 'http://127.0.0.1:9/s' }] });
  assert.deepEqual(updated.targets.map((t) => t.authHeaderSet), [true, false]);
  const dt = await store.deliveryTarget(policy.id, updated.targets[0]!.id);
  assert.equal(dt?.authHeader, 'Bearer top-secret');
  assert.equal(dt?.secret, secret);
  await store.update('team', 'ci', { targets: [{ type: 'http', address: 'http://127.0.0.1:9/a', authHeader: null }] });
  assert.equal((await store.deliveryTarget(policy.id, updated.targets[0]!.id))?.authHeader, undefined);

  const rotated = await store.rotateSecret('team', 'ci');
  assert.equal((await store.deliveryTarget(policy.id, updated.targets[0]!.id))?.secret, rotated);
  await db.destroy();
});

test('a configured secretKey seals; another key cannot open', async () => {
  const { db, store } = await setup('first-key-of-16-chars');
  const { policy } = await store.create('team', { name: 'ci', eventTypes: ['PUSH_ARTIFACT'], targets: [{ type: 'http', address: 'http://127.0.0.1:9/a' }] }, 'admin');
  const other = new WebhookPolicyStore(db, await Sealer.open(db, 'second-key-of-16-chars'), { allowPrivate: true });
  await assert.rejects(other.deliveryTarget(policy.id, policy.targets[0]!.id), /was secretKey changed/);
  await db.destroy();
});

test('matching: enabled policies, event types, applications by name or *; validation messages', async () => {
  const { db, store } = await setup();
  await store.create('team', { name: 'all', eventTypes: ['APPLICATION_SYNCED', 'PUSH_ARTIFACT'], targets: [{ type: 'http', address: 'http://127.0.0.1:9/all' }] }, 'admin');
  await store.create('team', { name: 'web', eventTypes: ['APPLICATION_SYNCED'], applications: ['web'], targets: [{ type: 'http', address: 'http://127.0.0.1:9/web' }] }, 'admin');
  await store.create('team', { name: 'off', eventTypes: ['APPLICATION_SYNCED'], enabled: false, targets: [{ type: 'http', address: 'http://127.0.0.1:9/off' }] }, 'admin');
  const names = async (type: 'APPLICATION_SYNCED' | 'PUSH_ARTIFACT', app?: string) => {
    const ids = (await store.matching('team', type, app)).map((m) => m.policyId);
    return (await store.list('team')).filter((p) => ids.includes(p.id)).map((p) => p.name);
  };
  assert.deepEqual(await names('APPLICATION_SYNCED', 'web'), ['all', 'web']);
  assert.deepEqual(await names('APPLICATION_SYNCED', 'api'), ['all']);
  assert.deepEqual(await names('PUSH_ARTIFACT'), ['all']);
  assert.deepEqual(await store.matching('other', 'PUSH_ARTIFACT'), []);

  const bad = { type: 'http' as const, address: 'http://127.0.0.1:9/x' };
  await assert.rejects(store.create('team', { name: 'x', eventTypes: ['TAG_PUSHED'], targets: [bad] }, 'admin'), /eventTypes: unknown "TAG_PUSHED"/);
  await assert.rejects(store.create('team', { name: 'bad name', eventTypes: ['PUSH_ARTIFACT'], targets: [bad] }, 'admin'), /name:/);
  await assert.rejects(store.create('team', { name: 'x', eventTypes: ['PUSH_ARTIFACT'], targets: [bad, bad] }, 'admin'), /listed twice/);
  await assert.rejects(store.create('team', { name: 'x', eventTypes: ['PUSH_ARTIFACT'], targets: [{ ...bad, authHeader: 'a\r\nX-Injected: 1' }] }, 'admin'), /one line/);
  await assert.rejects(store.create('team', { name: 'all', eventTypes: ['PUSH_ARTIFACT'], targets: [bad] }, 'admin'), /already exists/);
  assert.ok(await store.create('team', { name: 'quota', eventTypes: ['QUOTA_EXCEED'], targets: [bad] }, 'admin'), 'reserved types are accepted');
  await db.destroy();
});

test('the delivery log keeps the last N per policy', async () => {
  const { db, store } = await setup();
  const { policy } = await store.create('team', { name: 'ci', eventTypes: ['PUSH_ARTIFACT'], targets: [{ type: 'http', address: 'http://127.0.0.1:9/a' }] }, 'admin');
  const log = new DeliveryLog(db, 3);
  for (let i = 1; i <= 5; i++) await log.record({ policyId: policy.id, eventId: `e${i}`, eventType: 'PUSH_ARTIFACT', target: 'http://127.0.0.1:9/a', attempt: 1, statusCode: 200, latencyMs: i, responseBody: '', error: null });
  assert.deepEqual((await log.list(policy.id, 10)).map((d) => d.eventId), ['e5', 'e4', 'e3']);
  await store.delete('team', 'ci');
  assert.deepEqual(await log.list(policy.id, 10), []);
  await db.destroy();
});
