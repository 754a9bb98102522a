/**
 * The Kubernetes client: the token bucket on its own, then everything else
 * against a real control plane (test/support/kube-cluster.ts).
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { skipUnlessKubePeers, startKubeCluster, type KubeCluster } from '../../../test/support/kube-cluster.ts';
import type { KubeObject } from '../types.ts';
import { createKubeClient, isGone, KubeApiError, TokenBucket, type BerthKubeClient, type WatchEvent } from './client.ts';
import { connectionFromKubeconfig } from './kubeconfig.ts';

describe('TokenBucket', () => {
  test('a burst passes at once, then qps', async () => {
    const bucket = new TokenBucket(100, 5);
    const started = performance.now();
    for (let i = 0; i < 5; i++) assert.equal(bucket.take(), undefined);
    const waits = [];
    for (let i = 0; i < 10; i++) waits.push(bucket.take());
    assert.ok(waits.every((w) => w instanceof Promise));
    await Promise.all(waits);
    const elapsed = performance.now() - started;
    // 10 tokens at 100/s ≈ 100 ms
    assert.ok(elapsed >= 85 && elapsed < 400, `elapsed ${elapsed}`);
  });
  test('qps 0 or Infinity is unlimited', () => {
    for (const qps of [0, Infinity]) {
      const bucket = new TokenBucket(qps, 1);
      for (let i = 0; i < 1000; i++) assert.equal(bucket.take(), undefined);
    }
  });
});

const skip = skipUnlessKubePeers();

describe('KubeClient against a real API server', { skip }, () => {
  let cluster: KubeCluster;
  let client: BerthKubeClient;
  const NS = 'client-test';

  before(async () => {
    cluster = await startKubeCluster({ name: 'kube-client', nodes: 1 });
    client = createKubeClient(connectionFromKubeconfig(cluster.kubeconfig), { qps: 0 });
    await client.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  });
  after(async () => {
    await client?.close();
    await cluster?.stop();
  });

  const cm = (name: string, data: Record<string, string>, extra: Partial<KubeObject['metadata']> = {}): KubeObject => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: NS, ...extra },
    data,
  });

  test('version', async () => {
    assert.match(await client.version(), /^v1\.33\./);
  });

  test('discovery resolves built-in kinds and refuses unknown ones', async () => {
    const deploy = await client.resourceType('apps/v1', 'Deployment');
    assert.deepEqual({ ...deploy, verbs: [] }, { group: 'apps', version: 'v1', kind: 'Deployment', resource: 'deployments', namespaced: true, verbs: [] });
    assert.ok(deploy.verbs.includes('watch'));
    const ns = await client.resourceType('v1', 'Namespace');
    assert.equal(ns.namespaced, false);
    await assert.rejects(client.resourceType('example.invalid/v1', 'Nothing'), (e: unknown) => e instanceof KubeApiError && e.status === 404);
  });

  test('a CRD created during the test resolves after a refresh on the miss', async () => {
    const before = client.metrics().requests;
    await client.resourceType('v1', 'ConfigMap'); // cached: no request
    assert.equal(client.metrics().requests, before);
    await assert.rejects(client.resourceType('test.berth.dev/v1', 'Widget'));
    const crd: KubeObject = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.test.berth.dev' },
      spec: {
        group: 'test.berth.dev',
        scope: 'Namespaced',
        names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
      },
    };
    await client.apply(crd);
    const deadline = Date.now() + 20_000;
    let widget;
    while (!widget) {
      try {
        widget = await client.resourceType('test.berth.dev/v1', 'Widget');
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await sleep(200);
      }
    }
    assert.deepEqual({ ...widget, verbs: [] }, { group: 'test.berth.dev', version: 'v1', kind: 'Widget', resource: 'widgets', namespaced: true, verbs: [] });
    // And it is usable, including replace (custom resources refuse unconditional updates).
    const w = await client.apply({ apiVersion: 'test.berth.dev/v1', kind: 'Widget', metadata: { name: 'w1', namespace: NS }, spec: { size: 1 } });
    assert.equal((w.spec as { size: number }).size, 1);
    const r = await client.replace({ apiVersion: 'test.berth.dev/v1', kind: 'Widget', metadata: { name: 'w1', namespace: NS }, spec: { color: 'red' } });
    assert.deepEqual(r.spec, { color: 'red' });
  });

  test('apply and dry-run apply', async () => {
    const dry = await client.apply(cm('applied', { a: '1' }), { dryRun: true });
    assert.equal(dry.data && (dry.data as Record<string, string>).a, '1');
    assert.equal(await client.get('v1', 'ConfigMap', NS, 'applied'), undefined, 'dry run created nothing');

    const created = await client.apply(cm('applied', { a: '1' }));
    assert.equal(created.metadata.managedFields?.[0]?.manager, 'berth');
    assert.equal(created.metadata.managedFields?.[0]?.operation, 'Apply');

    const dry2 = await client.apply(cm('applied', { a: '2' }), { dryRun: true });
    assert.deepEqual(dry2.data, { a: '2' });
    const live = await client.get('v1', 'ConfigMap', NS, 'applied');
    assert.deepEqual(live?.data, { a: '1' }, 'dry run changed nothing');
    assert.equal(live?.metadata.resourceVersion, created.metadata.resourceVersion);

    // force=true by default: berth takes fields another manager owns
    await cluster.kubectl(['-n', NS, 'patch', 'configmap', 'applied', '--type=merge', '-p', '{"data":{"a":"kubectl"}}']);
    const forced = await client.apply(cm('applied', { a: '3' }));
    assert.deepEqual(forced.data, { a: '3' });
    await cluster.kubectl(['-n', NS, 'patch', 'configmap', 'applied', '--type=merge', '-p', '{"data":{"a":"kubectl"}}']);
    await assert.rejects(client.apply(cm('applied', { a: '4' }), { force: false }), (e: unknown) => e instanceof KubeApiError && e.status === 409 && e.reason === 'Conflict');

    // Cluster-scoped objects: a stray namespace is ignored.
    const nsObj = await client.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'client-test-2', namespace: 'ignored' } });
    assert.equal(nsObj.metadata.namespace, undefined);
  });

  test('invalid objects reject with the server reason', async () => {
    await assert.rejects(client.apply(cm('Not_Valid', { a: '1' })), (e: unknown) => e instanceof KubeApiError && e.status === 422 && e.reason === 'Invalid' && /Not_Valid/.test(e.message));
  });

  test('replace creates when missing, then replaces the whole object', async () => {
    const created = await client.replace(cm('replaced', { a: '1', b: '2' }));
    assert.deepEqual(created.data, { a: '1', b: '2' });
    const dry = await client.replace(cm('replaced', { c: '3' }), { dryRun: true });
    assert.deepEqual(dry.data, { c: '3' });
    assert.deepEqual((await client.get('v1', 'ConfigMap', NS, 'replaced'))?.data, { a: '1', b: '2' });
    const replaced = await client.replace(cm('replaced', { c: '3' }));
    assert.deepEqual(replaced.data, { c: '3' });
    const dryCreate = await client.replace(cm('replaced-dry', { x: '1' }), { dryRun: true });
    assert.deepEqual(dryCreate.data, { x: '1' });
    assert.equal(await client.get('v1', 'ConfigMap', NS, 'replaced-dry'), undefined);
  });

  test('delete with Foreground propagation', async () => {
    const deploy: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'doomed', namespace: NS },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'doomed' } },
        template: { metadata: { labels: { app: 'doomed' } }, spec: { containers: [{ name: 'c', image: 'registry.invalid/x:1' }] } },
      },
    };
    await client.apply(deploy);
    // wait for the ReplicaSet, so that foreground deletion has a dependent to wait for
    const rsType = await client.resourceType('apps/v1', 'ReplicaSet');
    for (let i = 0; i < 100 && (await client.list(rsType, { namespace: NS, labelSelector: 'app=doomed' })).items.length === 0; i++) await sleep(100);
    assert.equal(await client.delete('apps/v1', 'Deployment', NS, 'doomed', { propagationPolicy: 'Foreground' }), true);
    const during = await client.get('apps/v1', 'Deployment', NS, 'doomed');
    if (during) assert.ok(during.metadata.deletionTimestamp, 'foreground deletion marks the owner first');
    const deadline = Date.now() + 20_000;
    while ((await client.get('apps/v1', 'Deployment', NS, 'doomed')) && Date.now() < deadline) await sleep(100);
    assert.equal(await client.get('apps/v1', 'Deployment', NS, 'doomed'), undefined);
    assert.equal((await client.list(rsType, { namespace: NS, labelSelector: 'app=doomed' })).items.length, 0, 'dependents deleted');
    assert.equal(await client.delete('apps/v1', 'Deployment', NS, 'doomed'), false, 'already gone');
  });

  test('list pages with limit/continue', async () => {
    await client.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'paging' } });
    const queue = Array.from({ length: 250 }, (_, i) => cm(`page-${String(i).padStart(3, '0')}`, { i: String(i) }, { namespace: 'paging', labels: { batch: 'paging' } }));
    await Promise.all(Array.from({ length: 16 }, async () => {
      for (let o = queue.pop(); o; o = queue.pop()) await client.apply(o);
    }));
    const type = await client.resourceType('v1', 'ConfigMap');
    const before = client.metrics().requests;
    const paged = await client.list(type, { namespace: 'paging', labelSelector: 'batch=paging', limit: 100 });
    assert.equal(client.metrics().requests - before, 3, 'three pages');
    assert.equal(paged.items.length, 250);
    assert.equal(new Set(paged.items.map((o) => o.metadata.name)).size, 250);
    assert.ok(paged.items.every((o) => o.apiVersion === 'v1' && o.kind === 'ConfigMap'), 'list items carry apiVersion and kind');
    assert.match(paged.resourceVersion, /^\d+$/);
    const whole = await client.list(type, { namespace: 'paging', labelSelector: 'batch=paging' });
    assert.equal(whole.items.length, 250);
  });

  test('watch streams events from a resourceVersion; 410 Gone for a very old one', async () => {
    const type = await client.resourceType('v1', 'ConfigMap');
    const { resourceVersion } = await client.list(type, { namespace: NS });
    const events: WatchEvent[] = [];
    const ac = new AbortController();
    const done = client.watch(type, { resourceVersion, namespace: NS, signal: ac.signal }, (ev) => {
      events.push(ev);
      if (ev.type === 'DELETED') ac.abort();
    });
    await client.apply(cm('watched', { v: '1' }));
    await client.apply(cm('watched', { v: '2' }));
    await client.delete('v1', 'ConfigMap', NS, 'watched');
    await done;
    assert.deepEqual(
      events.filter((e) => e.type !== 'BOOKMARK').map((e) => [e.type, e.object.metadata.name, (e.object.data as Record<string, string> | undefined)?.v]),
      [
        ['ADDED', 'watched', '1'],
        ['MODIFIED', 'watched', '2'],
        ['DELETED', 'watched', '2'],
      ],
    );
    await assert.rejects(
      client.watch(type, { resourceVersion: '1', namespace: NS, timeoutSeconds: 5 }, () => {}),
      (e: unknown) => isGone(e),
    );
  });

  test('errors never carry the bearer token', async () => {
    const conn = connectionFromKubeconfig(cluster.kubeconfig);
    const bad = createKubeClient({ ...conn, bearerToken: 'sekrit-token-value' });
    try {
      await assert.rejects(bad.version(), (e: unknown) => e instanceof KubeApiError && e.status === 401 && !e.message.includes('sekrit'));
    } finally {
      await bad.close();
    }
    const unreachable = createKubeClient({ ...conn, server: 'https://127.0.0.1:1', bearerToken: 'sekrit-token-value' }, { timeoutMs: 2000 });
    try {
      await assert.rejects(unreachable.version(), (e: unknown) => e instanceof KubeApiError && e.status === 0 && e.reason === 'ConnectionError' && !e.message.includes('sekrit'));
    } finally {
      await unreachable.close();
    }
  });

  test('the rate limiter holds the request rate', async () => {
    const limited = createKubeClient(connectionFromKubeconfig(cluster.kubeconfig), { qps: 20, burst: 5 });
    try {
      await limited.version(); // discovery-free warm-up, uses one token
      const started = performance.now();
      await Promise.all(Array.from({ length: 24 }, () => limited.version()));
      const elapsed = performance.now() - started;
      // 4 burst tokens left, 20 more at 20/s ≈ 1 s
      assert.ok(elapsed > 850, `24 requests at qps 20/burst 5 took ${elapsed.toFixed(0)} ms`);
    } finally {
      await limited.close();
    }
  });
});
