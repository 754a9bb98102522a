/**
 * Two `berth serve` processes on one PostgreSQL database and one storage
 * directory behave as one Berth: what one accepts the other serves at once,
 * an upload may hop between them chunk by chunk, a token of one is good at
 * the other, 100 applications are synced exactly once per commit between
 * them, and a manual sync whose process is killed (SIGKILL) is resumed by
 * the other one, with its history entry and audit record.
 */
/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment -- API answers are read as untyped JSON */
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { basicAuth } from '../support/berth.ts';
import { spawnBerth, type BerthProcess } from '../support/berth-process.ts';
import { testDatabases } from '../support/databases.ts';
import { startGitServer, type GitServer } from '../support/git-server.ts';
import { until, yamlDocs, WEBHOOK_SECRET } from '../support/gitops.ts';
import { skipUnlessKubePeers, startKubeCluster, type KubeCluster } from '../support/kube-cluster.ts';
import { fetchToken } from '../support/matrix-http.ts';
import { OciClient, sha256 } from '../support/oci-client.ts';

const pg = (await testDatabases()).find((d) => d.name === 'postgres')!;
const kubeSkip = skipUnlessKubePeers();

interface Pair {
  a: BerthProcess;
  b: BerthProcess;
  env: Record<string, string>;
  dirs: { a: string; b: string };
}

/** Two processes on a fresh database and one storage directory; A starts first (it runs the migrations). */
async function startPair(root: string, extra: Record<string, string> = {}): Promise<Pair> {
  const env = { BERTH_DATABASE_URL: await pg.createUrl(root), BERTH_STORAGE_DIR: path.join(root, 'storage'), BERTH_STORAGE_FSYNC: 'false', ...extra };
  const dirs = { a: path.join(root, 'a'), b: path.join(root, 'b') };
  const a = await spawnBerth(dirs.a, env);
  const b = await spawnBerth(dirs.b, env);
  return { a, b, env, dirs };
}

async function api(base: string, method: string, p: string, body?: unknown): Promise<{ status: number; body: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const res = await fetch(`${base}/api/v1${p}`, { method, headers: { authorization: basicAuth(), ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function must(base: string, method: string, p: string, body?: unknown): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const r = await api(base, method, p, body);
  if (r.status >= 300) throw new Error(`${method} ${p}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

describe('two processes on one PostgreSQL: registry', { skip: pg.skip }, () => {
  let root: string;
  let pair: Pair;
  before(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'berth-two-'));
    pair = await startPair(root);
    await must(pair.a.url, 'POST', '/projects', { name: 'team' });
  });
  after(async () => {
    await pair?.a.kill('SIGTERM');
    await pair?.b.kill('SIGTERM');
    await rm(root, { recursive: true, force: true });
  });

  test('a push through A is pullable through B at once', async () => {
    const a = new OciClient(pair.a.url, basicAuth());
    const b = new OciClient(pair.b.url, basicAuth());
    const pushed = await a.pushImage('team/app', 'v1', 'layer bytes pushed through A');
    const res = await b.fetch('/v2/team/app/manifests/v1', { headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } });
    assert.equal(res.status, 200);
    assert.equal(await res.text(), pushed.body);
    const layer = await b.fetch(`/v2/team/app/blobs/${sha256('layer bytes pushed through A')}`);
    assert.equal(await layer.text(), 'layer bytes pushed through A');
  });

  test('a chunked upload whose PATCHes alternate between A and B completes with the right digest', async () => {
    const blob = randomBytes(300_000);
    const clients = [new OciClient(pair.a.url, basicAuth()), new OciClient(pair.b.url, basicAuth())];
    const started = await clients[0]!.fetch('/v2/team/app/blobs/uploads/', { method: 'POST' });
    assert.equal(started.status, 202);
    let location = new URL(started.headers.get('location')!, pair.a.url).pathname + new URL(started.headers.get('location')!, pair.a.url).search;
    const chunk = 64 * 1024;
    let i = 0;
    for (let offset = 0; offset < blob.length; offset += chunk, i++) {
      const part = blob.subarray(offset, offset + chunk);
      const res = await clients[i % 2]!.fetch(location, { method: 'PATCH', body: part, headers: { 'content-type': 'application/octet-stream', 'content-range': `${offset}-${offset + part.length - 1}` } });
      assert.equal(res.status, 202, `chunk ${i} through ${i % 2 ? 'B' : 'A'}: ${await res.text()}`);
      assert.equal(res.headers.get('range'), `0-${offset + part.length - 1}`);
      const next = new URL(res.headers.get('location')!, pair.a.url);
      location = next.pathname + next.search;
    }
    // An out-of-order chunk through the other process is refused and changes nothing.
    const stale = await clients[1]!.fetch(location, { method: 'PATCH', body: blob.subarray(0, 10), headers: { 'content-type': 'application/octet-stream', 'content-range': '0-9' } });
    assert.equal(stale.status, 416);
    const digest = sha256(blob);
    const put = await clients[i % 2]!.fetch(`${location}${location.includes('?') ? '&' : '?'}digest=${digest}`, { method: 'PUT' });
    assert.equal(put.status, 201, await put.text());
    const back = await clients[0]!.fetch(`/v2/team/app/blobs/${digest}`);
    assert.equal(back.status, 200);
    assert.ok(Buffer.from(await back.arrayBuffer()).equals(blob));
  });

  test('a token issued by A is accepted by B, and the other way round', async () => {
    const t = await fetchToken(pair.a.url, ['repository:team/app:pull'], basicAuth());
    assert.ok(t.token);
    const res = await fetch(`${pair.b.url}/v2/team/app/tags/list`, { headers: { authorization: `Bearer ${t.token}` } });
    assert.equal(res.status, 200);
    const u = await fetchToken(pair.b.url, ['repository:team/app:pull'], basicAuth());
    assert.equal((await fetch(`${pair.a.url}/v2/team/app/tags/list`, { headers: { authorization: `Bearer ${u.token}` } })).status, 200);
  });
});

/** Operations of an app, through either process. */
const operations = async (base: string, app: string) => (await must(base, 'GET', `/applications/${app}/operations?limit=1000`)) as { id: string; kind: string; trigger: string; state: string; resolvedRevision?: string; owner?: string; attempts: number; resourcesDone: number }[];

const configMap = (name: string, data: Record<string, string>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data });

async function deliveryWorld(base: string, cluster: KubeCluster): Promise<void> {
  await must(base, 'POST', '/clusters', { name: cluster.name, server: cluster.server, bearerToken: cluster.token, caData: cluster.caData });
  await must(base, 'POST', '/projects', { name: 'team' });
  await must(base, 'PUT', '/projects/team/delivery', { sourceRepos: ['*'], destinations: [{ server: '*', namespace: '*' }], clusterResourceWhitelist: [{ group: '*', kind: '*' }] });
}

const appDoc = (name: string, git: GitServer, repo: string, dir: string, cluster: KubeCluster, automated: boolean) => ({
  metadata: { name },
  spec: {
    project: 'team',
    source: { repoURL: git.url(repo), targetRevision: 'main', path: dir },
    destination: { name: cluster.name, namespace: name },
    syncPolicy: { ...(automated ? { automated: {} } : {}), syncOptions: ['CreateNamespace=true'] },
  },
});

async function webhook(base: string, git: GitServer, repo: string): Promise<number> {
  const payload = Buffer.from(JSON.stringify({ ref: 'refs/heads/main', repository: { html_url: git.url(repo).replace(/\.git$/, ''), clone_url: git.url(repo) } }));
  const res = await fetch(`${base}/api/v1/webhooks/git`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-hub-signature-256': `sha256=${createHmac('sha256', WEBHOOK_SECRET).update(payload).digest('hex')}` },
    body: payload,
  });
  await res.text();
  return res.status;
}

const deliveryEnv = { BERTH_GIT_WEBHOOK_SECRET_GITHUB: WEBHOOK_SECRET, BERTH_GITOPS_IN_CLUSTER: 'false', BERTH_GITOPS_STEP_TIMEOUT_SECONDS: '60', BERTH_GITOPS_LEASE_SECONDS: '4' };

describe('two processes on one PostgreSQL: delivery', { skip: pg.skip || kubeSkip }, () => {
  let root: string;
  let cluster: KubeCluster;
  let git: GitServer;
  before(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'berth-two-gitops-'));
    [cluster, git] = await Promise.all([startKubeCluster(), startGitServer()]);
  });
  after(async () => {
    await git?.stop();
    await cluster?.stop();
    await rm(root, { recursive: true, force: true });
  });

  test('100 applications served by two processes: exactly one automated sync each per commit', { timeout: 600_000 }, async () => {
    const pair = await startPair(path.join(root, 'fleet'), deliveryEnv);
    try {
      const N = 100;
      const names = Array.from({ length: N }, (_, i) => `fleet-${String(i).padStart(3, '0')}`);
      const files = (v: string) => Object.fromEntries(names.map((n) => [`apps/${n}/cm.yaml`, yamlDocs(configMap('settings', { app: n, version: v }))]));
      const sha1 = await git.createRepo('fleet', files('1'));
      await deliveryWorld(pair.a.url, cluster);
      const began = Date.now();
      for (const [i, n] of names.entries()) await must(i % 2 ? pair.b.url : pair.a.url, 'POST', '/applications', appDoc(n, git, 'fleet', `apps/${n}`, cluster, true));
      const allSynced = async (sha: string) => until(`all ${N} apps Synced at ${sha.slice(0, 8)}`, async () => {
        let synced = 0;
        for (let page = 1; page <= N / 100; page++) {
          const list = (await must(pair.b.url, 'GET', `/applications?page=${page}&page_size=100`)) as { sync: string; health: string; revision?: string }[];
          synced += list.filter((a) => a.sync === 'Synced').length;
        }
        return synced === N;
      }, 300_000, 1_000);
      await allSynced(sha1).catch(async (err: unknown) => {
        // What the stuck applications show, and what the processes logged, for whoever debugs it.
        for (const n of names) {
          const st = (await must(pair.a.url, 'GET', `/applications/${n}`)).status;
          if (st?.sync?.status !== 'Synced') process.stderr.write(`${n}: ${JSON.stringify({ sync: st?.sync, conditions: st?.conditions, op: st?.operationState?.message })} ops ${JSON.stringify(await operations(pair.a.url, n))}\n`);
        }
        process.stderr.write(`A: ${pair.a.stderr().slice(-4000)}\nB: ${pair.b.stderr().slice(-4000)}\n`);
        throw err;
      });
      const firstRound = Date.now() - began;
      const sha2 = await git.commit('fleet', files('2'), 'version 2 everywhere');
      const pushed = Date.now();
      assert.equal(await webhook(pair.a.url, git, 'fleet'), 200);
      // The webhook reached A only: B's applications learn of the commit through the database.
      await until('every app at the second commit', async () => {
        for (const n of names) {
          const s = (await must(pair.a.url, 'GET', `/applications/${n}`)).status;
          if (s?.sync?.status !== 'Synced' || s.sync.revision !== sha2) return false;
        }
        return true;
      }, 300_000, 1_000);
      const secondRound = Date.now() - pushed;
      const owners = new Map<string, number>();
      for (const [i, n] of names.entries()) {
        const ops = await operations(i % 2 ? pair.a.url : pair.b.url, n);
        const auto = ops.filter((o) => o.kind === 'sync');
        assert.deepEqual(auto.map((o) => [o.trigger, o.resolvedRevision, o.state]).sort(), [['automated', sha1, 'Succeeded'], ['automated', sha2, 'Succeeded']].sort(), `${n}: ${JSON.stringify(ops)}`);
        for (const o of auto) owners.set(o.owner!, (owners.get(o.owner!) ?? 0) + 1);
      }
      assert.equal(owners.size, 2, `both processes ran syncs: ${JSON.stringify([...owners])}`);
      process.stderr.write(`100 apps on two processes: first sync of all ${firstRound} ms, commit to all synced ${secondRound} ms; syncs per process ${JSON.stringify([...owners.values()])}\n`);
      for (const n of names) assert.equal(JSON.parse(await cluster.kubectl(['get', 'configmap', 'settings', '-n', n, '-o', 'json'])).data.version, '2');

      // Deleting through the process that does not operate the app still deletes its resources (cascade).
      for (const n of names.slice(0, 4)) {
        const [last] = await operations(pair.a.url, n);
        const other = last?.owner?.includes(`:${pair.a.child.pid}:`) ? pair.b : pair.a;
        assert.equal((await api(other.url, 'DELETE', `/applications/${n}`)).status, 204);
        await until(`${n}'s ConfigMap deleted`, async () => (await cluster.kubectl(['get', 'configmap', 'settings', '-n', n, '--ignore-not-found', '-o', 'name'])).trim() === '', 30_000, 250);
      }
    } finally {
      await pair.a.kill('SIGTERM');
      await pair.b.kill('SIGTERM');
    }
  });

  test('kill -9 of the process running a manual sync: the other resumes it; history and audit record it', { timeout: 300_000 }, async () => {
    // A slow API-server budget makes the 60-object sync last long enough to kill mid-way.
    const pair = await startPair(path.join(root, 'kill'), { ...deliveryEnv, BERTH_GITOPS_KUBE_QPS: '6', BERTH_GITOPS_KUBE_BURST: '1' });
    const alive: BerthProcess[] = [pair.a, pair.b];
    try {
      const objects = Array.from({ length: 60 }, (_, i) => configMap(`part-${String(i).padStart(2, '0')}`, { i: String(i) }));
      const sha = await git.createRepo('big', { 'big/all.yaml': yamlDocs(...objects) });
      await deliveryWorld(pair.a.url, cluster);
      await must(pair.a.url, 'POST', '/applications', appDoc('big', git, 'big', 'big', cluster, false));
      await until('big compared', async () => (await must(pair.b.url, 'GET', '/applications/big')).status?.sync?.status === 'OutOfSync', 60_000, 200);
      // Through A; whichever process holds the app runs it.
      const syncCall = api(pair.a.url, 'POST', '/applications/big/sync', {}).catch(() => undefined);
      const running = await until('the sync running with some objects applied', async () => {
        const [op] = await operations(pair.b.url, 'big');
        return op?.state === 'Running' && op.resourcesDone >= 5 ? op : undefined;
      }, 60_000, 100);
      const victim = alive.find((p) => running.owner?.includes(`:${p.child.pid}:`));
      assert.ok(victim, `the owner ${running.owner} is one of the two processes`);
      const survivor = victim === pair.a ? pair.b : pair.a;
      await victim.kill('SIGKILL');
      const killedAt = Date.now();
      const resumed = await until('resumed by the survivor', async () => {
        const [op] = await operations(survivor.url, 'big');
        return op && op.owner !== running.owner && op.state === 'Running' ? op : undefined;
      }, 60_000, 100);
      const resumeMs = Date.now() - killedAt;
      assert.equal(resumed.id, running.id);
      assert.equal(resumed.attempts, 2);
      const done = await until('the resumed sync ended', async () => {
        const [op] = await operations(survivor.url, 'big');
        return op && op.state !== 'Running' && op.state !== 'Pending' ? op : undefined;
      }, 120_000, 250);
      const finishedMs = Date.now() - killedAt;
      assert.equal(done.state, 'Succeeded');
      assert.equal(done.resolvedRevision, sha);
      // The killed one comes back and serves the same story.
      const restarted = await spawnBerth(victim === pair.a ? pair.dirs.a : pair.dirs.b, pair.env);
      alive.push(restarted);
      const history = (await must(restarted.url, 'GET', '/applications/big/history')) as { trigger: string; revision: string; phase: string; actor: string }[];
      assert.ok(history.some((h) => h.trigger === 'manual' && h.revision === sha && h.phase === 'Succeeded' && h.actor === 'admin'), JSON.stringify(history));
      const audit = (await must(restarted.url, 'GET', '/audit-logs?action=sync&page_size=100')) as { actor: { name: string }; resource: string; outcome: string; detail: string }[];
      const record = audit.find((r) => r.detail.includes(done.id));
      assert.ok(record, JSON.stringify(audit));
      assert.deepEqual([record.actor.name, record.resource, record.outcome], ['admin', 'team/big', 'success']);
      for (const o of objects) assert.equal(JSON.parse(await cluster.kubectl(['get', 'configmap', o.metadata.name, '-n', 'big', '-o', 'json'])).data.i, o.data.i);
      process.stderr.write(`kill -9 mid-sync (${running.resourcesDone} of 60 applied): resumed by the other process after ${resumeMs} ms (lease 4 s), finished ${finishedMs} ms after the kill\n`);
      await syncCall;
    } finally {
      for (const p of alive) await p.kill('SIGTERM');
    }
  });

  test('one process killed mid-sync and restarted: the restarted process resumes the operation', { timeout: 300_000 }, async () => {
    const dir = path.join(root, 'single');
    const env = { BERTH_DATABASE_URL: await pg.createUrl(dir), ...deliveryEnv, BERTH_GITOPS_KUBE_QPS: '6', BERTH_GITOPS_KUBE_BURST: '1' };
    let p = await spawnBerth(dir, env);
    try {
      const objects = Array.from({ length: 50 }, (_, i) => configMap(`solo-${String(i).padStart(2, '0')}`, { i: String(i) }));
      const sha = await git.createRepo('solo', { 'solo/all.yaml': yamlDocs(...objects) });
      await deliveryWorld(p.url, cluster);
      await must(p.url, 'POST', '/applications', appDoc('solo', git, 'solo', 'solo', cluster, false));
      await until('solo compared', async () => (await must(p.url, 'GET', '/applications/solo')).status?.sync?.status === 'OutOfSync', 60_000, 200);
      const call = api(p.url, 'POST', '/applications/solo/sync', {}).catch(() => undefined);
      const running = await until('the sync running', async () => {
        const [op] = await operations(p.url, 'solo');
        return op?.state === 'Running' && op.resourcesDone >= 5 ? op : undefined;
      }, 60_000, 100);
      await p.kill('SIGKILL');
      await call;
      const killedAt = Date.now();
      p = await spawnBerth(dir, env);
      const done = await until('the operation ended after the restart', async () => {
        const [op] = await operations(p.url, 'solo');
        return op && op.state !== 'Running' && op.state !== 'Pending' ? op : undefined;
      }, 120_000, 250);
      assert.equal(done.id, running.id);
      assert.equal(done.state, 'Succeeded');
      assert.equal(done.attempts, 2, 'claimed again by the restarted process');
      assert.notEqual(done.owner, running.owner);
      const history = (await must(p.url, 'GET', '/applications/solo/history')) as { trigger: string; revision: string; phase: string }[];
      assert.ok(history.some((h) => h.trigger === 'manual' && h.revision === sha && h.phase === 'Succeeded'));
      const audit = (await must(p.url, 'GET', '/audit-logs?action=sync&page_size=100')) as { detail: string; outcome: string }[];
      assert.ok(audit.some((r) => r.detail.includes(done.id) && r.outcome === 'success'));
      process.stderr.write(`one process, kill -9 mid-sync (${running.resourcesDone} of 50 applied) and restart: operation finished ${Date.now() - killedAt} ms after the kill\n`);
    } finally {
      await p.kill('SIGTERM');
    }
  });
});
