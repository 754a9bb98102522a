import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Distro, PackageFact } from '../types.ts';
import { ecosystemOf, lookupName, lookupNames, lookupVersion, normalizePypiName, sameName } from './ecosystems.ts';

const deb: PackageFact = { type: 'deb', name: 'libssl3', version: '3.0.11-1~deb12u2', source: { name: 'openssl', version: '3.0.11-1~deb12u2' } };

test('OS packages are placed in the release OSV names', () => {
  const cases: [Pick<PackageFact, 'type'>, Distro | undefined, string | undefined][] = [
    [{ type: 'deb' }, { id: 'debian', versionId: '12', codename: 'bookworm' }, 'Debian:12'],
    [{ type: 'deb' }, { id: 'debian', codename: 'trixie' }, 'Debian:13'],
    [{ type: 'deb' }, { id: 'debian' }, undefined],
    [{ type: 'deb' }, { id: 'ubuntu', versionId: '22.04' }, 'Ubuntu:22.04:LTS'],
    [{ type: 'deb' }, { id: 'ubuntu', versionId: '23.10' }, 'Ubuntu:23.10'],
    [{ type: 'deb' }, { id: 'ubuntu', versionId: '21.04' }, 'Ubuntu:21.04'],
    [{ type: 'apk' }, { id: 'alpine', versionId: '3.19.1' }, 'Alpine:v3.19'],
    [{ type: 'apk' }, { id: 'alpine', versionId: '3.20_alpha20240315' }, 'Alpine:v3.20'],
    [{ type: 'apk' }, { id: 'wolfi', versionId: '20230201' }, 'Wolfi'],
    [{ type: 'rpm' }, { id: 'rocky', versionId: '9.3' }, 'Rocky Linux:9'],
    [{ type: 'rpm' }, { id: 'almalinux', versionId: '8.9' }, 'AlmaLinux:8'],
    [{ type: 'rpm' }, { id: 'rhel', versionId: '9.3' }, undefined],
    [{ type: 'deb' }, undefined, undefined],
    [{ type: 'pypi' }, undefined, 'PyPI'],
    [{ type: 'golang' }, { id: 'alpine', versionId: '3.19.1' }, 'Go'],
    [{ type: 'cargo' }, undefined, 'crates.io'],
    [{ type: 'composer' }, undefined, 'Packagist'],
    [{ type: 'gem' }, undefined, 'RubyGems'],
    [{ type: 'nuget' }, undefined, 'NuGet'],
    [{ type: 'maven' }, undefined, 'Maven'],
    [{ type: 'npm' }, undefined, 'npm'],
  ];
  for (const [pkg, distro, want] of cases) assert.equal(ecosystemOf(pkg, distro), want, `${pkg.type} on ${JSON.stringify(distro)}`);
});

test('OS packages are looked up by source name and source version (binary as fallback)', () => {
  assert.equal(lookupName(deb), 'openssl');
  const bash: PackageFact = { type: 'deb', name: 'bash', version: '5.2.15-2+b2' };
  assert.equal(lookupName(bash), 'bash');
  assert.equal(lookupVersion({ ...bash, source: { name: 'bash', version: '5.2.15-2' } }), '5.2.15-2');
  assert.equal(lookupVersion(bash), '5.2.15-2+b2');
  const libcrypto: PackageFact = { type: 'apk', name: 'libcrypto3', version: '3.1.4-r5', source: { name: 'openssl', version: '3.1.4-r5' } };
  assert.equal(lookupName(libcrypto), 'openssl');
  const babel: PackageFact = { type: 'npm', name: '@babel/core', version: '7.0.0', source: { name: 'x', version: '1' } };
  assert.equal(lookupName(babel), '@babel/core');
});

test('PyPI names are PEP 503 normalised, and advisory names fold where the ecosystem folds them', () => {
  assert.equal(normalizePypiName('Jinja2'), 'jinja2');
  assert.equal(normalizePypiName('zope.interface'), 'zope-interface');
  assert.equal(normalizePypiName('Foo__Bar-.baz'), 'foo-bar-baz');
  const pyyaml: PackageFact = { type: 'pypi', name: 'PyYAML', version: '5.3' };
  assert.equal(lookupName(pyyaml), 'pyyaml');
  assert.deepEqual(lookupNames('PyPI', pyyaml), ['pyyaml', 'PyYAML']);
  assert.ok(sameName('PyPI', 'jw.util', 'jw-util'));
  assert.ok(sameName('NuGet', 'Newtonsoft.Json', 'newtonsoft.json'));
  assert.ok(!sameName('npm', 'Lodash', 'lodash'));
  assert.ok(!sameName('Go', 'github.com/Foo/bar', 'github.com/foo/bar'));
});
