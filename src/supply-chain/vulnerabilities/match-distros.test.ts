/**
 * The matcher on the real distribution data of /work/shared/vulndata, read by
 * the vulnerability-data importers' own parsers (src/supply-chain/vulndb):
 * Debian's DSA list and Alpine's secdb. For Debian the expected findings are
 * derived independently in the test: the list's `[bullseye] - openssl <fixed>`
 * lines read with a regular expression and compared with the installed version
 * by dpkg itself.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { parseAlpineSecdb } from '../vulndb/alpine-secdb.ts';
import { parseDebianList } from '../vulndb/debian-list.ts';
import { DEFAULT_LIMITS } from '../vulndb/records.ts';
import type { Inventory, Package } from '../types.ts';
import { matchAdvisories } from './match.ts';
import { vulndataDir } from './testing/osv-zip.ts';

function need(t: { skip(m: string): void }): string | undefined {
  const dir = vulndataDir();
  if (!dir) {
    if (process.env['CI'] === 'true') assert.fail('shared/vulndata not found (required under CI=true)');
    t.skip('shared/vulndata not found');
  }
  return dir;
}

function inv(distro: Inventory['distro'], packages: Package[]): Inventory {
  return { manifestDigest: 'sha256:cc', distro, packages, skipped: [], stats: { layers: 1, entries: 1, bytesRead: 1, durationMs: 1 } };
}

test('Debian 11 openssl against the real DSA list: every CVE of every DSA fixed above the installed version, per dpkg', async (t) => {
  const dir = need(t);
  if (!dir) return;
  // The version bullseye was released with: every bullseye openssl DSA since is above it.
  const installed = '1.1.1k-1';
  const libssl: Package = {
    type: 'deb',
    name: 'libssl1.1',
    version: installed,
    source: { name: 'openssl', version: installed },
    purl: `pkg:deb/debian/libssl1.1@${installed}?distro=debian-11`,
    location: '/var/lib/dpkg/status',
    layer: 'sha256:dd',
    foundBy: 'dpkg',
  };
  const list = await parseDebianList(`${dir}/debian/DSA-list`, 'debian-dsa', DEFAULT_LIMITS);
  const findings = matchAdvisories(inv({ id: 'debian', versionId: '11', codename: 'bullseye' }, [libssl]), list.advisories);

  // The expectation, without Berth's parser or comparator.
  const text = await readFile(`${dir}/debian/DSA-list`, 'utf8');
  const expected = new Map<string, string>();
  for (const block of text.split(/\n(?=\[)/)) {
    const fix = /^\s+\[bullseye\] - openssl (\S+)$/m.exec(block)?.[1];
    if (!fix || fix.startsWith('<')) continue;
    if (spawnSync('dpkg', ['--compare-versions', installed, 'lt', fix]).status !== 0) continue;
    for (const cve of /\{([^}]*)\}/.exec(block)?.[1]?.split(/\s+/).filter(Boolean) ?? []) {
      const had = expected.get(cve);
      if (!had || spawnSync('dpkg', ['--compare-versions', fix, 'lt', had]).status === 0) expected.set(cve, fix);
    }
  }
  assert.ok(expected.size >= 10, `the list names ${expected.size} CVEs fixed after ${installed}`);
  assert.deepEqual(new Map(findings.map((f) => [f.id, f.fixedVersion])), expected);
  const f = findings.find((x) => x.id === 'CVE-2023-0286');
  assert.ok(f?.aliases.includes('DSA-5343-1'), 'the DSA is an alias of each of its CVEs');
  assert.equal(f?.package, 'libssl1.1');
  assert.equal(f?.status, 'affected');
  assert.deepEqual(f?.sources, ['debian-dsa']);
  t.diagnostic(`${findings.length} findings, each as dpkg and the list say`);
});

test('Alpine 3.10 against the real secdb: origin package, fixes above the installed apk version only', async (t) => {
  const dir = need(t);
  if (!dir) return;
  const secdb = parseAlpineSecdb(JSON.parse(await readFile(`${dir}/alpine-secdb/v3.10/main.json`, 'utf8')), 'alpine-secdb', DEFAULT_LIMITS);
  const apk = (name: string, version: string, origin: string): Package => ({
    type: 'apk',
    name,
    version,
    source: { name: origin, version },
    purl: `pkg:apk/alpine/${name}@${version}`,
    location: '/lib/apk/db/installed',
    layer: 'sha256:ee',
    foundBy: 'apk',
  });
  const findings = matchAdvisories(inv({ id: 'alpine', versionId: '3.10.3' }, [apk('libcrypto1.1', '1.1.1c-r0', 'openssl'), apk('musl', '1.1.22-r2', 'musl'), apk('busybox', '1.30.1-r2', 'busybox')]), secdb.advisories);
  const by = (name: string): [string, string | undefined][] =>
    findings
      .filter((f) => f.package === name)
      .map((f): [string, string | undefined] => [f.id, f.fixedVersion])
      .sort();
  assert.deepEqual(by('libcrypto1.1'), [
    ['CVE-2019-1547', '1.1.1d-r0'],
    ['CVE-2019-1549', '1.1.1d-r0'],
    ['CVE-2019-1563', '1.1.1d-r0'],
  ]);
  assert.deepEqual(by('musl'), [['CVE-2019-14697', '1.1.22-r3']]);
  assert.deepEqual(by('busybox'), [], '1.30.1-r2 is the fix itself');
});
