import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { purlOf } from './purl.ts';
import type { PackageFact } from './types.ts';

const debian = { id: 'debian', versionId: '12', codename: 'bookworm' };

describe('purlOf', () => {
  const cases: [PackageFact, Parameters<typeof purlOf>[1], string][] = [
    [{ type: 'deb', name: 'libc6', version: '2.36-9+deb12u4', arch: 'amd64', source: { name: 'glibc', version: '2.36-9+deb12u4' } }, debian, 'pkg:deb/debian/libc6@2.36-9+deb12u4?arch=amd64&distro=debian-12&upstream=glibc'],
    [{ type: 'deb', name: 'bash', version: '5.2.15-2+b2', arch: 'amd64', source: { name: 'bash', version: '5.2.15-2' } }, debian, 'pkg:deb/debian/bash@5.2.15-2+b2?arch=amd64&distro=debian-12&upstream=bash%405.2.15-2'],
    [{ type: 'deb', name: 'libgcc-s1', version: '1:12.2.0-14' }, { id: 'ubuntu', versionId: '22.04' }, 'pkg:deb/ubuntu/libgcc-s1@1:12.2.0-14?distro=ubuntu-22.04'],
    [{ type: 'deb', name: 'x', version: '1' }, undefined, 'pkg:deb/debian/x@1'],
    [{ type: 'apk', name: 'musl', version: '1.2.4-r2', arch: 'x86_64', source: { name: 'musl', version: '1.2.4-r2' } }, { id: 'alpine', versionId: '3.19.1' }, 'pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64&distro=alpine-3.19.1'],
    [{ type: 'rpm', name: 'openssl-libs', version: '1:3.0.7-24.el9', arch: 'x86_64', source: { name: 'openssl', version: '1:3.0.7-24.el9' } }, { id: 'rhel', versionId: '9.3' }, 'pkg:rpm/rhel/openssl-libs@3.0.7-24.el9?arch=x86_64&distro=rhel-9.3&epoch=1&upstream=openssl'],
    [{ type: 'npm', name: '@babel/core', version: '7.23.0' }, debian, 'pkg:npm/%40babel/core@7.23.0'],
    [{ type: 'npm', name: 'lodash', version: '4.17.20' }, undefined, 'pkg:npm/lodash@4.17.20'],
    [{ type: 'pypi', name: 'Django_REST.framework', version: '3.0' }, undefined, 'pkg:pypi/django-rest.framework@3.0'], // the purl spec lowercases and turns `_` into `-`, nothing more,
    [{ type: 'maven', name: 'org.apache.logging.log4j:log4j-core', version: '2.14.1' }, undefined, 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1'],
    [{ type: 'maven', name: 'jsr305', version: '1.3.9' }, undefined, 'pkg:maven/jsr305/jsr305@1.3.9'],
    [{ type: 'golang', name: 'github.com/google/go-containerregistry', version: 'v0.20.2' }, undefined, 'pkg:golang/github.com/google/go-containerregistry@v0.20.2'],
    [{ type: 'golang', name: 'stdlib', version: 'go1.22.3' }, undefined, 'pkg:golang/stdlib@go1.22.3'],
    [{ type: 'cargo', name: 'serde', version: '1.0.100' }, undefined, 'pkg:cargo/serde@1.0.100'],
    [{ type: 'composer', name: 'symfony/http-kernel', version: 'v5.4.0' }, undefined, 'pkg:composer/symfony/http-kernel@v5.4.0'],
    [{ type: 'gem', name: 'rails', version: '7.0.0' }, undefined, 'pkg:gem/rails@7.0.0'],
    [{ type: 'nuget', name: 'Newtonsoft.Json', version: '12.0.1' }, undefined, 'pkg:nuget/Newtonsoft.Json@12.0.1'],
  ];
  for (const [fact, distro, want] of cases) {
    it(`${fact.type} ${fact.name}`, () => {
      assert.equal(purlOf(fact, distro), want);
    });
  }
});
