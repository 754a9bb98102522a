/**
 * Durable operations on SQLite and PostgreSQL: one active operation per
 * application, one automated sync per dedupe key, claims that only one
 * process wins (also when taking over a dead process's operation), and an
 * end written once with its audit record.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { testDatabases } from '../../../test/support/databases.ts';
import type { AuditEvent, AuditRecorder } from '../../audit/types.ts';
import { openDatabase } from '../../platform/db/database.ts';
import type { Db } from '../../platform/db/schema.ts';
import type { OperationState } from '../types.ts';
import { OperationStore, SYSTEM, type OperationInput } from './operations.ts';

const who = { actor: { kind: 'user' as const, name: 'alice' }, sourceIp: '10.0.0.1' };
const input = (app: string, extra: Partial<OperationInput> = {}): OperationInput => ({ app, project: 'team', kind: 'sync', trigger: 'manual', request: {}, revision: 'main', who, ...extra });
const ended = (phase: OperationState['phase'], revision = 'a'.repeat(40)): OperationState => ({ phase, message: phase === 'Succeeded' ? 'successfully synced' : 'apply failed', trigger: 'manual', actor: 'alice', revision, startedAt: 1, finishedAt: 2, retryCount: 0, dryRun: false, resources: [] });

for (const kind of await testDatabases()) {
  describe(`application operations on ${kind.name}`, { skip: kind.skip }, () => {
    let dir: string;
    let db: Db;
    const audited: AuditEvent[] = [];
    const audit: AuditRecorder = { record: (e) => audited.push(e), recordIn: async (_trx, e) => { audited.push(e); } };
    let ops: OperationStore;

    before(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'berth-ops-'));
      db = await openDatabase(await kind.createUrl(dir));
      ops = new OperationStore(db, audit);
    });
    after(async () => {
      await db?.destroy();
      await rm(dir, { recursive: true, force: true });
    });

    test('one active operation per application; another app is independent', async () => {
      const first = await ops.accept(input('web'));
      assert.equal(first?.state, 'Pending');
      await assert.rejects(ops.accept(input('web', { trigger: 'rollback', kind: 'rollback' })), /already in progress for web/);
      assert.ok(await ops.accept(input('api')));
      assert.deepEqual((await ops.active()).map((o) => o.app).sort(), ['api', 'web']);
    });

    test('a claim is won once; a running operation is taken over only from the owner named', async () => {
      const [op] = (await ops.active()).filter((o) => o.app === 'web');
      const claims = await Promise.all([ops.claim(op!.id, 'p1', undefined, 'started'), ops.claim(op!.id, 'p2', undefined, 'started')]);
      assert.deepEqual(claims.filter(Boolean).length, 1);
      const winner = claims[0] ? 'p1' : 'p2';
      assert.equal(await ops.claim(op!.id, 'p3', 'someone-else', 'resumed'), false);
      assert.equal(await ops.claim(op!.id, 'p3', winner, 'resumed'), true);
      const now = await ops.get(op!.id);
      assert.equal(now?.owner, 'p3');
      assert.equal(now?.attempts, 2);
      assert.equal(await ops.finish(op!, winner, ended('Succeeded')), false, 'the old owner cannot end it');
      assert.equal(await ops.finish(op!, 'p3', ended('Failed')), true);
      const done = await ops.get(op!.id);
      assert.equal(done?.state, 'Failed');
      assert.equal(done?.result?.message, 'apply failed');
      const record = audited.at(-1)!;
      assert.equal(record.action, 'sync');
      assert.equal(record.outcome, 'failure');
      assert.equal(record.actor.name, 'alice');
      assert.equal(record.resource, 'team/web');
      assert.match(record.detail ?? '', /manual sync of main \(commit aaaaaaaaaaaa\)/);
      assert.ok(await ops.accept(input('web')), 'a new operation may start once it ended');
      const handed = (await ops.active()).find((o) => o.app === 'web')!;
      assert.ok(await ops.claim(handed.id, 'p4', undefined, 'started'));
      assert.equal(await ops.release(handed.id, 'p5'), false, 'only its runner hands it back');
      assert.ok(await ops.release(handed.id, 'p4'));
      assert.equal((await ops.get(handed.id))?.state, 'Pending');
      assert.ok(await ops.claim(handed.id, 'p5', undefined, 'started'), 'the new holder claims it as pending');
    });

    test('one automated sync per dedupe key, even after it ended', async () => {
      const key = `${'b'.repeat(40)}:0123456789abcdef`;
      const auto = await ops.accept(input('auto', { trigger: 'automated', who: SYSTEM, dedupeKey: key }));
      assert.ok(auto);
      assert.ok(await ops.claim(auto.id, 'p1', undefined, 'started'));
      assert.ok(await ops.finish(auto, 'p1', ended('Succeeded')));
      assert.equal(await ops.accept(input('auto', { trigger: 'automated', who: SYSTEM, dedupeKey: key })), undefined);
      assert.deepEqual(await ops.lastAutomated('auto'), { key, state: 'Succeeded' });
      assert.equal(audited.at(-1)?.actor.kind, 'system');
      assert.ok(await ops.accept(input('auto', { trigger: 'automated', who: SYSTEM, dedupeKey: `${'c'.repeat(40)}:0123456789abcdef` })), 'a new commit is a new key');
      assert.equal((await ops.list('auto')).length, 2);
    });
  });
}
