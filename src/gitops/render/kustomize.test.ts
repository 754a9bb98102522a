import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { peerPath, skipUnlessPeer } from '../../../test/support/peers.ts';
import type { KubeObject } from '../types.ts';
import { overlayImages } from './kustomize.ts';
import { ManifestRenderer, RenderError } from './index.ts';
import { source, writeTree } from './test-fixtures.ts';

const DIGEST = 'sha256:' + 'a'.repeat(64);

test('overlayImages maps changed entries to the name the base produces', () => {
  const original = [{ name: 'redis', newName: 'reg.example/redis', newTag: '6' }, { name: 'keep', newTag: '1' }];
  // What `kustomize edit set image redis:7 nginx:1.25` leaves: the redis entry replaced (its newName gone).
  const edited = [{ name: 'redis', newTag: '7' }, { name: 'keep', newTag: '1' }, { name: 'nginx', newTag: '1.25' }];
  assert.deepEqual(overlayImages(original, edited), [{ name: 'reg.example/redis', newName: 'redis', newTag: '7' }, { name: 'nginx', newTag: '1.25' }]);
});

describe('kustomize sources (real kustomize)', { skip: skipUnlessPeer('kustomize') }, () => {
  let tmp: string;
  let tree: string;
  let kustomize: string;
  let renderer: ManifestRenderer;
  const deploy = (name: string, images: string[]) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      containers:
${images.map((img, i) => `      - {name: c${i}, image: "${img}"}`).join('\n')}
`;

  before(async () => {
    kustomize = peerPath('kustomize');
    renderer = new ManifestRenderer({ kustomizeBinary: kustomize, cacheMaxBytes: 0 });
    tmp = await mkdtemp(path.join(os.tmpdir(), 'berth-kustomize-test-'));
    tree = path.join(tmp, 'tree');
    await writeTree(tree, {
      'base/kustomization.yaml': 'resources: [deploy.yaml, svc.yaml]\n',
      'base/deploy.yaml': deploy('web', ['nginx:1.0', 'busybox', 'redis:5', 'alpine:3.18', 'untouched:1']),
      'base/svc.yaml': 'apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  ports: [{port: 80}]\n',
      'app/kustomization.yaml': 'resources: [../base, cm.yaml]\nimages:\n- {name: redis, newName: reg.example/redis, newTag: "6"}\n- {name: untouched, newTag: "2"}\n',
      'app/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {a: b}\n',
      'remote/kustomization.yaml': 'resources: [https://raw.example.com/x.yaml]\n',
      'outside/kustomization.yaml': `resources: [${path.join(tmp, 'elsewhere')}]\n`,
    });
    await writeTree(tmp, { 'elsewhere/kustomization.yaml': 'resources: [cm.yaml]\n', 'elsewhere/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: stolen}\n' });
    await writeTree(tree, { 'linked/kustomization.yaml': 'resources: [base]\n' });
    await symlink(path.join(tmp, 'elsewhere'), path.join(tree, 'linked', 'base'));
    await writeTree(tree, { 'broken/kustomization.yaml': 'resources: [missing.yaml]\n' });
    await new Promise((r) => setTimeout(r, 20));
    await writeTree(tmp, { marker: '' });
  });
  after(async () => rm(tmp, { recursive: true, force: true }));

  const render = (p: string, kustomize?: object) =>
    renderer.render({ treeDir: tree, source: source(p, kustomize ? { kustomize } : {}), commit: 'c1', appName: 'app', namespace: 'dest' });
  const images = (objs: KubeObject[]) =>
    ((objs.find((o) => o.kind === 'Deployment')!.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers).map((c) => c.image);

  test('auto-detected, plain kustomize build', async () => {
    const objs = await render('app');
    assert.deepEqual(objs.map((o) => `${o.kind}/${o.metadata.name}`).sort(), ['ConfigMap/settings', 'Deployment/web', 'Service/web']);
    assert.deepEqual(images(objs), ['nginx:1.0', 'busybox', 'reg.example/redis:6', 'alpine:3.18', 'untouched:2']);
  });

  test('images (tag, digest, newName, an entry the kustomization already has) match `kustomize edit set image` in place', async () => {
    const set = ['nginx:1.25', `busybox@${DIGEST}`, 'redis:7', 'alpine=mirror.example/alpine:3.20'];
    const objs = await render('app', { images: set });
    // kustomize's edit replaces the app's own redis entry, so its newName goes.
    assert.deepEqual(images(objs), ['nginx:1.25', `busybox@${DIGEST}`, 'redis:7', 'mirror.example/alpine:3.20', 'untouched:2']);

    // What Argo CD does: edit the kustomization in a (here: temporary) copy, then build.
    const copy = path.join(tmp, 'copy');
    await cp(tree, copy, { recursive: true, verbatimSymlinks: true });
    execFileSync(kustomize, ['edit', 'set', 'image', ...set], { cwd: path.join(copy, 'app') });
    const expected = parseAllDocuments(execFileSync(kustomize, ['build', path.join(copy, 'app')], { encoding: 'utf8' })).map((d) => d.toJS() as KubeObject);
    assert.deepEqual(objs, expected);
  });

  test('namePrefix, nameSuffix, commonLabels, commonAnnotations, namespace', async () => {
    const objs = await render('app', { namePrefix: 'p-', nameSuffix: '-s', commonLabels: { team: 'a' }, commonAnnotations: { note: 'x' }, namespace: 'kns' });
    for (const o of objs) {
      assert.match(o.metadata.name, /^p-.*-s$/);
      assert.equal(o.metadata.labels?.team, 'a');
      assert.equal(o.metadata.annotations?.note, 'x');
      assert.equal(o.metadata.namespace, 'kns');
    }
    const svc = objs.find((o) => o.kind === 'Service')!;
    assert.deepEqual((svc.spec as { selector: object }).selector, { app: 'web', team: 'a' });
  });

  test('the tree is not modified', () => {
    assert.equal(execFileSync('find', [tree, '-newer', path.join(tmp, 'marker')], { encoding: 'utf8' }), '');
  });

  test('remote bases and bases outside the tree are refused', async () => {
    await assert.rejects(render('remote'), /remote resources entry "https:\/\/raw\.example\.com\/x\.yaml" is not supported/);
    await assert.rejects(render('outside'), (e: Error) => e instanceof RenderError && /points outside the repository/.test(e.message));
    await assert.rejects(render('linked'), /resources entry "base" points outside the repository/);
  });

  test('kustomize errors come back readable, without temp paths', async () => {
    await assert.rejects(render('broken', { namePrefix: 'x-' }), (e: Error) => {
      assert.ok(e instanceof RenderError && e.code === 'tool-failed', String(e));
      assert.match(e.message, /^kustomize failed: .*missing\.yaml/s);
      assert.ok(!e.message.includes(tree) && !e.message.includes('berth-render-'), e.message);
      return true;
    });
  });
});

describe('kustomize errors name repository paths only (real kustomize)', { skip: skipUnlessPeer('kustomize') }, () => {
  let tmp: string;
  after(async () => rm(tmp, { recursive: true, force: true }));

  test('a broken kustomization, built directly or through Berth\'s overlay, quotes no path of the data directory', async () => {
    // Laid out as in Berth: trees and render temp under one data directory, here reached through a symlink.
    tmp = await mkdtemp(path.join(os.tmpdir(), 'berth-kustomize-paths-'));
    const dataDir = path.join(tmp, 'var-lib-berth');
    const linked = path.join(tmp, 'data-link');
    await mkdir(path.join(dataDir, 'gitops', 'render'), { recursive: true });
    await symlink(dataDir, linked);
    const tree = path.join(linked, 'gitops', 'git', 'trees', 'c'.repeat(40));
    await writeTree(tree, {
      'apps/broken/kustomization.yaml': 'resources: [../base, missing.yaml]\n',
      'apps/base/kustomization.yaml': 'configMapGenerator:\n- name: settings\n  files: [absent.txt]\n',
    });
    const renderer = new ManifestRenderer({ kustomizeBinary: peerPath('kustomize'), cacheMaxBytes: 0, tempDir: path.join(linked, 'gitops', 'render') });
    for (const kustomize of [undefined, { namePrefix: 'x-' }, { images: ['nginx:1.25'] }]) {
      const what = JSON.stringify(kustomize ?? 'plain');
      await assert.rejects(renderer.render({ treeDir: tree, source: source('apps/broken', kustomize ? { kustomize } : {}), commit: 'c', appName: 'app', namespace: 'dest' }), (e: Error) => {
        assert.ok(e instanceof RenderError && e.code === 'tool-failed', `${what}: ${String(e)}`);
        for (const leak of [tmp, 'var-lib-berth', 'data-link', 'gitops/', 'trees/', 'berth-render-', '../..']) {
          assert.ok(!e.message.includes(leak), `${what}: the message quotes ${leak}: ${e.message}`);
        }
        assert.match(e.message, /absent\.txt/, what);
        return true;
      });
    }
  });
});
