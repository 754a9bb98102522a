/**
 * Connection states of clusters and Git repositories (both databases): what
 * counts as reached, the last error only while it is newer than the last
 * success, and no write per request. The wrapped client and Git cache are
 * small fakes that answer or fail as told (the real ones are exercised by
 * test/e2e/delivery-api.test.ts).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { testDatabases } from '../../../test/support/databases.ts';
import { openDatabase } from '../../platform/db/database.ts';
import type { Db } from '../../platform/db/schema.ts';
import { GitError } from '../git/errors.ts';
import type { KubeClient } from '../types.ts';
import { ConnectionStates } from './connections.ts';

const settle = () => new Promise((r) => setTimeout(r, 100));

for (const kind of await testDatabases()) {
  describe(`connection states on ${kind.name}`, { skip: kind.skip }, () => {
    let dir: string;
    let db: Db;
    before(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'berth-connections-'));
      db = await openDatabase(await kind.createUrl(dir));
    });
    after(async () => {
      await db?.destroy();
      await rm(dir, { recursive: true, force: true });
    });

    test('a cluster is reached by any answer but 401/403; its last error shows until the next success', async () => {
      const states = new ConnectionStates(db);
      let answer: () => Promise<unknown> = () => Promise.resolve('v1.33.0');
      const client = states.watchKube({ server: 'https://k.example:6443', version: () => answer() } as unknown as KubeClient);
      assert.equal(await client.version(), 'v1.33.0');
      await settle();
      const first = (await states.get('cluster', ['https://k.example:6443', 'https://never:6443']));
      assert.ok(first.get('https://k.example:6443')!.lastSuccessAt! > Date.now() - 5000);
      assert.equal(first.get('https://k.example:6443')!.lastError, null);
      assert.equal(first.get('https://never:6443'), undefined, 'never contacted');

      answer = () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:6443'), { status: 0 }));
      await assert.rejects(client.version(), /ECONNREFUSED/);
      await settle();
      const failed = (await states.get('cluster', ['https://k.example:6443'])).get('https://k.example:6443')!;
      assert.equal(failed.lastError?.message, 'connect ECONNREFUSED 10.0.0.1:6443');
      assert.ok(failed.lastSuccessAt !== null, 'the last success is kept');

      answer = () => Promise.reject(Object.assign(new Error('Unauthorized'), { status: 401 }));
      await assert.rejects(client.version());
      await settle();
      assert.equal((await states.get('cluster', ['https://k.example:6443'])).get('https://k.example:6443')!.lastError?.message, 'Unauthorized', '401: credentials refused');

      answer = () => Promise.reject(Object.assign(new Error('deployments.apps "x" not found'), { status: 404 }));
      await assert.rejects(client.version());
      await settle();
      assert.equal((await states.get('cluster', ['https://k.example:6443'])).get('https://k.example:6443')!.lastError, null, 'a 404 is an answer: reached');
    });

    test('a Git repository is reached unless the fetch failed; an unknown revision still reached it', async () => {
      const states = new ConnectionStates(db);
      let fail: Error | undefined;
      const git = states.watchGit({ resolve: () => (fail ? Promise.reject(fail) : Promise.resolve('a'.repeat(40))), tree: () => Promise.resolve('/x'), invalidate: () => undefined }, (u) => u.toLowerCase());
      fail = new GitError('unreachable', 'https://git.example.com/Team/App', 'repository https://git.example.com/Team/App: connection refused');
      await assert.rejects(git.resolve({ url: 'https://git.example.com/Team/App' }, 'main'));
      await settle();
      const key = 'https://git.example.com/team/app';
      assert.deepEqual((await states.get('git', [key])).get(key), { lastSuccessAt: null, lastError: { message: 'repository https://git.example.com/Team/App: connection refused', at: (await states.get('git', [key])).get(key)!.lastError!.at } });
      fail = new GitError('revision', 'https://git.example.com/Team/App', 'revision "relase" not found');
      await assert.rejects(git.resolve({ url: 'https://git.example.com/Team/App' }, 'relase'));
      await settle();
      const after = (await states.get('git', [key])).get(key)!;
      assert.ok(after.lastSuccessAt !== null);
      assert.equal(after.lastError, null);
    });

    test('a busy client writes at most once per 30 s while nothing changes', async () => {
      const states = new ConnectionStates(db);
      const client = states.watchKube({ server: 'https://busy:6443', version: () => Promise.resolve('v') } as unknown as KubeClient);
      await client.version();
      await settle();
      const first = (await states.get('cluster', ['https://busy:6443'])).get('https://busy:6443')!.lastSuccessAt;
      await settle();
      for (let i = 0; i < 50; i++) await client.version();
      await settle();
      assert.equal((await states.get('cluster', ['https://busy:6443'])).get('https://busy:6443')!.lastSuccessAt, first, 'not rewritten');
    });
  });
}
