/**
 * Login throttling on SQLite and PostgreSQL: per account and address, per
 * account, per address (with known pairs exempt), exponential backoff,
 * window expiry, and state shared by two throttles on one database (two
 * processes).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { testDatabases } from '../../test/support/databases.ts';
import { openDatabase } from '../platform/db/database.ts';
import type { Db } from '../platform/db/schema.ts';
import { LoginThrottle, type ThrottleOptions } from './throttle.ts';

const OPTIONS: ThrottleOptions = { failuresPerAccountAndAddress: 3, failuresPerAccount: 8, failuresPerAddress: 20, windowMs: 60_000, baseLockMs: 1000, maxLockMs: 8000 };

for (const kind of await testDatabases()) {
  describe(`login throttle on ${kind.name}`, { skip: kind.skip }, () => {
    let dir: string;
    const dbs: Db[] = [];
    const fresh = async (options: Partial<ThrottleOptions> = {}) => {
      const db = await openDatabase(await kind.createUrl(await mkdtemp(path.join(dir, 'db-'))));
      dbs.push(db);
      return { db, throttle: new LoginThrottle(db, { ...OPTIONS, ...options }) };
    };
    const wait = async (t: LoginThrottle, account: string, ip: string, now: number) => (await t.check(account, ip, now)).waitMs;

    before(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'berth-throttle-'));
    });
    after(async () => {
      for (const db of dbs) await db.destroy();
      await rm(dir, { recursive: true, force: true });
    });

    test('one account from one address backs off exponentially; nobody else is affected', async () => {
      const { throttle: t } = await fresh();
      const now = 1_000_000;
      for (let i = 0; i < 2; i++) await t.failure('admin', '10.0.0.1', now);
      assert.equal(await wait(t, 'admin', '10.0.0.1', now), 0, 'two failures are allowed');
      await t.failure('admin', '10.0.0.1', now);
      assert.equal(await wait(t, 'admin', '10.0.0.1', now), 1000, 'the third locks the pair');
      assert.equal((await t.check('admin', '10.0.0.1', now)).limit, 'account and address');
      await t.failure('admin', '10.0.0.1', now);
      assert.equal(await wait(t, 'admin', '10.0.0.1', now), 2000, 'the lock doubles');
      for (let i = 0; i < 3; i++) await t.failure('admin', '10.0.0.1', now);
      assert.equal(await wait(t, 'admin', '10.0.0.1', now), 8000, 'up to the maximum');
      assert.equal(await wait(t, 'alice', '10.0.0.1', now), 0, 'another account from the same address is not throttled');
      assert.equal(await wait(t, 'admin', '10.0.0.2', now), 0, 'the account from another address is not (below the account limit)');
      assert.equal(await wait(t, 'admin', '10.0.0.1', now + 8001), 0, 'and the lock ends');
    });

    test('guesses at one account from many addresses lock the account everywhere', async () => {
      const { throttle: t } = await fresh();
      const now = 2_000_000;
      for (let i = 0; i < 8; i++) await t.failure('bob', `192.0.2.${i}`, now);
      assert.equal(await wait(t, 'bob', '198.51.100.1', now), 1000, 'a fresh address is refused too');
      assert.equal((await t.check('bob', '198.51.100.1', now)).limit, 'account');
      assert.equal(await wait(t, 'carol', '192.0.2.1', now), 0);
    });

    test('an address spraying accounts is limited, except for accounts that signed in from it', async () => {
      const { throttle: t } = await fresh();
      const now = 3_000_000;
      const alice = await t.check('alice', '203.0.113.9', now);
      await t.success('alice', '203.0.113.9', alice, now);
      for (let i = 0; i < 20; i++) await t.failure(`user${i}`, '203.0.113.9', now);
      assert.ok((await wait(t, 'nobody', '203.0.113.9', now)) > 0, 'an unknown account from the address is refused');
      assert.equal((await t.check('nobody', '203.0.113.9', now)).limit, 'address');
      assert.equal(await wait(t, 'alice', '203.0.113.9', now), 0, 'a known account from the address is not');
      assert.equal(await wait(t, 'nobody', '203.0.113.10', now), 0, 'nor anyone from elsewhere');
    });

    test('a success clears the failures; a clean success writes nothing; old failures leave the window', async () => {
      const { db, throttle: t } = await fresh();
      const now = 4_000_000;
      for (let i = 0; i < 2; i++) await t.failure('eve', '10.1.1.1', now);
      await t.success('eve', '10.1.1.1', await t.check('eve', '10.1.1.1', now), now);
      await t.failure('eve', '10.1.1.1', now);
      await t.failure('eve', '10.1.1.1', now);
      assert.equal(await wait(t, 'eve', '10.1.1.1', now), 0, 'the count restarted after the success');
      await t.success('eve', '10.1.1.1', await t.check('eve', '10.1.1.1', now), now);
      const clean = await t.check('eve', '10.1.1.1', now + 5000);
      assert.equal(clean.clean, true);
      const before = await db.selectFrom('login_throttle').selectAll().orderBy('key').execute();
      await t.success('eve', '10.1.1.1', clean, now + 5000);
      assert.deepEqual(await db.selectFrom('login_throttle').selectAll().orderBy('key').execute(), before, 'nothing written');

      for (let i = 0; i < 2; i++) await t.failure('frank', '10.1.1.2', now);
      await t.failure('frank', '10.1.1.2', now + 61_000);
      assert.equal(await wait(t, 'frank', '10.1.1.2', now + 61_000), 0, 'a failure after the window starts a new count');
      assert.ok((await t.purge(now + 10 * 60_000)) > 0, 'stale records are purged');
    });

    test('two processes on one database share failures and locks', async () => {
      const { db, throttle: a } = await fresh();
      const b = new LoginThrottle(db, OPTIONS);
      const now = 5_000_000;
      await a.failure('admin', '10.2.2.2', now);
      await b.failure('admin', '10.2.2.2', now);
      await Promise.all([a.failure('admin', '10.2.2.2', now), b.failure('admin', '10.2.2.2', now)]);
      assert.equal(await wait(b, 'admin', '10.2.2.2', now), 2000, 'four failures counted, whichever process saw them');
      assert.equal(await wait(a, 'admin', '10.2.2.2', now), 2000);
    });
  });
}
