/**
 * Python catalogers on metadata installed by pip 23.2 (`pip install --target`),
 * an egg-info written by setuptools, `pip freeze` output, a poetry.lock from
 * Poetry 2 and a Pipfile.lock from pipenv (test/fixtures/catalogers/README.md);
 * malformed and hostile inputs written here.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { catalog, fixture, ids } from '../../../../test/support/catalogers.ts';
import { parseCoreMetadata, parseRequirementLine, pipfileLockCataloger, poetryLockCataloger, pythonDistCataloger, pythonRequirementsCataloger } from './python.ts';
import { readArrayTables } from './toml-tables.ts';

const SITE = '/usr/local/lib/python3.12/site-packages';

describe('python-dist', () => {
  for (const [dir, id, licenses] of [
    ['six-1.15.0.dist-info', 'six@1.15.0', ['MIT']],
    ['idna-2.8.dist-info', 'idna@2.8', ['BSD-like']],
    ['urllib3-1.26.4.dist-info', 'urllib3@1.26.4', ['MIT']],
  ] as const) {
    it(`${dir}/METADATA`, async () => {
      const r = await catalog(pythonDistCataloger, `${SITE}/${dir}/METADATA`, fixture('python', 'site-packages', dir, 'METADATA'));
      assert.deepEqual(ids(r.facts), [id]);
      assert.deepEqual(r.facts[0]!.licenses, [...licenses]);
      assert.equal(r.facts[0]!.type, 'pypi');
    });
  }

  it('egg-info directory and single-file egg-info (name kept as published)', async () => {
    const pkgInfo = fixture('python', 'site-packages', 'Legacy_Tool.egg-info', 'PKG-INFO');
    const r = await catalog(pythonDistCataloger, `${SITE}/Legacy_Tool.egg-info/PKG-INFO`, pkgInfo);
    assert.deepEqual(ids(r.facts), ['Legacy_Tool@0.9.1']);
    const single = await catalog(pythonDistCataloger, '/usr/lib/python3/dist-packages/Legacy_Tool-0.9.1.egg-info', pkgInfo);
    assert.deepEqual(ids(single.facts), ['Legacy_Tool@0.9.1']);
  });

  it('only METADATA inside .dist-info is wanted; a header without a version gives nothing', async () => {
    assert.equal((await catalog(pythonDistCataloger, '/src/METADATA', 'Name: x\nVersion: 1\n')).wanted, false);
    assert.equal((await catalog(pythonDistCataloger, `${SITE}/x-1.dist-info/RECORD`, '')).wanted, false);
    assert.deepEqual((await catalog(pythonDistCataloger, `${SITE}/x-1.dist-info/METADATA`, 'Name: x\n')).facts, []);
    // Fields after the first blank line are the description, not the header.
    const fields = parseCoreMetadata('Name: a\nVersion: 1\n\nVersion: 2\n');
    assert.deepEqual(fields.get('version'), ['1']);
  });
});

describe('python-requirements', () => {
  it('pip freeze output', async () => {
    const r = await catalog(pythonRequirementsCataloger, '/app/requirements.txt', fixture('python', 'requirements.txt'));
    assert.deepEqual(ids(r.facts), ['idna@2.8', 'six@1.15.0', 'urllib3@1.26.4']);
  });

  it('only exact pins; extras, markers, hashes, continuations, comments and options handled', async () => {
    const text = [
      '# comment',
      '-r base.txt',
      '--index-url https://example.invalid/simple',
      '-e git+https://example.invalid/x.git#egg=x',
      'requests[security]==2.19.0 ; python_version >= "3.6" \\',
      '    --hash=sha256:aaaa \\',
      '    --hash=sha256:bbbb',
      'Django>=3.0',
      'flask ~= 1.0',
      'pinned===1.0+local  # trailing comment',
      'star==1.*',
      'pkg @ https://example.invalid/pkg.whl',
    ].join('\n');
    const r = await catalog(pythonRequirementsCataloger, '/app/requirements-prod.txt', text);
    assert.deepEqual(ids(r.facts), ['pinned@1.0+local', 'requests@2.19.0']);
    assert.deepEqual(parseRequirementLine('a == 1.0'), { name: 'a', version: '1.0' });
    assert.equal((await catalog(pythonRequirementsCataloger, '/app/notes.txt', 'a==1')).wanted, false);
  });
});

describe('poetry-lock and pipfile-lock', () => {
  it('poetry.lock from Poetry 2: the dev group left out', async () => {
    const r = await catalog(poetryLockCataloger, '/app/poetry.lock', fixture('python', 'poetry.lock'));
    assert.deepEqual(ids(r.facts), ['idna@2.8', 'six@1.15.0']);
    assert.deepEqual(r.skipped, []);
  });

  it('poetry 1.1 category = "dev" left out; sub-tables and multi-line arrays stepped over', async () => {
    const text = [
      '[[package]]', 'name = "a"', 'version = "1.0"', 'category = "main"',
      '[package.dependencies]', 'name = "not-a-package"',
      '[[package.files]]', 'version = "9"',
      '[[package]]', 'name = "b"', 'version = "2.0"', 'category = "dev"',
      '[[package]]', "name = 'c'", 'version = "3.0"', 'files = [', '  {file = "c [x].whl", hash = "sha256:1"},', ']',
      '[metadata]', 'content-hash = "x"',
    ].join('\n');
    assert.deepEqual(ids((await catalog(poetryLockCataloger, '/app/poetry.lock', text)).facts), ['a@1.0', 'c@3.0']);
  });

  it('an array that never closes is reported, not looped on', async () => {
    const r = await catalog(poetryLockCataloger, '/app/poetry.lock', '[[package]]\nname = "a"\nversion = "1"\nfiles = [\n  "x",\n');
    assert.deepEqual(r.facts, []);
    assert.match(r.skipped[0]!.reason, /never closes/);
    assert.deepEqual(readArrayTables('[[package]]\nname = "x\\u0041"\n', 'package'), [{ name: 'xA' }]);
  });

  it('Pipfile.lock from pipenv: default kept, develop left out', async () => {
    const r = await catalog(pipfileLockCataloger, '/app/Pipfile.lock', fixture('python', 'Pipfile.lock'));
    assert.deepEqual(ids(r.facts), ['idna@2.8', 'six@1.15.0']);
    const bad = await catalog(pipfileLockCataloger, '/app/Pipfile.lock', '{"default": ');
    assert.match(bad.skipped[0]!.reason, /malformed JSON/);
  });
});
