/**
 * The importers on the real files of /work/shared/vulndata (as they are),
 * with the counts taken from the files independently of the parsers, plus
 * hostile and malformed inputs. The Debian tracker JSON is not among the
 * real files: its test document is hand-written in the tracker's documented
 * shape (docs/vulnerability-data.md).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openImport, sniffFormat } from './import-file.ts';
import { secfixIds } from './alpine-secdb.ts';
import { parseDebianTracker } from './debian-tracker.ts';
import { DEFAULT_LIMITS, VulnDataError, lookupKey } from './records.ts';
import type { Advisory } from '../types.ts';
import { VULNDATA, listHeaders, secdbFiles, secdbIds, zipJsonEntries } from '../../../test/support/vulndata.ts';

async function collect(it: AsyncIterable<Advisory>): Promise<Advisory[]> {
  const out: Advisory[] = [];
  for await (const a of it) out.push(a);
  return out;
}

describe('vulnerability data parsers on the real files', () => {
  test('OSV Go all.zip: every record, named osv-Go, Go module ranges as OSV gives them', async () => {
    const file = path.join(VULNDATA, 'osv/Go/all.zip');
    const s = await openImport(file, {}, DEFAULT_LIMITS);
    assert.equal(s.format, 'osv');
    assert.equal(s.source, 'osv-Go');
    const records = await collect(s.records);
    assert.equal(records.length, (await zipJsonEntries(file)).length);
    assert.equal(records.length, 4291);
    assert.match(s.version() ?? '', /^20\d\d-/);
    const first = records.find((r) => r.id === 'GO-2020-0001');
    assert.ok(first);
    assert.equal(first.affected[0]!.ecosystem, 'Go');
    assert.equal(first.affected[0]!.ranges[0]!.type, 'SEMVER');
    assert.ok(records.some((r) => r.affected.some((a) => a.name === 'stdlib')), 'the standard library is module stdlib');
    assert.ok(records.every((r) => r.source === 'osv-Go'));
  });

  test('OSV PyPI all.zip: every record, aliases (CVE, GHSA) kept', async () => {
    const file = path.join(VULNDATA, 'osv/PyPI/all.zip');
    const s = await openImport(file, {}, DEFAULT_LIMITS);
    assert.equal(s.source, 'osv-PyPI');
    const records = await collect(s.records);
    assert.equal(records.length, (await zipJsonEntries(file)).length);
    assert.equal(records.length, 2661);
    assert.ok(records.every((r) => r.id.startsWith('PYSEC-')));
    assert.ok(records.filter((r) => r.aliases.some((a) => a.startsWith('CVE-'))).length > 2000);
    assert.ok(records.some((r) => r.affected.some((a) => a.versions.length > 0)));
  });

  test('Alpine secdb: every file, ids tokenised, key "0" not affected, source named by release and repository', async () => {
    let total = 0;
    for (const file of await secdbFiles()) {
      const s = await openImport(file, {}, DEFAULT_LIMITS);
      assert.equal(s.format, 'alpine-secdb', file);
      const [release, repo] = [path.basename(path.dirname(file)), path.basename(file, '.json')];
      assert.equal(s.source, `alpine-secdb-${release}-${repo}`);
      const records = await collect(s.records);
      assert.equal(records.length, await secdbIds(file), file);
      for (const r of records) for (const a of r.affected) assert.equal(a.ecosystem, `Alpine:${release}`);
      total += records.length;
    }
    assert.ok(total > 5000, `${total} records`);
    assert.deepEqual(secfixIds('CVE-2017-2616 (+ regression fix)'), ['CVE-2017-2616']);
    assert.deepEqual(secfixIds('CVE-2020-1 GHSA-abcd-efgh-ijkl'), ['CVE-2020-1', 'GHSA-abcd-efgh-ijkl']);
    assert.deepEqual(secfixIds('CVE_2019-2426'), []);
    assert.deepEqual(secfixIds('CVE-2019-19451.patch'), ['CVE-2019-19451']);
  });

  test('Alpine secdb key "0" is kept as not affected', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'berth-secdb-'));
    const file = path.join(dir, 'main.json');
    await writeFile(file, JSON.stringify({ distroversion: 'v3.19', reponame: 'main', packages: [{ pkg: { name: 'busybox', secfixes: { '0': ['CVE-2021-1 (not affected)'], '1.36.1-r2': ['CVE-2022-2'] } } }] }));
    const records = await collect((await openImport(file, {}, DEFAULT_LIMITS)).records);
    const byId = Object.fromEntries(records.map((r) => [r.id, r.affected[0]!]));
    assert.equal(byId['CVE-2021-1']!.status, 'not_affected');
    assert.deepEqual(byId['CVE-2022-2']!.ranges, [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.36.1-r2' }] }]);
    assert.equal(byId['CVE-2022-2']!.ecosystem, 'Alpine:v3.19');
    await rm(dir, { recursive: true });
  });

  for (const [name, format] of [['DSA-list', 'debian-dsa'], ['DLA-list', 'debian-dla']] as const) {
    test(`Debian ${name}: one advisory per header line, CVEs as aliases, releases as Debian:<n>`, async () => {
      const file = path.join(VULNDATA, 'debian', name);
      assert.equal(await sniffFormat(file), format);
      const s = await openImport(file, {}, DEFAULT_LIMITS);
      assert.equal(s.source, format);
      const records = await collect(s.records);
      assert.equal(records.length, await listHeaders(file));
      if (format === 'debian-dsa') {
        const dsa = records.find((r) => r.id === 'DSA-5380-1')!;
        assert.deepEqual(dsa.aliases, ['CVE-2023-1393']);
        assert.equal(dsa.published, '2023-03-29');
        assert.deepEqual(dsa.affected, [{ ecosystem: 'Debian:11', name: 'xorg-server', ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2:1.20.11-1+deb11u6' }] }], versions: [], status: 'affected' }]);
        assert.ok(records.some((r) => r.affected.some((a) => a.status === 'not_affected')));
        assert.equal(s.version(), '2023-03-29');
      } else {
        assert.equal(records.find((r) => r.id === 'DLA-3377-1')!.affected[0]!.ecosystem, 'Debian:10');
        assert.equal(s.version(), '2023-04-01');
      }
    });
  }
});

describe('Debian tracker JSON (hand-written in the documented shape)', () => {
  const doc = {
    openssl: {
      'CVE-2023-0001': {
        description: 'a bug',
        releases: {
          bookworm: { status: 'resolved', repositories: { bookworm: '3.0.11-1~deb12u2' }, fixed_version: '3.0.9-1', urgency: 'medium' },
          bullseye: { status: 'open', repositories: { bullseye: '1.1.1w-0+deb11u1' }, urgency: 'low', nodsa: 'Minor issue', nodsa_reason: 'postponed' },
          buster: { status: 'open', repositories: { buster: '1.1.1n-0+deb10u3' }, urgency: 'end-of-life' },
          stretch: { status: 'open', repositories: {}, urgency: 'unimportant', nodsa: 'x', nodsa_reason: 'ignored' },
          sid: { status: 'resolved', repositories: {}, fixed_version: '3.0.9-1', urgency: 'medium' },
          trixie: { status: 'undetermined', repositories: {}, urgency: 'not yet assigned' },
        },
      },
      'CVE-2023-0002': { releases: { bookworm: { status: 'resolved', repositories: {}, fixed_version: '0', urgency: 'unimportant' } } },
    },
    'linux-tools': { 'CVE-2023-0001': { releases: { bookworm: { status: 'open', repositories: {}, urgency: 'high' } } } },
  };

  test('statuses, urgencies and releases map as the tracker means them', async () => {
    const records = parseDebianTracker(doc, 'debian-tracker', DEFAULT_LIMITS);
    assert.deepEqual(records.map((r) => r.id).sort(), ['CVE-2023-0001', 'CVE-2023-0002']);
    const a = records.find((r) => r.id === 'CVE-2023-0001')!;
    const by = (eco: string, name = 'openssl') => a.affected.find((x) => x.ecosystem === eco && x.name === name);
    assert.deepEqual(by('Debian:12')?.ranges[0]?.events, [{ introduced: '0' }, { fixed: '3.0.9-1' }]);
    assert.equal(by('Debian:12')?.severity, 'Medium');
    assert.equal(by('Debian:11')?.status, 'fix_deferred');
    assert.equal(by('Debian:10')?.status, 'end_of_life');
    assert.equal(by('Debian:9')?.status, 'will_not_fix');
    assert.equal(by('Debian:9')?.severity, 'Negligible');
    assert.equal(by('Debian:13'), undefined, 'undetermined is skipped');
    assert.equal(by('Debian:12', 'linux-tools')?.status, 'affected');
    assert.equal(a.affected.length, 5, 'sid has no release');
    assert.equal(records.find((r) => r.id === 'CVE-2023-0002')!.affected[0]!.status, 'not_affected');

    const dir = await mkdtemp(path.join(os.tmpdir(), 'berth-tracker-'));
    const file = path.join(dir, 'json');
    await writeFile(file, JSON.stringify(doc));
    assert.equal(await sniffFormat(file), 'debian-tracker');
    const s = await openImport(file, {}, DEFAULT_LIMITS);
    assert.equal(s.source, 'debian-tracker');
    assert.equal((await collect(s.records)).length, 2);
    await rm(dir, { recursive: true });
  });
});

test('lookup keys fold names as each ecosystem does', () => {
  assert.equal(lookupKey('PyPI', 'Zope.Interface_x'), 'zope-interface-x');
  assert.equal(lookupKey('NuGet', 'Newtonsoft.Json'), 'newtonsoft.json');
  assert.equal(lookupKey('crates.io', 'Serde'), 'serde');
  assert.equal(lookupKey('Go', 'github.com/BurntSushi/toml'), 'github.com/BurntSushi/toml');
  assert.equal(lookupKey('npm', '@Scope/x'), '@Scope/x');
});

describe('hostile and malformed files', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'berth-vulndb-bad-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const write = async (name: string, data: string | Buffer) => {
    const f = path.join(dir, name);
    await writeFile(f, data);
    return f;
  };

  test('unknown formats, bad JSON, oversized files and records are refused with a reason', async () => {
    await assert.rejects(openImport(await write('x.txt', 'hello'), {}, DEFAULT_LIMITS), /cannot tell the format/);
    await assert.rejects(openImport(await write('bad.json', '{"distroversion": "v3.1'), {}, DEFAULT_LIMITS), /not valid JSON/);
    await assert.rejects(openImport(await write('big.json', JSON.stringify({ distroversion: 'v3.1', packages: [] })), {}, { ...DEFAULT_LIMITS, maxJsonBytes: 10 }), /more than the 10 allowed/);
    await assert.rejects(openImport(await write('big2.json', '{}'), { format: 'alpine-secdb' }, { ...DEFAULT_LIMITS, maxFileBytes: 1 }), /more than the 1 allowed/);
    await assert.rejects(openImport(await write('zip.zip', Buffer.from('PK\u0003\u0004 not really a zip')), {}, DEFAULT_LIMITS), VulnDataError);
    await assert.rejects(openImport(await write('s.json', '{"distroversion":"v3.1","packages":[]}'), { source: '../etc' }, DEFAULT_LIMITS), /not a source name/);
    await assert.rejects(openImport(await write('MIX', '[01 Jan 2020] DSA-1-1 pkg - x\n[01 Jan 2020] DLA-1-1 pkg - x\n'), {}, DEFAULT_LIMITS), /DLA-1-1 in a DSA list/);
    await assert.rejects(openImport(await write('LONG', `[01 Jan 2020] DSA-1-1 pkg - x\n\t{${'CVE-1 '.repeat(20_000)}}\n`), {}, DEFAULT_LIMITS), /longer than/);
    const list = await write('DSA', '[01 Jan 2020] DSA-1-1 pkg - x\n\t[bullseye] - pkg 1.0-1\n');
    await assert.rejects(openImport(list, { format: 'debian-dla' }, DEFAULT_LIMITS), /is a DSA list/);
  });

  test('a zip entry larger than the record limit is refused before it is read', async () => {
    const file = path.join(VULNDATA, 'osv/Go/all.zip');
    await assert.rejects(
      (async () => collect((await openImport(file, {}, { ...DEFAULT_LIMITS, maxRecordBytes: 512 })).records))(),
      /more than the 512 allowed for one record/,
    );
    await assert.rejects(openImport(file, {}, { ...DEFAULT_LIMITS, maxRecords: 10 }), /more than the 10 allowed/);
  });

  test('deeply nested JSON fails cleanly', async () => {
    const deep = `{"distroversion":"v3.1","packages":[${'['.repeat(200_000)}${']'.repeat(200_000)}]}`;
    await assert.rejects(openImport(await write('deep.json', deep), {}, DEFAULT_LIMITS), VulnDataError);
  });
});
