/**
 * Ruby and PHP catalogers. Gemspecs as RubyGems 3.3 installed them (Debian's
 * ruby 3.1 and rubygems-integration), a Gemfile.lock from `bundle lock
 * --local` (Bundler 2.3), composer.lock and vendor/composer/installed.json
 * from `composer install` (Composer 2.5) with package repositories pointing at
 * local zips (packagist is not reachable here; the file formats are Composer's
 * own). Malformed inputs written here.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { catalog, fixture, ids } from '../../../../test/support/catalogers.ts';
import { FactList } from './util.ts';
import { composerInstalledCataloger, composerLockCataloger } from './php.ts';
import { gemfileLockCataloger, gemspecCataloger, parseGemfileLock, parseGemspec } from './ruby.ts';

const GEMS = '/usr/local/bundle/specifications';

describe('gemspec', () => {
  for (const [file, id, licenses] of [
    ['rexml-3.2.5.gemspec', 'rexml@3.2.5', ['BSD-2-Clause']],
    ['webrick-1.8.1.gemspec', 'webrick@1.8.1', ['Ruby', 'BSD-2-Clause']],
    ['default/digest-3.1.0.gemspec', 'digest@3.1.0', ['Ruby', 'BSD-2-Clause']],
  ] as const) {
    it(file, async () => {
      const r = await catalog(gemspecCataloger, `${GEMS}/${file}`, fixture('ruby', 'specifications', file));
      assert.deepEqual(ids(r.facts), [id]);
      assert.deepEqual(r.facts[0]!.licenses, [...licenses]);
      assert.equal(r.facts[0]!.type, 'gem');
    });
  }

  it('old %q{} literals, the stub line alone, and files that are not installed gemspecs', async () => {
    assert.deepEqual(parseGemspec('Gem::Specification.new do |s|\n  s.name = %q{json}\n  s.version = "2.3.0"\nend\n'), { type: 'gem', name: 'json', version: '2.3.0' });
    assert.deepEqual(parseGemspec('# stub: nokogiri 1.15.4 x86_64-linux lib\n'), { type: 'gem', name: 'nokogiri', version: '1.15.4' });
    assert.equal(parseGemspec('spec.name = name_from_somewhere\n'), undefined);
    assert.equal((await catalog(gemspecCataloger, '/src/app/app.gemspec', 's.name = "x"')).wanted, false);
  });
});

describe('gemfile-lock', () => {
  it('Gemfile.lock from Bundler 2.3', async () => {
    const r = await catalog(gemfileLockCataloger, '/app/Gemfile.lock', fixture('ruby', 'Gemfile.lock'));
    assert.deepEqual(ids(r.facts), ['rake@13.0.6', 'rexml@3.2.5', 'webrick@1.8.1']);
  });

  it('GIT and PATH specs, platform suffixes, dependency lines and other sections', () => {
    const text = [
      'GIT', '  remote: https://example.invalid/x.git', '  revision: abc', '  specs:', '    xgem (0.1.0)', '      rack (>= 2)', '',
      'GEM', '  remote: https://rubygems.org/', '  specs:', '    nokogiri (1.15.4-x86_64-linux)', '      racc (~> 1.4)', '    racc (1.7.1)', '',
      'PLATFORMS', '  x86_64-linux', '', 'DEPENDENCIES', '  nokogiri (= 1.15.4)', '    fake (9.9.9)', '',
    ].join('\n');
    const out = new FactList();
    parseGemfileLock(text, out);
    assert.deepEqual(ids(out.facts), ['nokogiri@1.15.4', 'racc@1.7.1', 'xgem@0.1.0']);
  });
});

describe('composer', () => {
  it('composer.lock: packages kept, packages-dev left out', async () => {
    const r = await catalog(composerLockCataloger, '/srv/www/composer.lock', fixture('php', 'composer.lock'));
    assert.deepEqual(ids(r.facts), ['monolog/monolog@2.0.0', 'psr/log@1.1.0']);
    assert.deepEqual(r.facts[0]!.licenses, ['MIT']);
  });

  it('installed.json (Composer 2 format): everything installed, dev included', async () => {
    const r = await catalog(composerInstalledCataloger, '/srv/www/vendor/composer/installed.json', fixture('php', 'vendor', 'composer', 'installed.json'));
    assert.deepEqual(ids(r.facts), ['monolog/monolog@2.0.0', 'psr/http-message@1.0.1', 'psr/log@1.1.0']);
    assert.ok(r.facts.every((f) => f.type === 'composer'));
  });

  it('installed.json of Composer 1 (an array); malformed files', async () => {
    const v1 = JSON.stringify([{ name: 'symfony/http-kernel', version: 'v4.4.0', license: ['MIT'] }, { name: 'no-vendor', version: '1' }]);
    assert.deepEqual(ids((await catalog(composerInstalledCataloger, '/a/vendor/composer/installed.json', v1)).facts), ['symfony/http-kernel@v4.4.0']);
    assert.match((await catalog(composerLockCataloger, '/a/composer.lock', '{"content-hash": "x"}')).skipped[0]!.reason, /no package list/);
    assert.match((await catalog(composerLockCataloger, '/a/composer.lock', '{')).skipped[0]!.reason, /malformed JSON/);
    assert.equal((await catalog(composerLockCataloger, '/a/vendor/x/composer.lock', '{}')).wanted, false);
  });
});
