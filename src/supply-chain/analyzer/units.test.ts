import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectDistro, parseOsRelease } from './distro.ts';
import { LayeredMap } from './layered-map.ts';
import { normalizeEntryPath, resolveInImage, whiteoutOf } from './paths.ts';
import { dpkgPackages } from './catalogers/dpkg.ts';
import { apkPackages } from './catalogers/apk.ts';

const files = (o: Record<string, string>): Map<string, Buffer> => new Map(Object.entries(o).map(([k, v]) => [k, Buffer.from(v)]));

describe('paths', () => {
  it('normalises tar names and refuses traversal', () => {
    assert.deepEqual(normalizeEntryPath('./etc/os-release'), { path: '/etc/os-release' });
    assert.deepEqual(normalizeEntryPath('/usr//lib/./x/'), { path: '/usr/lib/x' });
    assert.deepEqual(normalizeEntryPath('.'), { path: '/' });
    assert.deepEqual(normalizeEntryPath('a/../../b'), { error: 'path traversal (`..` segment)' });
    assert.match((normalizeEntryPath('a\0b') as { error: string }).error, /NUL/);
    assert.match((normalizeEntryPath('a/'.repeat(3000)) as { error: string }).error, /longer/);
  });

  it('recognises whiteouts and opaque markers, not aufs metadata', () => {
    assert.deepEqual(whiteoutOf('/etc/.wh.passwd'), { kind: 'file', target: '/etc/passwd' });
    assert.deepEqual(whiteoutOf('/.wh.etc'), { kind: 'file', target: '/etc' });
    assert.deepEqual(whiteoutOf('/var/.wh..wh..opq'), { kind: 'opaque', dir: '/var' });
    assert.equal(whiteoutOf('/.wh..wh.plnk'), undefined);
    assert.equal(whiteoutOf('/etc/passwd'), undefined);
  });

  it('resolves links inside the image only', () => {
    const links = new Map([
      ['/etc/os-release', '../usr/lib/os-release'],
      ['/a', 'b'],
      ['/b', '/a'],
      ['/up', '../../../../etc/shadow'],
    ]);
    assert.deepEqual(resolveInImage('/etc/os-release', links), { path: '/usr/lib/os-release' });
    assert.deepEqual(resolveInImage('/up', links), { path: '/etc/shadow' });
    assert.match((resolveInImage('/a', links) as { error: string }).error, /symlink loop/);
  });
});

describe('LayeredMap', () => {
  it('replacement, whiteout and opaque apply to lower layers only', () => {
    const m = new LayeredMap<string>();
    m.set('/d/a', 'a1');
    m.set('/d/sub/b', 'b1');
    m.set('/e/c', 'c1');
    m.endLayer();
    // Same layer: new content written under /d, then the opaque marker: the new content stays.
    m.set('/d/new', 'n2');
    m.opaque('/d');
    m.whiteout('/e');
    m.endLayer();
    assert.deepEqual([...m.entries()].toSorted(), [['/d/new', 'n2']]);
    m.set('/x/y', 'y');
    m.endLayer();
    m.replaced('/x', false);
    m.endLayer();
    assert.deepEqual([...m.entries()].map(([k]) => k), ['/d/new']);
  });
});

describe('distro detection', () => {
  it('parses os-release quoting', () => {
    assert.deepEqual(parseOsRelease('# c\nNAME="Alpine \\"Linux\\""\nID=alpine\nVERSION_ID=\'3.19.1\'\nbad line\n'), { NAME: 'Alpine "Linux"', ID: 'alpine', VERSION_ID: '3.19.1' });
  });

  it('prefers os-release, then the fallbacks', () => {
    assert.deepEqual(detectDistro(files({ '/usr/lib/os-release': 'ID=ubuntu\nVERSION_ID="22.04"\nUBUNTU_CODENAME=jammy\n' })), { id: 'ubuntu', versionId: '22.04', codename: 'jammy' });
    assert.deepEqual(detectDistro(files({ '/etc/alpine-release': '3.18.4\n' })), { id: 'alpine', versionId: '3.18.4' });
    assert.deepEqual(detectDistro(files({ '/etc/debian_version': '12.5\n' })), { id: 'debian', versionId: '12', codename: 'bookworm' });
    assert.deepEqual(detectDistro(files({ '/etc/debian_version': 'trixie/sid\n' })), { id: 'debian', codename: 'trixie' });
    assert.deepEqual(detectDistro(files({ '/etc/redhat-release': 'Rocky Linux release 9.3 (Blue Onyx)\n' })), { id: 'rocky', versionId: '9.3', prettyName: 'Rocky Linux release 9.3 (Blue Onyx)' });
    assert.equal(detectDistro(files({ '/etc/os-release': 'NAME=x\n' })), undefined);
  });
});

describe('OS database parsers', () => {
  it('dpkg: installed only, Source with and without version, continuation lines', () => {
    const text = 'Package: a\nStatus: install ok installed\nVersion: 1\nSource: src-a\nDescription: x\n y\n\nPackage: b\nStatus: deinstall ok config-files\nVersion: 2\n\nPackage: c\nStatus: install ok half-installed\nVersion: 3\n\nPackage: d\nVersion: 4\nSource: srcd (4-1)\n';
    assert.deepEqual(
      dpkgPackages(text).map((p) => [p.name, p.version, p.source]),
      [
        ['a', '1', { name: 'src-a', version: '1' }],
        ['d', '4', { name: 'srcd', version: '4-1' }],
      ],
    );
  });

  it('apk: blocks without name or version are ignored; origin defaults to the package', () => {
    assert.deepEqual(apkPackages('P:a\nV:1-r0\n\nV:2\n\nP:b\nV:3-r1\no:bsrc\n').map((p) => [p.name, p.source?.name]), [
      ['a', 'a'],
      ['b', 'bsrc'],
    ]);
  });
});
