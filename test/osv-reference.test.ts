/**
 * The matching suite's reference evaluator (test/support/osv-reference.ts)
 * checked on its own: the documented orderings of PEP 440 and semver, and
 * range evaluation on real records of /work/shared/vulndata.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { inCI } from './support/peers.ts';
import { VULNDATA } from './support/vulndata.ts';
import { affecting, compare, readOsvZip, type OsvRecord, type Scheme } from './support/osv-reference.ts';

function ascending(scheme: Scheme, versions: string[]): void {
  for (let i = 0; i + 1 < versions.length; i++) {
    assert.equal(compare(scheme, versions[i]!, versions[i + 1]!), -1, `${versions[i]} < ${versions[i + 1]}`);
    assert.equal(compare(scheme, versions[i + 1]!, versions[i]!), 1, `${versions[i + 1]} > ${versions[i]}`);
  }
}

describe('OSV reference evaluator', () => {
  test('PEP 440 ordering (the specification\'s examples)', () => {
    ascending('pep440', ['1.0.dev0', '1.0a1.dev0', '1.0a1', '1.0b2', '1.0rc1', '1.0', '1.0.post1.dev0', '1.0.post1', '1.1', '2.0', '1!0.1']);
    assert.equal(compare('pep440', '1.0', '1.0.0'), 0);
    assert.equal(compare('pep440', '1.0', '1.0+local'), 0, 'local labels are ignored');
    assert.equal(compare('pep440', '2.2', '2.2.0'), 0);
    assert.equal(compare('pep440', '0.14.1', '0.15'), -1);
  });

  test('semver ordering (semver.org §11) and Go pseudo-versions', () => {
    ascending('semver', ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0', '1.0.1']);
    ascending('semver', ['0.0.0-20210226172049-e18ecbb05110', '0.0.0-20211209124913-491a49abca63', '0.1.0']);
    assert.equal(compare('semver', 'v3.2.0+incompatible', '3.2.0'), 0, 'build metadata is ignored');
    assert.equal(compare('semver', '1.26.0-0', '1.26.0'), -1);
  });

  const vulndata = existsSync(VULNDATA) ? VULNDATA : undefined;
  if (!vulndata && inCI) throw new Error('shared/vulndata not found beside the repository (set BERTH_VULNDATA_DIR)');
  describe('on real records', { skip: vulndata ? false : 'shared/vulndata not found' }, () => {
    let go: OsvRecord[];
    let pypi: OsvRecord[];
    before(async () => {
      go = await readOsvZip(path.join(vulndata!, 'osv', 'Go', 'all.zip'));
      pypi = await readOsvZip(path.join(vulndata!, 'osv', 'PyPI', 'all.zip'));
    });

    test('every record is read', () => {
      assert.equal(go.length, 4291);
      assert.equal(pypi.length, 2661);
    });

    test('GO-2020-0019: gorilla/websocket introduced 0, fixed 1.4.1', () => {
      const ids = (v: string) => affecting(go, { ecosystem: 'Go', name: 'github.com/gorilla/websocket', version: v }).map((r) => r.id);
      assert.ok(ids('v1.4.0').includes('GO-2020-0019'));
      assert.ok(!ids('v1.4.1').includes('GO-2020-0019'));
    });

    test('PyPI names compare normalised, and versions[] lists count', () => {
      const upper = affecting(pypi, { ecosystem: 'PyPI', name: 'Django', version: '2.2' }).map((r) => r.id);
      const lower = affecting(pypi, { ecosystem: 'PyPI', name: 'django', version: '2.2.0' }).map((r) => r.id);
      assert.deepEqual(upper, lower);
      assert.ok(upper.length > 10, 'Django 2.2 has many advisories');
      assert.deepEqual(affecting(pypi, { ecosystem: 'PyPI', name: 'Django', version: '99.0' }), []);
    });

    test('withdrawn records never affect anything', () => {
      const withdrawn = [...go, ...pypi].filter((r) => r.withdrawn);
      assert.ok(withdrawn.length > 0);
      for (const r of withdrawn) {
        for (const a of r.affected ?? []) {
          const eco = a.package?.ecosystem;
          if (eco !== 'Go' && eco !== 'PyPI') continue;
          const v = a.versions?.[0] ?? '0.0.1';
          assert.ok(!affecting([r], { ecosystem: eco, name: a.package!.name, version: v }).length, r.id);
        }
      }
    });
  });
});
