/**
 * The language catalogers inside the real analyzer (layer reader, whiteouts,
 * purls): an image whose first layer holds the fixtures of every ecosystem
 * (test/fixtures/catalogers, made by the real tools), and whose second layer
 * deletes one file and replaces another. Checks each ecosystem's packages,
 * purls, locations (nested jars), which cataloger found them, and the
 * lock/installed reconciliation the analyzer applies to the whole inventory.
 */
import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { FIXTURES } from '../../../../test/support/catalogers.ts';
import { MemoryImageSource, type LayerFile } from '../../../../test/support/image-layers.ts';
import { analyzeImage } from '../analyze.ts';

/** Every fixture file, placed under `root` in the image. */
function tree(dir: string, root: string): LayerFile[] {
  const out: LayerFile[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push({ path: `${root}/${relative(dir, p)}`, content: readFileSync(p) });
    }
  };
  walk(dir);
  return out;
}

const f = (...p: string[]) => readFileSync(join(FIXTURES, ...p));

describe('language catalogers in an image', () => {
  it('every ecosystem found through the layer reader; whiteouts and overwrites respected; lock files reconciled', async () => {
    const src = new MemoryImageSource();
    const base = await src.layer([
      // Node app: lock file + installed tree, and a yarn.lock in a project that has nothing installed.
      { path: 'app/package.json', content: f('npm', 'package.json') },
      { path: 'app/package-lock.json', content: f('npm', 'package-lock-v3.json') },
      ...tree(join(FIXTURES, 'npm', 'node_modules'), 'app/node_modules'),
      { path: 'tools/yarn.lock', content: f('npm', 'yarn-classic.lock') },
      // Python: installed wheels and a requirements file naming the same packages.
      ...tree(join(FIXTURES, 'python', 'site-packages'), 'usr/local/lib/python3.12/site-packages'),
      { path: 'srv/api/requirements.txt', content: f('python', 'requirements.txt') },
      // Java: an EAR in a server's deployments, a jar deleted by the next layer.
      { path: 'opt/server/deployments/app.ear', content: f('java', 'app.ear') },
      { path: 'opt/server/lib/javax.inject-1.jar', content: f('java', 'javax.inject-1.jar') },
      { path: 'src/Cargo.lock', content: f('rust', 'Cargo.lock') },
      { path: 'dotnet/Fixture.App.deps.json', content: f('dotnet', 'Fixture.App.deps.json') },
      { path: 'var/www/composer.lock', content: f('php', 'composer.lock') },
      { path: 'var/www/vendor/composer/installed.json', content: f('php', 'vendor', 'composer', 'installed.json') },
      ...tree(join(FIXTURES, 'ruby', 'specifications'), 'usr/local/bundle/specifications'),
      { path: 'usr/local/app/Gemfile.lock', content: f('ruby', 'Gemfile.lock') },
    ]);
    const top = await src.layer([
      { path: 'opt/server/lib/.wh.javax.inject-1.jar', content: '' },
      // lodash upgraded in place: the installed package.json of the later layer wins.
      { path: 'app/node_modules/lodash/package.json', content: '{"name":"lodash","version":"4.17.21","license":"MIT"}' },
    ]);
    const digest = src.image([base, top]);
    const started = performance.now();
    const [inv] = await analyzeImage(src, { digest });
    const ms = performance.now() - started;
    assert.ok(inv);
    assert.deepEqual(inv.skipped, []);
    const by = (foundBy: string) => inv.packages.filter((p) => p.foundBy === foundBy).map((p) => `${p.name}@${p.version}`).sort();

    assert.deepEqual(by('npm-installed'), ['@types/ms@0.7.31', 'debug@4.1.1', 'fixture-app@1.0.0', 'is-number@7.0.0', 'lodash@4.17.21', 'minimist@1.2.5', 'ms@2.0.0', 'ms@2.1.3']);
    // Lock files whose packages are installed drop out (reconciliation); the yarn.lock of a project with nothing installed stays.
    assert.deepEqual(by('npm-lock'), []);
    assert.equal(by('yarn-lock').length, 7);
    assert.deepEqual(by('python-requirements'), []);
    assert.deepEqual(by('composer-lock'), []);
    // rake is locked but no rake gemspec is installed: it stays, the two installed gems drop.
    assert.deepEqual(by('gemfile-lock'), ['rake@13.0.6']);
    assert.deepEqual(by('python-dist'), ['Legacy_Tool@0.9.1', 'idna@2.8', 'six@1.15.0', 'urllib3@1.26.4']);
    assert.deepEqual(by('java-archive'), ['javax.inject:javax.inject@1', 'org.slf4j:slf4j-api@1.7.30']);
    assert.deepEqual(by('cargo-lock'), ['base64@0.13.0', 'fixture-crate@0.1.0', 'smallvec@1.6.0']);
    assert.equal(by('dotnet-deps').length, 3);
    assert.equal(by('composer-installed').length, 3);
    assert.deepEqual(by('gemspec'), ['digest@3.1.0', 'rexml@3.2.5', 'webrick@1.8.1']);

    const slf4j = inv.packages.find((p) => p.name === 'org.slf4j:slf4j-api')!;
    assert.equal(slf4j.purl, 'pkg:maven/org.slf4j/slf4j-api@1.7.30');
    assert.equal(slf4j.location, '/opt/server/deployments/app.ear!/app.war!/WEB-INF/lib/slf4j-api-1.7.30.jar');
    assert.equal(inv.packages.find((p) => p.name === '@types/ms' && p.foundBy === 'npm-installed')!.purl, 'pkg:npm/%40types/ms@0.7.31');
    assert.equal(inv.packages.find((p) => p.name === 'monolog/monolog' && p.foundBy === 'composer-installed')!.purl, 'pkg:composer/monolog/monolog@2.0.0');

    assert.equal(inv.packages.length, 34);
    console.log(`language image: ${inv.packages.length} packages after reconciliation in ${ms.toFixed(0)} ms`);
  });
});
