import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { peerPath, skipUnlessPeer } from '../../../test/support/peers.ts';
import type { RenderInput } from '../types.ts';
import { ByteLru } from './cache.ts';
import { detectSourceType, ManifestRenderer, RenderError } from './index.ts';
import { source, writeTree } from './test-fixtures.ts';

let tmp: string;
let tree: string;
before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'berth-renderer-test-'));
  tree = path.join(tmp, 'tree');
  await writeTree(tree, {
    'chart/Chart.yaml': 'apiVersion: v2\nname: demo\nversion: 0.1.0\n',
    'chart/templates/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n  namespace: {{ .Release.Namespace }}\ndata: {v: {{ .Values.v | default "x" | quote }}}\n',
    'both/Chart.yaml': 'apiVersion: v2\nname: demo\nversion: 0.1.0\n',
    'both/kustomization.yaml': 'resources: []\n',
    'plain/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: plain}\n',
    // A stand-in "helm" that prints its environment as a ConfigMap.
    'bin/env-helm': '#!/bin/sh\necho "apiVersion: v1"; echo "kind: ConfigMap"; echo "metadata: {name: env}"; echo "data:"\nenv | sort | sed \'s/^\\([^=]*\\)=\\(.*\\)$/  "\\1": "\\2"/\'\n',
  });
  await chmod(path.join(tree, 'bin', 'env-helm'), 0o755);
});
after(async () => rm(tmp, { recursive: true, force: true }));

const input = (p: string, extra: Partial<RenderInput> = {}): RenderInput => ({ treeDir: tree, source: source(p), commit: 'c1', appName: 'app', namespace: 'ns', ...extra });

test('ByteLru evicts least recently used entries by bytes', () => {
  const lru = new ByteLru(10);
  lru.set('a', '1234');
  lru.set('b', '1234');
  assert.equal(lru.get('a'), '1234'); // a is now most recent
  lru.set('c', '1234'); // evicts b
  assert.equal(lru.get('b'), undefined);
  assert.deepEqual([lru.get('a'), lru.get('c'), lru.bytes, lru.size], ['1234', '1234', 8, 2]);
  lru.set('big', 'x'.repeat(11));
  assert.equal(lru.get('big'), undefined);
  assert.equal(lru.bytes, 8);
});

test('source type detection: explicit block, kustomization over Chart.yaml, else directory', async () => {
  assert.equal(await detectSourceType(path.join(tree, 'both'), source('both')), 'Kustomize');
  assert.equal(await detectSourceType(path.join(tree, 'chart'), source('chart')), 'Helm');
  assert.equal(await detectSourceType(path.join(tree, 'plain'), source('plain')), 'Directory');
  assert.equal(await detectSourceType(path.join(tree, 'chart'), source('chart', { directory: { recurse: false } })), 'Directory');
});

test('a missing binary is a RenderError saying how to fix it', async () => {
  const r = new ManifestRenderer({ helmBinary: 'berth-no-such-helm', kustomizeBinary: path.join(tmp, 'nope', 'kustomize') });
  await assert.rejects(r.render(input('chart')), (e: Error) => e instanceof RenderError && e.code === 'not-installed' && e.message === 'helm is not installed (looked for berth-no-such-helm): install it or set BERTH_HELM_PATH');
  await assert.rejects(r.render(input('both')), /^RenderError: kustomize is not installed .*: install it or set BERTH_KUSTOMIZE_PATH$/);
});

test('tools get a minimal environment: none of Berth\'s variables', async () => {
  process.env.BERTH_TEST_SECRET = 'do-not-leak';
  try {
    const r = new ManifestRenderer({ helmBinary: path.join(tree, 'bin', 'env-helm') });
    const [cm] = await r.render(input('chart'));
    const env = cm!.data as Record<string, string>;
    assert.equal(env.BERTH_TEST_SECRET, undefined);
    assert.deepEqual(
      Object.keys(env).filter((k) => !['PWD', 'SHLVL', '_'].includes(k)),
      ['HELM_CACHE_HOME', 'HELM_CONFIG_HOME', 'HELM_DATA_HOME', 'HELM_PLUGINS', 'HOME', 'KUBECONFIG', 'KUSTOMIZE_PLUGIN_HOME', 'LANG', 'PATH', 'TMPDIR'],
    );
    assert.match(env.HELM_CACHE_HOME!, /berth-render-/);
  } finally {
    delete process.env.BERTH_TEST_SECRET;
  }
});

describe('cache (real helm)', { skip: skipUnlessPeer('helm') }, () => {
  test('a hit returns equal, independent objects without running helm; the key covers namespace, parameters and repo URL', async () => {
    const r = new ManifestRenderer({ helmBinary: peerPath('helm') });
    const first = await r.render(input('chart'));
    assert.equal(r.stats.spawns, 1);
    first[0]!.metadata.name = 'mutated';
    const second = await r.render(input('chart'));
    assert.equal(r.stats.spawns, 1);
    assert.equal(second[0]!.metadata.name, 'app');
    assert.deepEqual(second, await r.render(input('chart')));
    assert.equal(r.stats.cacheHits, 2);

    await r.render(input('chart', { namespace: 'other' }));
    await r.render(input('chart', { commit: 'c2' }));
    await r.render({ ...input('chart'), source: source('chart', { helm: { valueFiles: [], parameters: [{ name: 'v', value: 'y', forceString: false }] } }) });
    await r.render(input('chart'), { repoUrl: 'https://git.example/other.git' });
    assert.equal(r.stats.spawns, 5);
    await r.render(input('chart'), { bypassCache: true });
    assert.equal(r.stats.spawns, 6);
    assert.ok(r.stats.cacheBytes > 0 && r.stats.cacheEntries === 5);
  });

  test('identical concurrent renders run helm once (single flight)', async () => {
    const r = new ManifestRenderer({ helmBinary: peerPath('helm') });
    const results = await Promise.all(Array.from({ length: 8 }, () => r.render(input('chart'))));
    assert.equal(r.stats.spawns, 1);
    for (const res of results) assert.deepEqual(res, results[0]);
    results[0]![0]!.metadata.name = 'changed';
    assert.equal(results[1]![0]!.metadata.name, 'app');
  });

  test('failures are not cached', async () => {
    const r = new ManifestRenderer({ helmBinary: peerPath('helm') });
    const bad = { ...input('chart'), source: source('chart', { helm: { valueFiles: ['missing.yaml'], parameters: [] } }) };
    await assert.rejects(r.render(bad));
    await assert.rejects(r.render(bad));
    assert.equal(r.stats.cacheEntries, 0);
  });
});
