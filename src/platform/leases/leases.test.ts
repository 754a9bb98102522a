/**
 * Leases on SQLite and PostgreSQL: one holder at a time, expiry makes a
 * lease takeable, fencing tokens grow on each change of hands, renewal and
 * release only by the holder, and concurrent acquisition has one winner.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { testDatabases } from '../../../test/support/databases.ts';
import { openDatabase } from '../db/database.ts';
import type { Db } from '../db/schema.ts';
import { LeaseManager, instanceId } from './leases.ts';

for (const kind of await testDatabases()) {
  describe(`leases on ${kind.name}`, { skip: kind.skip }, () => {
    let dir: string;
    let db: Db;
    let clock = 1_000_000;
    const now = () => clock;

    before(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'berth-leases-'));
      db = await openDatabase(await kind.createUrl(dir));
    });
    after(async () => {
      await db?.destroy();
      await rm(dir, { recursive: true, force: true });
    });

    test('one holder until expiry; then another takes it with a higher fencing token', async () => {
      const a = new LeaseManager(db, 'a', { now });
      const b = new LeaseManager(db, 'b', { now });
      const first = await a.acquire('app:one', 10_000);
      assert.equal(first?.token, 1);
      assert.equal(await b.acquire('app:one', 10_000), undefined, 'held by a');
      assert.equal((await b.holder('app:one'))?.owner, 'a');
      const again = await a.acquire('app:one', 10_000);
      assert.equal(again?.token, 1, 'the holder re-acquiring keeps its token');
      clock += 10_001;
      assert.equal(await b.holder('app:one'), undefined, 'expired');
      const taken = await b.acquire('app:one', 10_000);
      assert.equal(taken?.token, 2);
      assert.equal(await a.renew('app:one', 10_000), false, 'a lost it');
      assert.equal(await b.renew('app:one', 10_000, 1), false, 'a stale token is refused');
      assert.equal(await b.renew('app:one', 10_000, 2), true);
    });

    test('release frees the lease at once and keeps the token growing', async () => {
      const a = new LeaseManager(db, 'a', { now });
      const b = new LeaseManager(db, 'b', { now });
      assert.ok(await a.acquire('singleton', 60_000));
      assert.equal(await b.release('singleton'), false, 'only the holder releases');
      assert.equal(await a.release('singleton'), true);
      const t = await b.acquire('singleton', 60_000);
      assert.equal(t?.token, 2);
    });

    test('renewAll extends every lease of a prefix; held and live list them', async () => {
      const a = new LeaseManager(db, 'renewer', { now });
      const b = new LeaseManager(db, 'other', { now });
      for (const n of ['x:1', 'x:2', 'x:3']) assert.ok(await a.acquire(n, 1_000));
      assert.ok(await b.acquire('x:4', 1_000));
      clock += 900;
      assert.deepEqual((await a.renewAll('x:', 1_000)).sort(), ['x:1', 'x:2', 'x:3']);
      clock += 900;
      assert.deepEqual((await a.held('x:')).sort(), ['x:1', 'x:2', 'x:3'], 'renewed ones are still held');
      assert.deepEqual((await a.live('x:')).map((l) => l.name), ['x:1', 'x:2', 'x:3'], 'x:4 expired');
      assert.equal(await a.releaseAll('x:'), 3);
      assert.deepEqual(await a.held('x:'), []);
      assert.deepEqual(await a.renewAll('x:', 1_000), [], 'released leases are not renewed back');
      assert.equal(await a.renew('x:1', 1_000), false);
    });

    test('concurrent acquisition by ten owners: exactly one wins', async () => {
      const owners = Array.from({ length: 10 }, () => new LeaseManager(db, instanceId(), { now }));
      const results = await Promise.all(owners.map((o) => o.acquire('race', 5_000)));
      assert.equal(results.filter(Boolean).length, 1);
      const first = owners[results.findIndex(Boolean)]!;
      clock += 5_001;
      const again = await Promise.all(owners.map((o) => o.acquire('race', 5_000)));
      const winners = again.filter(Boolean);
      assert.equal(winners.length, 1);
      const second = owners[again.findIndex(Boolean)]!;
      assert.equal(winners[0]?.token, second === first ? 1 : 2, 'the token grows only when the lease changes hands');
    });

    test('bad names and times are refused before any SQL', async () => {
      const a = new LeaseManager(db, 'a', { now });
      await assert.rejects(a.acquire("x'; drop table leases", 1_000), /invalid lease name/);
      await assert.rejects(a.acquire('ok', 0), /time to live/);
      await assert.rejects(a.renewAll('a%', 1_000), /invalid lease name|must not contain/);
    });
  });
}
