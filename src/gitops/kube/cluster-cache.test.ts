/**
 * The live-state cache against a real control plane: initial lists, the
 * byApp index, out-of-band changes, relist after 410 Gone, the periodic
 * resync catching a change the watch lost, skipped types, and a
 * Deployment's health going Progressing → Healthy as kwok makes its Pods
 * ready.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { skipUnlessKubePeers, startKubeCluster, type KubeCluster } from '../../../test/support/kube-cluster.ts';
import { resourceHealth } from '../health/index.ts';
import { APP_LABEL, type KubeObject, type LiveChange, type ResourceType } from '../types.ts';
import { createKubeClient, type BerthKubeClient, type WatchOptions, type WatchEvent } from './client.ts';
import { LiveStateCache, type CacheClient, type CacheLogger } from './cluster-cache.ts';
import { keyString, resourceKeyOf } from './diff.ts';
import { connectionFromKubeconfig } from './kubeconfig.ts';

const skip = skipUnlessKubePeers();

async function until<T>(what: string, f: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

function recordingLogger(): CacheLogger & { lines: { level: string; msg: string; obj: object }[] } {
  const lines: { level: string; msg: string; obj: object }[] = [];
  return {
    lines,
    info: (obj, msg) => lines.push({ level: 'info', msg, obj }),
    warn: (obj, msg) => lines.push({ level: 'warn', msg, obj }),
    error: (obj, msg) => lines.push({ level: 'error', msg, obj }),
  };
}

describe('LiveStateCache against a real API server', { skip }, () => {
  let cluster: KubeCluster;
  let client: BerthKubeClient;
  let types: { cm: ResourceType; deploy: ResourceType; pod: ResourceType };
  const NS = 'cache-test';
  const caches: LiveStateCache[] = [];

  const cm = (name: string, data: Record<string, string>, app?: string): KubeObject => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: NS, ...(app ? { labels: { [APP_LABEL]: app } } : {}) },
    data,
  });

  before(async () => {
    cluster = await startKubeCluster({ name: 'kube-cache', nodes: 2 });
    client = createKubeClient(connectionFromKubeconfig(cluster.kubeconfig), { qps: 0 });
    await client.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    types = {
      cm: await client.resourceType('v1', 'ConfigMap'),
      deploy: await client.resourceType('apps/v1', 'Deployment'),
      pod: await client.resourceType('v1', 'Pod'),
    };
  });
  after(async () => {
    for (const c of caches) c.close();
    await client?.close();
    await cluster?.stop();
  });

  function newCache(c: CacheClient = client, options: ConstructorParameters<typeof LiveStateCache>[1] = {}): LiveStateCache {
    const cache = new LiveStateCache(c, { resyncIntervalMs: 0, namespace: NS, backoffInitialMs: 50, ...options });
    caches.push(cache);
    return cache;
  }

  test('initial list, byApp index, changes after the list, out-of-band edits within 2 s', async (t) => {
    await client.apply(cm('pre-a1', { v: '1' }, 'app-a'));
    await client.apply(cm('pre-b1', { v: '1' }, 'app-b'));
    const cache = newCache();
    const changes: LiveChange[] = [];
    cache.subscribe((c) => changes.push(c));
    await cache.watch([types.cm, types.deploy]);
    assert.equal(changes.length, 0, 'the initial list is not emitted as changes');
    assert.deepEqual(cache.get({ group: '', kind: 'ConfigMap', namespace: NS, name: 'pre-a1' })?.data, { v: '1' });
    assert.deepEqual(cache.byApp('app-a').map((o) => o.metadata.name), ['pre-a1']);

    await client.apply(cm('a2', { v: '1' }, 'app-a'));
    await client.apply(cm('a3', { v: '1' }, 'app-a'));
    await until('three objects of app-a', () => cache.byApp('app-a').length === 3);
    assert.ok(cache.get({ group: '', kind: 'ConfigMap', namespace: NS, name: 'a2' })?.metadata.managedFields, 'managedFields are kept');

    // Out-of-band: kubectl relabels a3 to app-b and edits pre-a1.
    const started = Date.now();
    await cluster.kubectl(['-n', NS, 'label', 'configmap', 'a3', `${APP_LABEL}=app-b`, '--overwrite']);
    await cluster.kubectl(['-n', NS, 'patch', 'configmap', 'pre-a1', '--type=merge', '-p', '{"data":{"v":"edited"}}']);
    await until('the edit', () => changes.find((c) => c.type === 'MODIFIED' && c.object.metadata.name === 'pre-a1' && (c.object.data as { v: string }).v === 'edited'), 2000);
    const latency = Date.now() - started;
    assert.ok(latency < 2000, `seen after ${latency} ms`);
    t.diagnostic(`out-of-band kubectl label + patch seen by the cache after ${latency} ms (including two kubectl runs)`);
    assert.deepEqual(cache.byApp('app-a').map((o) => o.metadata.name).sort(), ['a2', 'pre-a1']);
    assert.deepEqual(cache.byApp('app-b').map((o) => o.metadata.name).sort(), ['a3', 'pre-b1']);

    await cluster.kubectl(['-n', NS, 'delete', 'configmap', 'a2']);
    await until('the deletion', () => changes.find((c) => c.type === 'DELETED' && c.object.metadata.name === 'a2'));
    assert.equal(cache.get({ group: '', kind: 'ConfigMap', namespace: NS, name: 'a2' }), undefined);
    assert.deepEqual(cache.byApp('app-a').map((o) => o.metadata.name), ['pre-a1']);
    assert.deepEqual(cache.byApp('nobody'), []);
  });

  test('410 Gone: relists and emits what happened in between', async () => {
    await client.apply(cm('gone-keep', { v: '1' }));
    await client.apply(cm('gone-edit', { v: '1' }));
    await client.apply(cm('gone-drop', { v: '1' }));
    // A client whose first ConfigMap watch starts (after changes made in between) from a
    // resourceVersion long out of the server's window; later watches pass through.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let first = true;
    const oldVersionClient: CacheClient = {
      list: (t, o) => client.list(t, o),
      async watch(t: ResourceType, o: WatchOptions, onEvent: (e: WatchEvent) => void) {
        if (first && t.kind === 'ConfigMap') {
          first = false;
          await gate;
          return client.watch(t, { ...o, resourceVersion: '1' }, onEvent);
        }
        return client.watch(t, o, onEvent);
      },
    };
    const log = recordingLogger();
    const cache = newCache(oldVersionClient, { logger: log });
    const changes: LiveChange[] = [];
    cache.subscribe((c) => changes.push(c));
    await cache.watch([types.cm]);
    await client.apply(cm('gone-new', { v: '1' }));
    await client.apply(cm('gone-edit', { v: '2' }));
    await client.delete('v1', 'ConfigMap', NS, 'gone-drop');
    release();
    await until('the relist', () => cache.stats()[0]!.goneRelists >= 1);
    const byName = (name: string) => changes.filter((c) => c.object.metadata.name === name).map((c) => c.type);
    await until('the missed changes', () => byName('gone-new').length && byName('gone-edit').length && byName('gone-drop').length);
    assert.deepEqual(byName('gone-new'), ['ADDED']);
    assert.deepEqual(byName('gone-edit'), ['MODIFIED']);
    assert.deepEqual(byName('gone-drop'), ['DELETED']);
    assert.deepEqual(byName('gone-keep'), [], 'unchanged objects are not emitted');
    assert.equal(cache.get({ group: '', kind: 'ConfigMap', namespace: NS, name: 'gone-drop' }), undefined);
    assert.ok(log.lines.some((l) => l.msg.includes('410 Gone')));
    // and the watch goes on afterwards
    await client.apply(cm('gone-after', { v: '1' }));
    await until('a change after the relist', () => byName('gone-after').length === 1);
  });

  test('the resync check emits a change the watch lost', async () => {
    // A watch that silently drops every event about one object.
    const lossy: CacheClient = {
      list: (t, o) => client.list(t, o),
      watch: (t, o, onEvent) => client.watch(t, o, (e) => (e.object.metadata.name === 'lost' ? undefined : onEvent(e))),
    };
    const log = recordingLogger();
    const cache = newCache(lossy, { logger: log });
    const changes: LiveChange[] = [];
    cache.subscribe((c) => changes.push(c));
    await cache.watch([types.cm]);
    await client.apply(cm('lost', { v: '1' }));
    await client.apply(cm('seen', { v: '1' }));
    await until('the visible change', () => changes.some((c) => c.object.metadata.name === 'seen'));
    assert.equal(cache.get({ group: '', kind: 'ConfigMap', namespace: NS, name: 'lost' }), undefined);
    await cache.resyncNow();
    assert.deepEqual(
      changes.filter((c) => c.object.metadata.name === 'lost').map((c) => c.type),
      ['ADDED'],
    );
    assert.ok(cache.get({ group: '', kind: 'ConfigMap', namespace: NS, name: 'lost' }));
    assert.ok(log.lines.some((l) => l.level === 'warn' && l.msg.includes('resync found changes')));
  });

  test('the periodic resync runs by itself', async () => {
    const cache = newCache(client, { resyncIntervalMs: 200 });
    await cache.watch([types.cm]);
    await until('two resyncs', () => cache.stats()[0]!.relists >= 2, 5000);
    assert.equal(cache.stats()[0]!.relistChanges, 0);
  });

  test('types that cannot be listed and watched are skipped with a warning', async () => {
    const log = recordingLogger();
    const cache = newCache(client, { logger: log });
    const binding = await client.resourceType('v1', 'Binding');
    await cache.watch([binding, types.cm]);
    assert.deepEqual(cache.watchedTypes().map((t) => t.kind), ['ConfigMap']);
    assert.ok(log.lines.some((l) => l.level === 'warn' && l.msg.includes('cannot be listed and watched')));
  });

  test('a Deployment goes Progressing → Healthy as kwok makes its Pods ready', async (t) => {
    const cache = newCache();
    const seen: string[] = [];
    const key = keyString({ group: 'apps', kind: 'Deployment', namespace: NS, name: 'web' });
    cache.subscribe((c) => {
      if (keyString(resourceKeyOf(c.object)) === key) {
        const h = resourceHealth(c.object).status;
        if (seen.at(-1) !== h) seen.push(h);
      }
    });
    await cache.watch([types.deploy, types.pod]);
    await client.apply({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: NS, labels: { [APP_LABEL]: 'web-app' } },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'registry.invalid/berth/web:1.0.0' }] } },
      },
    });
    await until('Healthy', () => seen.includes('Healthy'), 60_000);
    assert.equal(seen[0], 'Progressing', `health sequence ${seen.join(' → ')}`);
    assert.equal(seen.at(-1), 'Healthy');
    t.diagnostic(`health sequence: ${seen.join(' → ')}`);
    const pods = [...cache.stats()].find((s) => s.type.kind === 'Pod');
    assert.ok(pods && pods.objects >= 2);
    assert.deepEqual(cache.byApp('web-app').map((o) => o.kind), ['Deployment']);
  });
});
