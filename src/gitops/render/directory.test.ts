import assert from 'node:assert/strict';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ApplicationSource } from '../model.ts';
import { globMatcher } from './directory.ts';
import { ManifestRenderer, RenderError } from './index.ts';
import { source, writeTree } from './test-fixtures.ts';

const cm = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n`;
const src = (p: string, directory?: ApplicationSource['directory']): ApplicationSource => source(p, directory ? { directory } : {});

describe('directory sources', () => {
  let tmp: string;
  let tree: string;
  const renderer = new ManifestRenderer({ cacheMaxBytes: 0 });
  const names = async (source: ApplicationSource) =>
    (await renderer.render({ treeDir: tree, source, commit: 'c1', appName: 'app', namespace: 'ns' })).map((o) => o.metadata.name);

  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'berth-dir-test-'));
    tree = path.join(tmp, 'tree');
    await writeTree(tree, {
      'app/b.yaml': `${cm('b1')}---\n# only a comment\n---\n${cm('b2')}\n---\n`,
      'app/a.json': JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } }),
      'app/c.yml': 'apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: c1}\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: c2}}\n',
      'app/README.md': 'not a manifest',
      'app/sub/d.yaml': cm('d'),
      'app/sub/deeper/e.yaml': cm('e'),
      'app/sub/skip.yaml': cm('skip'),
      'bad/x.yaml': 'apiVersion: v1\nkind: ConfigMap\ndata: {}\n',
      'badyaml/x.yaml': 'a: [1\n',
      'escape/ok.yaml': cm('ok'),
      'inner/ok.yaml': cm('inner-ok'),
      'yaml11/x.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: y11\ndata:\n  date: 2024-01-01\n  on: yes\n',
    });
    await writeFile(path.join(tmp, 'secret.yaml'), cm('outside'));
    await symlink(path.join(tmp, 'secret.yaml'), path.join(tree, 'escape', 'link.yaml'));
    await symlink('../app/sub/d.yaml', path.join(tree, 'inner', 'linked.yaml'));
  });
  after(async () => rm(tmp, { recursive: true, force: true }));

  test('multi-document YAML, JSON and List files in sorted order; empty documents and other files skipped', async () => {
    assert.deepEqual(await names(src('app')), ['a', 'b1', 'b2', 'c1', 'c2']);
  });

  test('recurse, include and exclude (Argo globs: * crosses /, {a,b})', async () => {
    assert.deepEqual(await names(src('app', { recurse: true })), ['a', 'b1', 'b2', 'c1', 'c2', 'd', 'e', 'skip']);
    assert.deepEqual(await names(src('app', { recurse: true, exclude: '*skip.yaml' })), ['a', 'b1', 'b2', 'c1', 'c2', 'd', 'e']);
    assert.deepEqual(await names(src('app', { recurse: true, include: '{a.json,sub/*}', exclude: 'sub/skip.yaml' })), ['a', 'd', 'e']);
    assert.deepEqual(await names(src('app', { recurse: true, include: '*.yml' })), ['c1', 'c2']);
  });

  test('a document without apiVersion/kind/metadata.name is an error naming the file', async () => {
    await assert.rejects(names(src('bad')), (err: Error) => err instanceof RenderError && /bad\/x\.yaml is not a Kubernetes object/.test(err.message));
    await assert.rejects(names(src('badyaml')), (err: Error) => err instanceof RenderError && /badyaml\/x\.yaml: invalid YAML/.test(err.message));
  });

  test('YAML 1.1 like kubectl: yes is a boolean, dates stay strings', async () => {
    const [obj] = await renderer.render({ treeDir: tree, source: src('yaml11'), commit: 'c1', appName: 'app', namespace: '' });
    assert.deepEqual(obj!.data, { date: '2024-01-01', true: true });
  });

  test('a symlink out of the tree is refused; one inside is read', async () => {
    await assert.rejects(names(src('escape')), (err: Error) => err instanceof RenderError && /escape\/link\.yaml is a symlink that points outside the repository/.test(err.message));
    assert.deepEqual(await names(src('inner')), ['d', 'inner-ok']);
  });

  test('the source path must stay inside the tree', async () => {
    await assert.rejects(names(src('../')), /leaves the repository/);
    await assert.rejects(names(src('missing')), /does not exist/);
    await symlink(tmp, path.join(tree, 'up'));
    await assert.rejects(names(src('up')), /points outside the repository/);
  });

  test('globMatcher', () => {
    assert.equal(globMatcher('*.yaml')('sub/x.yaml'), true);
    assert.equal(globMatcher('{a,b}.yaml')('b.yaml'), true);
    assert.equal(globMatcher('{a,b}.yaml')('c.yaml'), false);
    assert.equal(globMatcher('**/README.md')('README.md'), true);
  });
});
