/**
 * Login throttling across processes: two `berth serve` processes on one
 * PostgreSQL database count one account's failures together and refuse its
 * right password during the backoff on either, while other accounts sign in.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { basicAuth } from '../support/berth.ts';
import { spawnBerth, type BerthProcess } from '../support/berth-process.ts';
import { testDatabases } from '../support/databases.ts';

const pg = (await testDatabases()).find((d) => d.name === 'postgres')!;

describe('login throttling shared by two processes', { skip: pg.skip }, () => {
  let dir: string;
  let a: BerthProcess;
  let b: BerthProcess;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'berth-throttle-procs-'));
    const env = { ...(await pg.env()), BERTH_TRUST_PROXY: 'true', BERTH_GITOPS_ENABLED: 'false', BERTH_LOGIN_LOCK_BASE_SECONDS: '2' };
    a = await spawnBerth(path.join(dir, 'a'), env);
    b = await spawnBerth(path.join(dir, 'b'), env);
  });
  after(async () => {
    await a?.kill();
    await b?.kill();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const me = (p: BerthProcess, auth: string, ip: string) => fetch(`${p.url}/api/v1/users/me`, { headers: { authorization: auth, 'x-forwarded-for': ip } });

  test('failures through A and B add up; the backoff holds on both; other accounts are not refused', async () => {
    const office = '198.51.100.20';
    for (const [i, p] of [a, b, a, b, a].entries()) {
      assert.equal((await me(p, basicAuth('admin', `wrong-${i}`), office)).status, 401, `failure ${i + 1}`);
    }
    for (const p of [b, a]) {
      const right = await me(p, basicAuth(), office);
      assert.equal(right.status, 429, 'the right password is refused during the backoff, whichever process');
      assert.ok(Number(right.headers.get('retry-after')) >= 1);
    }
    assert.equal((await me(b, basicAuth(), '198.51.100.21')).status, 200, 'admin from another address');
    const create = await fetch(`${a.url}/api/v1/users`, {
      method: 'POST',
      headers: { authorization: basicAuth(), 'x-forwarded-for': '198.51.100.21', 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'colleague', password: 'Colleague-Passw0rd' }),
    });
    assert.equal(create.status, 201);
    assert.equal((await me(b, basicAuth('colleague', 'Colleague-Passw0rd'), office)).status, 200, 'another account behind the same address');
  });
});
