import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { MemoryImageSource } from '../../../../test/support/image-layers.ts';
import { findPeer } from '../../../../test/support/peers.ts';
import { analyzeImage } from '../analyze.ts';
import { parseRpmHeader, parseSourceRpm } from './rpm.ts';

const rpmbuild = findPeer('rpm');
const dir = mkdtempSync(path.join(tmpdir(), 'berth-rpm-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Builds two real packages with rpmbuild and records them in a fresh rpmdb.sqlite with `rpm --justdb`. */
function realRpmDb(): string {
  const top = path.join(dir, 'top');
  for (const d of ['SPECS', 'RPMS', 'BUILD', 'BUILDROOT', 'SOURCES', 'SRPMS']) mkdirSync(path.join(top, d), { recursive: true });
  const rpms: string[] = [];
  for (const [name, epoch, version, release, license] of [
    ['openssl-libs', '1', '3.0.7', '24.el9', 'ASL 2.0'],
    ['bash', '', '5.1.8', '9.el9', 'GPLv3+'],
  ] as const) {
    const spec = path.join(top, 'SPECS', `${name}.spec`);
    writeFileSync(
      spec,
      [
        `Name: ${name}`,
        epoch ? `Epoch: ${epoch}` : '',
        `Version: ${version}`,
        `Release: ${release}`,
        `License: ${license}`,
        'Summary: test package',
        'BuildArch: noarch',
        '%description',
        'test',
        '%files',
        '',
      ].join('\n'),
    );
    execFileSync(rpmbuild as string, ['-bb', '--quiet', '--define', `_topdir ${top}`, spec], { stdio: 'pipe' });
    rpms.push(path.join(top, 'RPMS', 'noarch', `${name}-${version}-${release}.noarch.rpm`));
  }
  const db = path.join(dir, 'db');
  mkdirSync(db);
  execFileSync('rpm', ['--initdb', '--dbpath', db]);
  execFileSync('rpm', ['-i', '--justdb', '--nodeps', '--nosignature', '--dbpath', db, ...rpms], { stdio: 'pipe' });
  return db;
}

describe('rpm cataloger', { skip: rpmbuild instanceof Error ? rpmbuild.message : false }, () => {
  it('reads a real rpmdb.sqlite written by rpm, as `rpm -qa` lists it', async () => {
    const db = realRpmDb();
    const reference = execFileSync('rpm', ['-qa', '--dbpath', db, '--qf', '%{NAME}|%|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE}|%{SOURCERPM}|%{LICENSE}\\n'], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .toSorted();
    const src = new MemoryImageSource();
    const layer = await src.layer([
      { path: 'etc/os-release', content: 'NAME="Rocky Linux"\nID="rocky"\nVERSION_ID="9.3"\n' },
      { path: 'var/lib/rpm/rpmdb.sqlite', content: readFileSync(path.join(db, 'rpmdb.sqlite')) },
    ]);
    const [inv] = await analyzeImage(src, { digest: src.image([layer]) });
    const got = inv!.packages.map((p) => `${p.name}|${p.version}|${p.source!.name}-${p.source!.version.replace(/^\d+:/, '')}.src.rpm|${p.licenses![0]}`).toSorted();
    assert.deepEqual(got, reference);
    const ssl = inv!.packages.find((p) => p.name === 'openssl-libs')!;
    assert.equal(ssl.version, '1:3.0.7-24.el9');
    assert.deepEqual(ssl.source, { name: 'openssl-libs', version: '1:3.0.7-24.el9' });
    assert.equal(ssl.purl, 'pkg:rpm/rocky/openssl-libs@3.0.7-24.el9?arch=noarch&distro=rocky-9.3&epoch=1');
    assert.equal(ssl.foundBy, 'rpm');
  });

  it('reports Berkeley DB and NDB databases as skipped, and refuses malformed headers', async () => {
    const src = new MemoryImageSource();
    const layer = await src.layer([{ path: 'var/lib/rpm/Packages', content: Buffer.alloc(8192) }]);
    const [inv] = await analyzeImage(src, { digest: src.image([layer]) });
    assert.deepEqual(inv!.skipped.map((s) => s.reason), ['rpm: Berkeley DB database not supported (no maintained reader); rpmdb.sqlite is']);
    assert.throws(() => parseRpmHeader(Buffer.from([0, 0, 0, 1, 0, 0, 0, 100])), /truncated/);
    assert.throws(() => parseRpmHeader(Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0])), /out of range/);
    assert.deepEqual(parseSourceRpm('openssl-3.0.7-24.el9.src.rpm'), { name: 'openssl', version: '3.0.7-24.el9' });
  });

  it('a file that is not an SQLite database is skipped with a reason', async () => {
    const src = new MemoryImageSource();
    const layer = await src.layer([{ path: 'usr/lib/sysimage/rpm/rpmdb.sqlite', content: 'not sqlite at all'.repeat(10) }]);
    const [inv] = await analyzeImage(src, { digest: src.image([layer]) });
    assert.deepEqual(inv!.packages, []);
    assert.deepEqual(inv!.skipped.map((s) => [s.path, s.reason]), [['/usr/lib/sysimage/rpm/rpmdb.sqlite', 'rpm: not an SQLite database']]);
  });
});
