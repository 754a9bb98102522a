/**
 * Domain events on SQLite and PostgreSQL: a publish commits or rolls back
 * with its transaction (event row and subscriber jobs alike), durable
 * subscribers run as jobs, in-process listeners hear committed events only
 * (in another process too, on PostgreSQL), and an unwanted pull writes
 * nothing.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { testDatabases } from '../../../test/support/databases.ts';
import { openDatabase } from '../db/database.ts';
import type { Db } from '../db/schema.ts';
import { Jobs } from '../jobs/platform.ts';
import { DomainEvents } from './bus.ts';
import type { DomainEvent } from './types.ts';

const silent = pino({ level: 'silent' });

async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

const pushed = (tag: string) => ({ type: 'artifact.pushed' as const, actor: 'alice', data: { project: 'team', repository: 'team/app', digest: `sha256:${'a'.repeat(64)}`, mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 10, tag } });

for (const kind of await testDatabases()) {
  describe(`domain events on ${kind.name}`, { skip: kind.skip }, () => {
    let dir: string;
    let url: string;
    let db: Db;
    let other: Db;
    const stops: Array<() => Promise<void>> = [];

    const startProcess = async (database: Db, setup: (bus: DomainEvents) => void) => {
      const jobs = new Jobs(database, { log: silent, pollIntervalMs: 100, leaseMs: 2000, stopGraceMs: 100, ...(kind.name === 'postgres' ? { listenUrl: url } : {}) });
      const bus = new DomainEvents(database, jobs, { log: silent });
      setup(bus);
      await bus.start();
      await jobs.start();
      stops.push(() => jobs.stop());
      return { jobs, bus };
    };

    before(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'berth-events-'));
      url = await kind.createUrl(dir);
      db = await openDatabase(url);
      other = kind.name === 'postgres' ? await openDatabase(url) : db;
    });
    after(async () => {
      for (const stop of stops) await stop();
      await db.destroy();
      if (other !== db) await other.destroy();
      await rm(dir, { recursive: true, force: true });
    });

    test('subscribers and listeners get committed events once; a rolled-back publish leaves nothing', async () => {
      const delivered: DomainEvent<'artifact.pushed'>[] = [];
      const heardHere: string[] = [];
      const heardThere: string[] = [];
      const a = await startProcess(db, (bus) => {
        bus.subscribe('test-webhooks', ['artifact.pushed'], (event) => {
          delivered.push(event);
          return Promise.resolve();
        });
        bus.on(['artifact.pushed'], (e) => heardHere.push((e).data.tag ?? ''));
      });
      // The second process (PostgreSQL) registers the same subscriber, as every process does.
      if (other !== db) {
        await startProcess(other, (bus) => {
          bus.subscribe('test-webhooks', ['artifact.pushed'], (event) => {
            delivered.push(event);
            return Promise.resolve();
          });
          bus.on(['artifact.pushed'], (e) => heardThere.push((e).data.tag ?? ''));
        });
      }
      await assert.rejects(
        db.transaction().execute(async (trx) => {
          await a.bus.publish(trx, pushed('rolled-back'));
          throw new Error('the push failed');
        }),
        /the push failed/,
      );
      await db.transaction().execute((trx) => a.bus.publish(trx, pushed('v1')));
      await waitFor('delivery', () => delivered.length === 1 && heardHere.length === 1 && (other === db || heardThere.length === 1));
      await sleep(300);
      assert.equal(delivered.length, 1, 'one job per subscriber, run once');
      assert.equal(delivered[0]!.data.tag, 'v1');
      assert.equal(delivered[0]!.actor, 'alice');
      assert.deepEqual(heardHere, ['v1']);
      if (other !== db) assert.deepEqual(heardThere, ['v1'], 'the other process heard it through NOTIFY');
      const history = await a.bus.list({ type: 'artifact.pushed' });
      assert.deepEqual(history.map((e) => (e as DomainEvent<'artifact.pushed'>).data.tag), ['v1']);
      const jobs = await a.jobs.queue.list({ kind: 'event:test-webhooks' }, { page: 1, pageSize: 10 });
      assert.equal(jobs.total, 1);
      assert.equal(jobs.items[0]!.state, 'succeeded');
    });

    test('a pull nobody subscribes to writes nothing; other events are kept as history', async () => {
      const { bus } = await startProcess(db, () => {});
      const before = await db.selectFrom('domain_events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      await bus.publish(db, { type: 'artifact.pulled', actor: 'bob', data: { project: 'team', repository: 'team/app', digest: `sha256:${'b'.repeat(64)}` } });
      const afterPull = await db.selectFrom('domain_events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      assert.equal(Number(afterPull.n), Number(before.n));
      await bus.publish(db, { type: 'project.created', actor: 'admin', data: { project: 'team' } });
      assert.equal((await bus.list({ type: 'project.created' }))[0]?.actor, 'admin');
    });
  });
}
