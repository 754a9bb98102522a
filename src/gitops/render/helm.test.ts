import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { peerPath, skipUnlessPeer } from '../../../test/support/peers.ts';
import type { KubeObject } from '../types.ts';
import { escapeSetValue } from './helm.ts';
import { ManifestRenderer, RenderError } from './index.ts';
import { source, writeTree } from './test-fixtures.ts';

test('escapeSetValue escapes unescaped commas except in {lists}', () => {
  assert.equal(escapeSetValue('a,b\\,c'), 'a\\,b\\,c');
  assert.equal(escapeSetValue('{a,b}'), '{a,b}');
});

const CHART = 'apiVersion: v2\nname: demo\nversion: 0.1.0\n';

describe('helm sources (real helm)', { skip: skipUnlessPeer('helm') }, () => {
  let tmp: string;
  let tree: string;
  let work: string;
  let helm: string;
  let renderer: ManifestRenderer;

  before(async () => {
    helm = peerPath('helm');
    tmp = await mkdtemp(path.join(os.tmpdir(), 'berth-helm-test-'));
    tree = path.join(tmp, 'tree');
    work = path.join(tmp, 'work');
    await writeTree(work, { '.keep': '' });
    renderer = new ManifestRenderer({ helmBinary: helm, cacheMaxBytes: 0, tempDir: work });
    await writeTree(tree, {
      'chart/Chart.yaml': CHART,
      'chart/values.yaml': 'replicas: 1\nmessage: hello\nimage: {tag: "1.0"}\n',
      'chart/values-prod.yaml': 'message: prod\nenv: production\n',
      'chart/templates/cm.yaml': `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-cfg
  namespace: {{ .Release.Namespace }}
data:
  message: {{ .Values.message | quote }}
  env: {{ .Values.env | default "none" | quote }}
  tag: {{ .Values.image.tag | quote }}
  replicas: {{ .Values.replicas | quote }}
  replicasKind: {{ kindOf .Values.replicas | quote }}
  list: {{ .Values.list | default "" | quote }}
`,
      'chart/templates/NOTES.txt': 'notes are not manifests',
      'chart/crds/crd.yaml': `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  names: {kind: Widget, plural: widgets}
  scope: Namespaced
  versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object}}}]
`,
      'deps/Chart.yaml': CHART + 'dependencies:\n- {name: redis, version: 1.0.0, repository: https://charts.example.com}\n',
      'deps/templates/x.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n',
      'badtpl/Chart.yaml': CHART,
      'badtpl/templates/x.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: {{ required "name is required" .Values.name }}}\n',
      'badsyntax/Chart.yaml': CHART,
      'badsyntax/templates/x.yaml': '{{ if }}\n',
      'notobj/Chart.yaml': CHART,
      'notobj/templates/x.yaml': 'hello: world\n',
      'escape/Chart.yaml': CHART,
      'escape/templates/x.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n',
      'loop/Chart.yaml': CHART,
      'loop/templates/x.yaml': '{{ range until 100000 }}{{ range until 100000 }}{{ end }}{{ end }}\n',
      'huge/Chart.yaml': CHART,
      'huge/templates/x.yaml': `{{ range $i := until 100000 }}# {{ $i }} ${'x'.repeat(100)}\n{{ end }}apiVersion: v1\nkind: ConfigMap\nmetadata: {name: huge}\n`,
    });
    await writeTree(tmp, { 'host-secret.txt': 'secret' });
    await symlink(path.join(tmp, 'host-secret.txt'), path.join(tree, 'escape', 'templates', 'secret.txt'));
  });
  after(async () => rm(tmp, { recursive: true, force: true }));

  const render = (p: string, helmOpts?: object, extra: { namespace?: string; appName?: string } = {}) =>
    renderer.render({
      treeDir: tree,
      source: source(p, helmOpts ? { helm: helmOpts } : {}),
      commit: 'c1',
      appName: extra.appName ?? 'myapp',
      namespace: extra.namespace ?? 'team-a',
    });
  const cmData = (objs: KubeObject[]) => objs.find((o) => o.kind === 'ConfigMap')!.data as Record<string, string>;

  test('auto-detected chart: release = app name, --namespace, CRDs included, NOTES skipped', async () => {
    const objs = await render('chart');
    assert.deepEqual(objs.map((o) => `${o.kind}/${o.metadata.name}`), ['CustomResourceDefinition/widgets.example.com', 'ConfigMap/myapp-cfg']);
    assert.equal(objs[1]!.metadata.namespace, 'team-a');
    assert.deepEqual(cmData(objs), { message: 'hello', env: 'none', tag: '1.0', replicas: '1', replicasKind: 'float64', list: '' });
  });

  test('valueFiles, inline values, valuesObject, parameters (--set vs --set-string), releaseName', async () => {
    let objs = await render('chart', { valueFiles: ['values-prod.yaml'], values: 'image: {tag: "2.0"}\n', releaseName: 'rel' });
    assert.equal(objs[1]!.metadata.name, 'rel-cfg');
    assert.deepEqual(cmData(objs), { message: 'prod', env: 'production', tag: '2.0', replicas: '1', replicasKind: 'float64', list: '' });

    // valuesObject wins over values; parameters win over both.
    objs = await render('chart', {
      values: 'message: from-values\n',
      valuesObject: { message: 'from-object', replicas: 2 },
      parameters: [
        { name: 'replicas', value: '3', forceString: false },
        { name: 'image.tag', value: '010', forceString: true },
        { name: 'list', value: 'a,b', forceString: false },
      ],
    });
    assert.deepEqual(cmData(objs), { message: 'from-object', env: 'none', tag: '010', replicas: '3', replicasKind: 'int64', list: 'a,b' });
    objs = await render('chart', { parameters: [{ name: 'replicas', value: '3', forceString: true }] });
    assert.equal(cmData(objs).replicasKind, 'string');
  });

  test('value files must stay in the tree; a missing one is named', async () => {
    await assert.rejects(render('chart', { valueFiles: ['../../host-secret.txt'] }), /leaves the repository/);
    await assert.rejects(render('chart', { valueFiles: ['nope.yaml'] }), /helm value file "nope\.yaml" does not exist/);
  });

  test('a chart with unvendored dependencies is a clear error (no network)', async () => {
    await assert.rejects(render('deps'), (e: Error) => e instanceof RenderError && /helm dependency build/.test(e.message) && /redis/.test(e.message));
  });

  test('a symlink out of the tree in the chart is refused before helm runs', async () => {
    const before = renderer.stats.spawns;
    await assert.rejects(render('escape'), /escape\/templates\/secret\.txt is a symlink that points outside the repository/);
    assert.equal(renderer.stats.spawns, before);
  });

  test('helm errors name repository paths only, never the tree or work directory', async () => {
    for (const chart of ['badtpl', 'badsyntax']) {
      await assert.rejects(render(chart, { values: 'other: 1\n' }), (e: Error) => {
        assert.ok(e instanceof RenderError && e.code === 'tool-failed', String(e));
        assert.ok(!e.message.includes(tmp) && !e.message.includes('berth-render-'), e.message);
        return true;
      });
    }
  });

  test('a template that is not a Kubernetes object is named by its template path', async () => {
    await assert.rejects(render('notobj'), /demo\/templates\/x\.yaml is not a Kubernetes object/);
  });

  test('hostile charts: an endless template is killed at the timeout, a huge output at the size limit', async () => {
    const strict = new ManifestRenderer({ helmBinary: helm, timeoutMs: 1500, tempDir: work });
    const small = new ManifestRenderer({ helmBinary: helm, maxOutputBytes: 1 << 20, tempDir: work });
    let t0 = performance.now();
    await assert.rejects(strict.render({ treeDir: tree, source: source('loop'), commit: 'c1', appName: 'a', namespace: '' }), (e: Error) => e instanceof RenderError && e.code === 'timeout');
    const timeoutMs = performance.now() - t0;
    assert.ok(timeoutMs < 4000, `stopped after ${timeoutMs} ms`);
    t0 = performance.now();
    await assert.rejects(small.render({ treeDir: tree, source: source('huge'), commit: 'c1', appName: 'a', namespace: '' }), (e: Error) => e instanceof RenderError && e.code === 'output-limit' && /1 MiB limit/.test(e.message));
    console.log(`# hostile charts: timeout stop after ${Math.round(timeoutMs)} ms (limit 1500), size stop after ${Math.round(performance.now() - t0)} ms`);
    // Berth is fine: no helm left running, temp dirs gone, the next render works.
    const ps = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
    assert.ok(!ps.includes(path.join(tree, 'loop')) && !ps.includes(path.join(tree, 'huge')), ps);
    assert.deepEqual(await readdir(work), ['.keep']);
    assert.equal((await strict.render({ treeDir: tree, source: source('chart'), commit: 'c1', appName: 'a', namespace: '' })).length, 2);
  });
});
