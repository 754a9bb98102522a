/**
 * The registry of language catalogers and the rule that counts a package once
 * when a lock file and an installation both list it (reconcile.ts).
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { Package } from '../../types.ts';
import { DECLARED_CATALOGERS, languageCatalogers, reconcileLanguagePackages } from './language.ts';

function pkg(type: Package['type'], name: string, version: string, location: string, foundBy: string): Package {
  return { type, name, version, location, foundBy, purl: `pkg:${type}/${name}@${version}`, layer: 'sha256:l' };
}

describe('language catalogers', () => {
  it('have unique names and bounded buffers', () => {
    const names = languageCatalogers.map((c) => c.name);
    assert.equal(new Set(names).size, names.length);
    for (const d of DECLARED_CATALOGERS) assert.ok(names.includes(d), `declared cataloger ${d} is registered`);
    for (const c of languageCatalogers) {
      assert.equal(typeof c.wants, 'function');
      if (c.mode === 'buffer') assert.ok(c.maxBytes > 0 && c.maxBytes <= 64 * 1024 * 1024, c.name);
    }
  });

  it('no cataloger wants an ordinary file', () => {
    const ref = (path: string) => ({ path, layer: 'l', size: 10, mode: 0o644 });
    for (const path of ['/usr/bin/ls', '/etc/passwd', '/app/index.js', '/usr/lib/x86_64-linux-gnu/libc.so.6']) {
      assert.deepEqual(languageCatalogers.filter((c) => c.wants(ref(path))).map((c) => c.name), [], path);
    }
  });
});

describe('declared files inside installed packages', () => {
  it('are not wanted: they describe the development of that package, not the image', () => {
    const ref = (path: string) => ({ path, layer: 'l', size: 10, mode: 0o644 });
    const wanted = (path: string) => languageCatalogers.filter((c) => c.wants(ref(path))).map((c) => c.name);
    for (const path of [
      '/usr/lib/ruby/gems/3.1.0/gems/rbs-2.1.0/Gemfile.lock',
      '/app/vendor/bundle/ruby/3.1.0/gems/rails-7.0.0/Gemfile.lock',
      '/usr/lib/python3/dist-packages/pkg/requirements.txt',
      '/venv/lib/python3.12/site-packages/x/poetry.lock',
      '/root/.cargo/registry/src/index.crates.io-6f17d22bba15001f/serde-1.0.0/Cargo.lock',
      '/app/node_modules/x/yarn.lock',
      '/srv/vendor/pkg/composer.lock',
      '/usr/lib/ruby/gems/3.1.0/gems/typeprof-0.21.2/vscode/package-lock.json',
      '/usr/lib/python3/dist-packages/x/yarn.lock',
    ]) {
      assert.deepEqual(wanted(path), [], path);
    }
    assert.deepEqual(wanted('/srv/app/Gemfile.lock'), ['gemfile-lock']);
    assert.deepEqual(wanted('/src/Cargo.lock'), ['cargo-lock']);
  });
});

describe('reconcileLanguagePackages', () => {
  it('npm: a lock file whose project has node_modules is dropped whole; one without is kept', () => {
    const out = reconcileLanguagePackages([
      pkg('npm', 'lodash', '4.17.20', '/app/package-lock.json', 'npm-lock'),
      pkg('npm', '@esbuild/darwin-arm64', '0.19.0', '/app/package-lock.json', 'npm-lock'),
      pkg('npm', 'lodash', '4.17.20', '/app/node_modules/lodash/package.json', 'npm-installed'),
      pkg('npm', 'left-pad', '1.0.0', '/other/yarn.lock', 'yarn-lock'),
      pkg('npm', 'lodash', '4.17.21', '/other/yarn.lock', 'yarn-lock'),
    ]);
    assert.deepEqual(out.map((p) => `${p.foundBy}:${p.name}@${p.version}`), [
      'npm-installed:lodash@4.17.20',
      'yarn-lock:left-pad@1.0.0',
      'yarn-lock:lodash@4.17.21',
    ]);
  });

  it('a lock file at the root of the filesystem', () => {
    const out = reconcileLanguagePackages([
      pkg('npm', 'a', '1.0.0', '/package-lock.json', 'npm-lock'),
      pkg('npm', 'a', '1.0.0', '/node_modules/a/package.json', 'npm-installed'),
    ]);
    assert.equal(out.length, 1);
  });

  it('PyPI, gems, crates: dropped when the same name is installed anywhere (PyPI names normalised)', () => {
    const out = reconcileLanguagePackages([
      pkg('pypi', 'Django', '3.2.0', '/app/requirements.txt', 'python-requirements'),
      pkg('pypi', 'zope.interface', '5.0.0', '/app/poetry.lock', 'poetry-lock'),
      pkg('pypi', 'django', '3.2.1', '/usr/lib/python3/site-packages/Django-3.2.1.dist-info/METADATA', 'python-dist'),
      pkg('pypi', 'Zope_Interface', '5.0.0', '/usr/lib/python3/site-packages/zope.interface-5.0.0.dist-info/METADATA', 'python-dist'),
      pkg('pypi', 'requests', '2.0.0', '/app/requirements.txt', 'python-requirements'),
      pkg('gem', 'rake', '13.0.0', '/app/Gemfile.lock', 'gemfile-lock'),
      pkg('gem', 'rake', '13.0.0', '/usr/local/bundle/specifications/rake-13.0.0.gemspec', 'gemspec'),
      pkg('cargo', 'serde', '1.0.0', '/src/Cargo.lock', 'cargo-lock'),
    ]);
    assert.deepEqual(out.map((p) => `${p.foundBy}:${p.name}`), [
      'python-dist:django', 'python-dist:Zope_Interface', 'python-requirements:requests', 'gemspec:rake', 'cargo-lock:serde',
    ]);
  });

  it("declared 'never': every lock-file package dropped, as syft counts images", () => {
    const out = reconcileLanguagePackages(
      [
        pkg('cargo', 'serde', '1.0.0', '/src/Cargo.lock', 'cargo-lock'),
        pkg('npm', 'left-pad', '1.0.0', '/other/yarn.lock', 'yarn-lock'),
        pkg('npm', 'lodash', '4.17.20', '/app/node_modules/lodash/package.json', 'npm-installed'),
      ],
      'never',
    );
    assert.deepEqual(out.map((p) => p.foundBy), ['npm-installed']);
  });

  it('composer.lock beside vendor/ is dropped', () => {
    const out = reconcileLanguagePackages([
      pkg('composer', 'monolog/monolog', '2.0.0', '/srv/composer.lock', 'composer-lock'),
      pkg('composer', 'monolog/monolog', '2.0.0', '/srv/vendor/composer/installed.json', 'composer-installed'),
    ]);
    assert.deepEqual(out.map((p) => p.foundBy), ['composer-installed']);
  });
});

describe('hostile text', () => {
  // Each buffer cataloger on 1 MiB of pathological input (blank lines, spaces, open brackets,
  // quotes, a line without end): every one returns. The bound is a sanity bound for a loaded
  // machine (a quadratic scan of 1 MiB would take minutes); the slowest case is printed.
  const patterns: Record<string, string> = {
    newlines: '\n',
    spaces: ' ',
    brackets: '[',
    braces: '{',
    quotes: '"',
    'key-lines': 'name = "',
    'yarn-specs': '"a@1", ',
    'gem-lines': '    x (',
  };
  it('every buffer cataloger, 1 MiB per pattern, each under 5 s', async () => {
    const { catalog } = await import('../../../../test/support/catalogers.ts');
    const paths: Record<string, string> = {
      'npm-installed': '/a/package.json', 'npm-lock': '/a/package-lock.json', 'yarn-lock': '/a/yarn.lock', 'pnpm-lock': '/a/pnpm-lock.yaml',
      'python-dist': '/s/x-1.dist-info/METADATA', 'python-requirements': '/a/requirements.txt', 'poetry-lock': '/a/poetry.lock',
      'pipfile-lock': '/a/Pipfile.lock', 'cargo-lock': '/a/Cargo.lock', 'dotnet-deps': '/a/x.deps.json', 'composer-installed': '/a/vendor/composer/installed.json',
      'composer-lock': '/a/composer.lock', gemspec: '/g/specifications/x.gemspec', 'gemfile-lock': '/a/Gemfile.lock',
    };
    let worst = { ms: 0, what: '' };
    for (const c of languageCatalogers) {
      if (c.mode !== 'buffer') continue;
      const path = paths[c.name];
      assert.ok(path, `a path for ${c.name}`);
      for (const [label, unit] of Object.entries(patterns)) {
        const body = Buffer.from(unit.repeat(Math.ceil((1024 * 1024) / unit.length)).slice(0, Math.min(1024 * 1024, c.maxBytes)));
        const started = performance.now();
        const r = await catalog(c, path, body);
        const ms = performance.now() - started;
        assert.equal(r.wanted, true);
        assert.deepEqual(r.facts.filter((f) => f.version === ''), [], `${c.name} ${label}`);
        assert.ok(ms < 5000, `${c.name} on ${label}: ${ms.toFixed(0)} ms`);
        if (ms > worst.ms) worst = { ms, what: `${c.name} on ${label}` };
      }
    }
    console.log(`hostile text: slowest ${worst.what} ${worst.ms.toFixed(0)} ms`);
  });
});
