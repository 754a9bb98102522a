/**
 * npm catalogers on lock files and node_modules made by the real tools on this
 * machine (npm 11 for lockfile v3 and v2, npm 6 for v1, yarn 1.22 and 4,
 * pnpm 7/8/9; see test/fixtures/catalogers/README.md), plus malformed and
 * hostile inputs written here.
 */
import { strict as assert } from 'node:assert';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { FIXTURES, catalog, fixture, ids } from '../../../../test/support/catalogers.ts';
import { npmInstalledCataloger } from './npm-installed.ts';
import { nameFromLockPath, nameFromYarnSpec, npmLockCataloger, parsePnpmKey, pnpmLockCataloger, yarnLockCataloger } from './npm-lock.ts';

/** What `npm install` put in node_modules without the devDependency is-number. */
const PRODUCTION = ['@types/ms@0.7.31', 'debug@4.1.1', 'lodash@4.17.20', 'minimist@1.2.5', 'ms@2.0.0', 'ms@2.1.3'];

describe('npm-lock: package-lock.json', () => {
  for (const v of [1, 2, 3]) {
    it(`lockfileVersion ${v}: every production package once, dev packages left out`, async () => {
      const r = await catalog(npmLockCataloger, '/app/package-lock.json', fixture('npm', `package-lock-v${v}.json`));
      assert.equal(r.wanted, true);
      assert.deepEqual(ids(r.facts), PRODUCTION);
      assert.deepEqual(r.skipped, []);
      assert.ok(r.facts.every((f) => f.type === 'npm'));
    });
  }

  it('npm-shrinkwrap.json is read; lock files inside node_modules are not (they describe nothing installed)', () => {
    const ref = (path: string) => ({ path, layer: 'l', size: 1, mode: 0o644 });
    assert.equal(npmLockCataloger.wants(ref('/app/npm-shrinkwrap.json')), true);
    assert.equal(npmLockCataloger.wants(ref('/app/node_modules/x/package-lock.json')), false);
    assert.equal(npmLockCataloger.wants(ref('/app/package.json')), false);
  });

  it('names from nested paths, aliases, links and local versions', async () => {
    assert.equal(nameFromLockPath('node_modules/a/node_modules/@s/b'), '@s/b');
    assert.equal(nameFromLockPath('packages/x'), undefined);
    const lock = {
      lockfileVersion: 3,
      packages: {
        '': { name: 'root', version: '1.0.0' },
        'node_modules/alias': { name: 'real-name', version: '2.0.0' },
        'node_modules/ws-link': { resolved: 'packages/ws', link: true },
        'packages/ws': { name: 'ws', version: '0.0.1' },
        'node_modules/local': { version: 'file:../local' },
      },
    };
    const r = await catalog(npmLockCataloger, '/a/package-lock.json', JSON.stringify(lock));
    assert.deepEqual(ids(r.facts), ['real-name@2.0.0']);
    const v1 = { lockfileVersion: 1, dependencies: { x: { version: 'npm:y@1.0.0' } } };
    assert.deepEqual(ids((await catalog(npmLockCataloger, '/a/package-lock.json', JSON.stringify(v1))).facts), ['y@1.0.0']);
  });

  it('malformed JSON and a hostile v1 nesting are skipped with a reason', async () => {
    const bad = await catalog(npmLockCataloger, '/a/package-lock.json', '{"lockfileVersion": 3, "packages": {');
    assert.deepEqual(bad.facts, []);
    assert.match(bad.skipped[0]!.reason, /malformed JSON/);
    let deep: Record<string, unknown> = {};
    const top = deep;
    for (let i = 0; i < 200; i++) {
      const next: Record<string, unknown> = {};
      deep.d = { version: '1.0.0', dependencies: next };
      deep = next;
    }
    const r = await catalog(npmLockCataloger, '/a/package-lock.json', JSON.stringify({ lockfileVersion: 1, dependencies: top }));
    assert.deepEqual(r.facts, []);
    assert.match(r.skipped[0]!.reason, /nested deeper than 64/);
    const notObject = await catalog(npmLockCataloger, '/a/package-lock.json', '[1,2]');
    assert.match(notObject.skipped[0]!.reason, /not a JSON object/);
  });
});

describe('yarn-lock', () => {
  // yarn.lock does not say which packages are dev-only (that is in package.json), so is-number is listed.
  const WITH_DEV = [...PRODUCTION, 'is-number@7.0.0'].sort();

  it('classic (v1) lock from yarn 1.22', async () => {
    const r = await catalog(yarnLockCataloger, '/app/yarn.lock', fixture('npm', 'yarn-classic.lock'));
    assert.deepEqual(ids(r.facts), WITH_DEV);
    assert.deepEqual(r.skipped, []);
  });

  it('berry lock from yarn 4: workspace entry left out, resolution names the package', async () => {
    const r = await catalog(yarnLockCataloger, '/app/yarn.lock', fixture('npm', 'yarn-berry.lock'));
    assert.deepEqual(ids(r.facts), WITH_DEV);
  });

  it('specs with scopes, aliases and several ranges on one line', async () => {
    assert.equal(nameFromYarnSpec('@babel/core@^7.0.0'), '@babel/core');
    assert.equal(nameFromYarnSpec('string-width-cjs@npm:string-width@^4.2.0'), 'string-width');
    const text = '"a@^1.0.0", "a@~1.2.0":\n  version "1.2.3"\n  dependencies:\n    version "9"\n\nb@npm:1.0.0:\n  version: 1.0.0\n  resolution: "b@patch:b@npm%3A1.0.0#x"\n';
    assert.deepEqual(ids((await catalog(yarnLockCataloger, '/y/yarn.lock', text)).facts), ['a@1.2.3']);
    // Berry quotes the whole list; an entry without a resolution line is named from its first spec.
    const berry = '"@s/c@npm:^1.0.0, @s/c@npm:^1.1.0":\n  version: 1.1.0\n  languageName: node\n';
    assert.deepEqual(ids((await catalog(yarnLockCataloger, '/y/yarn.lock', berry)).facts), ['@s/c@1.1.0']);
  });
});

describe('pnpm-lock', () => {
  for (const [file, expected] of [
    ['pnpm-lock-v5.yaml', PRODUCTION],
    ['pnpm-lock-v6.yaml', PRODUCTION],
    ['pnpm-lock-v9.yaml', PRODUCTION],
  ] as const) {
    it(`${file}: production packages (dev left out by its flag, or for v9 by walking the importers)`, async () => {
      const r = await catalog(pnpmLockCataloger, '/app/pnpm-lock.yaml', fixture('npm', file));
      assert.deepEqual(ids(r.facts), [...expected]);
      assert.deepEqual(r.skipped, []);
    });
  }

  it('keys of each lockfile generation', () => {
    assert.deepEqual(parsePnpmKey('/@types/ms/0.7.31', 5.4), { name: '@types/ms', version: '0.7.31' });
    assert.deepEqual(parsePnpmKey('/react-dom/18.2.0_react@18.2.0', 5.4), { name: 'react-dom', version: '18.2.0' });
    assert.deepEqual(parsePnpmKey('/@s/n@1.0.0(react@18.2.0)', 6), { name: '@s/n', version: '1.0.0' });
    assert.deepEqual(parsePnpmKey('@s/n@1.0.0', 9), { name: '@s/n', version: '1.0.0' });
  });

  it('YAML anchors and aliases are never expanded (the file is read line by line, not as general YAML)', async () => {
    const bomb = ['lockfileVersion: 5.4', 'a: &a ["x","x","x","x","x","x","x","x"]', 'b: &b [*a,*a,*a,*a,*a,*a,*a,*a]', 'c: &c [*b,*b,*b,*b,*b,*b,*b,*b]', 'packages:', '  /x/1.0.0: *c'].join('\n');
    const r = await catalog(pnpmLockCataloger, '/app/pnpm-lock.yaml', bomb);
    assert.deepEqual(ids(r.facts), ['x@1.0.0']);
  });

  it('quoted keys, comments, CRLF, v5 peer suffixes and a v9 lock without importers', async () => {
    const v6 = "lockfileVersion: '6.0'\r\n# comment\r\npackages:\r\n\r\n  /@s/a@1.0.0(react@18.0.0):\r\n    resolution: {integrity: x}\r\n    dev: false\r\n  '/b@2.0.0':\r\n    dev: true\r\n";
    assert.deepEqual(ids((await catalog(pnpmLockCataloger, '/p/pnpm-lock.yaml', v6)).facts), ['@s/a@1.0.0']);
    const v9 = "lockfileVersion: '9.0'\npackages:\n  c@3.0.0:\n    resolution: {integrity: x}\n  '@d/e@4.0.0':\n    resolution: {integrity: y}\n";
    assert.deepEqual(ids((await catalog(pnpmLockCataloger, '/p/pnpm-lock.yaml', v9)).facts), ['@d/e@4.0.0', 'c@3.0.0']);
  });
});

describe('npm-installed: node_modules/**/package.json', () => {
  it('the tree npm 11 installed (nested ms included, dev package installed too)', async () => {
    const root = join(FIXTURES, 'npm', 'node_modules');
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const p = join(dir, name);
        if (statSync(p).isDirectory()) walk(p);
        else files.push(p);
      }
    };
    walk(root);
    const facts = [];
    for (const f of files) {
      const r = await catalog(npmInstalledCataloger, '/app/node_modules/' + relative(root, f), fixture('npm', 'node_modules', relative(root, f)));
      assert.equal(r.wanted, true);
      facts.push(...r.facts);
    }
    assert.deepEqual(ids(facts), [...PRODUCTION, 'is-number@7.0.0'].sort());
    assert.deepEqual(facts.find((f) => f.name === 'lodash')?.licenses, ['MIT']);
  });

  it('manifests without a name or version, malformed or too big ones', async () => {
    assert.deepEqual((await catalog(npmInstalledCataloger, '/app/package.json', '{"name":"x"}')).facts, []);
    const bad = await catalog(npmInstalledCataloger, '/app/package.json', '{"name":');
    assert.equal(bad.skipped.length, 1);
    const big = await catalog(npmInstalledCataloger, '/app/package.json', Buffer.alloc(2 * 1024 * 1024, 32));
    assert.match(big.skipped[0]!.reason, /larger than/);
    const legacy = await catalog(npmInstalledCataloger, '/p/package.json', '{"name":"old","version":"0.1.0","licenses":[{"type":"MIT"},{"type":"Apache-2.0"}]}');
    assert.deepEqual(legacy.facts[0]?.licenses, ['MIT', 'Apache-2.0']);
  });
});
