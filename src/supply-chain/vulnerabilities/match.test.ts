import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { Advisory, Distro, Finding, Inventory, Package, PackageType } from '../types.ts';
import { MatchCache, lookupKeys, matchAdvisories, matchInventory, summarize, type AdvisoryLookup } from './match.ts';
import { readOsvZip, toAdvisory, vulndataDir } from './testing/osv-zip.ts';
import { compareVersions } from './versions/index.ts';

function pkg(type: PackageType, name: string, version: string, extra: Partial<Package> = {}): Package {
  return { type, name, version, purl: `pkg:${type}/${name}@${version}`, location: `/app/${name}`, layer: 'sha256:aa', foundBy: 'test', ...extra };
}

function inventory(packages: Package[], distro?: Distro): Inventory {
  const inv: Inventory = { manifestDigest: 'sha256:bb', packages, skipped: [], stats: { layers: 1, entries: 1, bytesRead: 1, durationMs: 1 } };
  if (distro) inv.distro = distro;
  return inv;
}

/** The vulnerability database's part, in memory (a fake of VulnDb.lookup for unit tests), counting its calls. */
function memoryLookup(advisories: Advisory[]): AdvisoryLookup & { calls: { ecosystem: string; name: string }[][] } {
  const index = new Map<string, Advisory[]>();
  for (const a of advisories) {
    for (const e of a.affected) {
      const k = `${e.ecosystem}\0${e.name}`;
      const list = index.get(k) ?? [];
      if (!list.includes(a)) list.push(a);
      index.set(k, list);
    }
  }
  const calls: { ecosystem: string; name: string }[][] = [];
  const lookup = (keys: { ecosystem: string; name: string }[]): Advisory[] => {
    calls.push(keys);
    return [...new Set(keys.flatMap((k) => index.get(`${k.ecosystem}\0${k.name}`) ?? []))];
  };
  return Object.assign(lookup, { calls });
}

function byId(findings: Finding[], pkgName: string): Map<string, Finding> {
  return new Map(findings.filter((f) => f.package === pkgName).map((f) => [f.id, f]));
}

function assertNoDuplicates(findings: Finding[]): void {
  const perPackage = new Map<string, Set<string>>();
  for (const f of findings) {
    const key = `${f.purl}\0${f.location}`;
    const ids = perPackage.get(key) ?? new Set<string>();
    for (const id of [f.id, ...f.aliases]) {
      assert.ok(!ids.has(id), `${id} reported twice for ${f.package} ${f.installedVersion}`);
      ids.add(id);
    }
    perPackage.set(key, ids);
  }
}

describe('matching real OSV records', () => {
  let go: Advisory[] = [];
  let pypi: Advisory[] = [];
  before(async () => {
    const dir = vulndataDir();
    if (!dir) {
      if (process.env['CI'] === 'true') assert.fail('shared/vulndata not found (required under CI=true)');
      return;
    }
    go = (await readOsvZip(`${dir}/osv/Go/all.zip`)).map((r) => toAdvisory(r, 'osv-Go'));
    pypi = (await readOsvZip(`${dir}/osv/PyPI/all.zip`)).map((r) => toAdvisory(r, 'osv-PyPI'));
  });

  test('a Go binary: stdlib by Go release name, modules, pseudo-versions, +incompatible, withdrawn records', async (t) => {
    if (go.length === 0) return t.skip('shared/vulndata not found');
    assert.equal(go.length, 4291);
    const inv = inventory([
      pkg('golang', 'stdlib', 'go1.21.1', { location: '/usr/bin/app' }),
      pkg('golang', 'stdlib', 'go1.21.3', { location: '/usr/bin/other', purl: 'pkg:golang/stdlib@go1.21.3' }),
      pkg('golang', 'golang.org/x/net', 'v0.16.0'),
      pkg('golang', 'golang.org/x/crypto', 'v0.0.0-20200622213623-75b288015ac9'),
      pkg('golang', 'github.com/docker/docker', 'v24.0.7+incompatible'),
      pkg('golang', 'github.com/gorilla/sessions', 'v1.2.1'),
      pkg('golang', 'example.com/app', '(devel)'),
    ]);
    const lookup = memoryLookup(go);
    const findings = await matchInventory(inv, lookup);
    assert.equal(lookup.calls.length, 1, 'one batched lookup per inventory');
    assertNoDuplicates(findings);

    const stdlib = new Map(findings.filter((f) => f.location === '/usr/bin/app').map((f) => [f.id, f]));
    const rapidReset = stdlib.get('CVE-2023-39325');
    assert.ok(rapidReset, 'HTTP/2 rapid reset (GO-2023-2102) in go1.21.1');
    assert.equal(rapidReset.fixedVersion, '1.21.3');
    assert.deepEqual(rapidReset.aliases, ['GHSA-4374-p667-p6c8', 'GO-2023-2102']);
    assert.deepEqual(rapidReset.sources, ['osv-Go']);
    assert.equal(rapidReset.installedVersion, 'go1.21.1');
    const newer = findings.filter((f) => f.location === '/usr/bin/other');
    assert.ok(!newer.some((f) => f.id === 'CVE-2023-39325'), 'fixed in go1.21.3');
    assert.ok(newer.length < stdlib.size, `go1.21.3 has fewer (${newer.length}) than go1.21.1 (${stdlib.size})`);

    assert.equal(byId(findings, 'golang.org/x/net').get('CVE-2023-39325')?.fixedVersion, '0.17.0');
    const crypto = byId(findings, 'golang.org/x/crypto');
    assert.equal(crypto.get('CVE-2020-29652')?.fixedVersion, '0.0.0-20201216223049-8b5274cf687f', 'pseudo-version below the fix');
    assert.ok(!crypto.has('CVE-2020-9283'), 'fixed by 0.0.0-20200220183623, older than the installed pseudo-version');
    assert.equal(byId(findings, 'github.com/docker/docker').get('CVE-2024-41110')?.fixedVersion, '25.0.6+incompatible');
    assert.equal(byId(findings, 'github.com/gorilla/sessions').size, 0, 'GO-2024-2730 is withdrawn');
    assert.equal(byId(findings, 'example.com/app').size, 0, 'a (devel) main module has no version to compare');
    t.diagnostic(`go1.21.1: ${stdlib.size} findings, go1.21.3: ${newer.length}; total ${findings.length}`);
  });

  test('a Python image: PEP 503 names, unsorted intervals, CVSS severity, withdrawn records', async (t) => {
    if (pypi.length === 0) return t.skip('shared/vulndata not found');
    const inv = inventory([
      pkg('pypi', 'requests', '2.19.1'),
      pkg('pypi', 'PyYAML', '5.3'),
      pkg('pypi', 'urllib3', '1.26.5'),
      pkg('pypi', 'Django', '4.2.0'),
      pkg('pypi', 'redis', '4.5.4'),
    ]);
    const findings = await matchInventory(inv, memoryLookup(pypi));
    assertNoDuplicates(findings);
    const requests = byId(findings, 'requests');
    assert.equal(requests.get('CVE-2018-18074')?.fixedVersion, '2.20.0');
    assert.ok(!requests.has('CVE-2015-2296') && !requests.has('CVE-2014-1829'), 'older ranges do not match');
    const yaml = byId(findings, 'PyYAML');
    assert.equal(yaml.get('CVE-2020-1747')?.fixedVersion, '5.3.1');
    assert.equal(yaml.get('CVE-2020-14343')?.fixedVersion, '5.4');
    assert.ok(!yaml.has('CVE-2019-20477'), 'fixed in 5.2b1, below 5.3');
    const urllib3 = byId(findings, 'urllib3').get('CVE-2023-43804');
    assert.equal(urllib3?.fixedVersion, '1.26.17', 'the 1.x interval, listed after the 2.x one');
    assert.deepEqual(urllib3?.cvss, { version: '3.1', score: 8.1, vector: 'CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:N' });
    assert.equal(urllib3?.severity, 'High');
    assert.ok(urllib3?.aliases.includes('PYSEC-2023-192'));
    assert.equal(byId(findings, 'Django').get('CVE-2024-39329')?.fixedVersion, '4.2.14');
    assert.ok(!byId(findings, 'redis').has('CVE-2023-31655'), 'PYSEC-2023-73 is withdrawn');
    for (const f of findings.filter((x) => !x.cvss)) assert.equal(f.severity, 'Unknown', `${f.id} has no score and no vendor severity`);
    t.diagnostic(`summary ${JSON.stringify(summarize(findings))}`);
  });

  test('aliases merge across sources: one CVE once per package, every source and the highest severity', async (t) => {
    if (go.length === 0) return t.skip('shared/vulndata not found');
    const ghsa: Advisory = {
      id: 'GHSA-4374-p667-p6c8',
      source: 'ghsa',
      aliases: ['CVE-2023-39325'],
      severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H' }],
      references: ['https://example.test/ghsa'],
      affected: [{ ecosystem: 'Go', name: 'golang.org/x/net', ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '0.17.0' }] }], versions: [], status: 'affected' }],
    };
    const findings = matchAdvisories(inventory([pkg('golang', 'golang.org/x/net', 'v0.16.0')]), [...go, ghsa]);
    assertNoDuplicates(findings);
    const f = byId(findings, 'golang.org/x/net').get('CVE-2023-39325');
    assert.ok(f);
    assert.deepEqual(f.sources, ['ghsa', 'osv-Go']);
    assert.deepEqual(f.cvss, { version: '3.1', score: 7.5, vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H' });
    assert.equal(f.severity, 'High');
    assert.ok(f.links.includes('https://example.test/ghsa'));
    assert.equal(findings.filter((x) => x.id === 'CVE-2023-39325').length, 1);
  });

  test('speed on real data: every PyPI package named by the data, matched at its oldest listed version', async (t) => {
    if (pypi.length === 0) return t.skip('shared/vulndata not found');
    const first = new Map<string, string>();
    for (const a of pypi) for (const e of a.affected) if (e.versions[0] && !first.has(e.name)) first.set(e.name, e.versions[0]);
    const inv = inventory([...first].map(([name, version]) => pkg('pypi', name, version)));
    const started = performance.now();
    const findings = matchAdvisories(inv, pypi);
    const ms = performance.now() - started;
    assertNoDuplicates(findings);
    assert.ok(findings.length >= first.size * 0.9, `${findings.length} findings for ${first.size} packages`);
    t.diagnostic(`${inv.packages.length} packages, ${pypi.length} advisories → ${findings.length} findings in ${Math.round(ms)} ms`);
  });
});

describe('re-matching many stored inventories', () => {
  test('1,000 inventories of 200 packages each against the real Go and PyPI data, with a shared cache; same findings as without', async (t) => {
    const dir = vulndataDir();
    if (!dir) {
      if (process.env['CI'] === 'true') assert.fail('shared/vulndata not found (required under CI=true)');
      return t.skip('shared/vulndata not found');
    }
    const advisories = [
      ...(await readOsvZip(`${dir}/osv/Go/all.zip`)).map((r) => toAdvisory(r, 'osv-Go')),
      ...(await readOsvZip(`${dir}/osv/PyPI/all.zip`)).map((r) => toAdvisory(r, 'osv-PyPI')),
    ];
    // A pool of real package versions the data names: each package at its newest fixed version (clean, as most
    // packages of an image are) and one in ten at its oldest listed, vulnerable version; drawn deterministically
    // into images that share most packages, as images built on common bases do.
    const newest = new Map<string, Package>();
    const vulnerable: Package[] = [];
    for (const a of advisories) {
      for (const e of a.affected) {
        const scheme = e.ecosystem === 'Go' ? 'go' : 'pep440';
        for (const ev of e.ranges.flatMap((r) => (r.type === 'GIT' ? [] : r.events))) {
          if (!('fixed' in ev)) continue;
          const version = e.ecosystem === 'Go' ? (e.name === 'stdlib' ? `go${ev.fixed}` : `v${ev.fixed}`) : ev.fixed;
          const key = `${e.ecosystem}\0${e.name}`;
          const had = newest.get(key);
          try {
            if (!had || compareVersions(scheme, version, had.version) > 0) newest.set(key, pkg(e.ecosystem === 'Go' ? 'golang' : 'pypi', e.name, version));
          } catch {
            // a fix version the scheme cannot order is left out of the pool
          }
        }
        if (e.ecosystem === 'PyPI' && e.versions[0] && vulnerable.length < newest.size / 9) vulnerable.push(pkg('pypi', e.name, e.versions[0]));
      }
    }
    const pool = [...newest.values(), ...vulnerable];
    let seed = 42;
    const random = (): number => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const inventories = Array.from({ length: 1000 }, (_, i) =>
      inventory(Array.from({ length: 200 }, (_, j) => ({ ...pool[Math.floor(random() * pool.length)]!, location: `/img${i}/${j}` }))),
    );
    const lookup = memoryLookup(advisories);
    const cache = new MatchCache();
    // The fake lookup's own time is kept out of the figure: the database's is the vulnerability-data helper's.
    const fetched = inventories.map((inv) => lookup(lookupKeys(inv)) as Advisory[]);
    const started = performance.now();
    let total = 0;
    inventories.forEach((inv, i) => (total += matchAdvisories(inv, fetched[i]!, { cache }).length));
    const ms = performance.now() - started;
    t.diagnostic(
      `1,000 inventories × 200 packages (pool of ${pool.length}): ${total} findings in ${Math.round(ms)} ms of matching (cache ${cache.hits} hits, ${cache.misses} misses)`,
    );
    for (const inv of inventories.slice(0, 5)) {
      const plain = await matchInventory(inv, lookup);
      const cached = await matchInventory(inv, lookup, { cache });
      assert.deepEqual(cached, plain);
    }
    assert.ok(total > 0);
  });
});

describe('distribution advisories (records in the shape the importers produce)', () => {
  const bookworm: Distro = { id: 'debian', versionId: '12', codename: 'bookworm' };
  const debianAdvisory = (id: string, name: string, events: Advisory['affected'][number]['ranges'][number]['events'], extra: Partial<Advisory['affected'][number]> = {}, ecosystem = 'Debian:12'): Advisory => ({
    id,
    source: 'debian-tracker',
    aliases: [],
    severity: [],
    references: [],
    affected: [{ ecosystem, name, ranges: events.length ? [{ type: 'ECOSYSTEM', events }] : [], versions: [], status: 'affected', ...extra }],
  });
  const libssl = pkg('deb', 'libssl3', '3.0.11-1~deb12u2', { source: { name: 'openssl', version: '3.0.11-1~deb12u2' }, purl: 'pkg:deb/debian/libssl3@3.0.11-1~deb12u2' });
  const opensslBin = pkg('deb', 'openssl', '3.0.11-1~deb12u2', { purl: 'pkg:deb/debian/openssl@3.0.11-1~deb12u2' });
  const bash = pkg('deb', 'bash', '5.2.15-2+b2', { source: { name: 'bash', version: '5.2.15-2' }, purl: 'pkg:deb/debian/bash@5.2.15-2+b2' });

  test('Debian by source package and release, source version compared, statuses kept, not_affected drops', () => {
    const advisories = [
      debianAdvisory('CVE-2023-5363', 'openssl', [{ introduced: '0' }, { fixed: '3.0.11-1~deb12u1' }]),
      debianAdvisory('CVE-2024-0727', 'openssl', [{ introduced: '0' }, { fixed: '3.0.13-1~deb12u1' }], { severity: 'Low' }),
      debianAdvisory('CVE-2024-0727', 'openssl', [{ introduced: '0' }, { fixed: '3.0.13-1~deb11u1' }], {}, 'Debian:11'),
      debianAdvisory('CVE-2022-3715', 'bash', [], { status: 'will_not_fix' }),
      debianAdvisory('CVE-2024-9999', 'bash', [{ introduced: '0' }, { fixed: '5.2.15-3' }]),
      { ...debianAdvisory('CVE-2024-9999', 'bash', [], { status: 'not_affected' }), source: 'debian-dsa' },
      debianAdvisory('CVE-2019-18276', 'bash', [{ introduced: '0' }, { fixed: '5.2.15-2' }]),
    ];
    const inv = inventory([libssl, opensslBin, bash], bookworm);
    assert.deepEqual(lookupKeys(inv), [
      { ecosystem: 'Debian:12', name: 'openssl' },
      { ecosystem: 'Debian:12', name: 'bash' },
    ]);
    const findings = matchAdvisories(inv, advisories);
    const forLibssl = byId(findings, 'libssl3');
    assert.deepEqual([...forLibssl.keys()], ['CVE-2024-0727'], 'deb12u2 is past the 5363 fix; Debian:11 data ignored');
    assert.equal(forLibssl.get('CVE-2024-0727')?.fixedVersion, '3.0.13-1~deb12u1');
    assert.equal(forLibssl.get('CVE-2024-0727')?.severity, 'Low', 'the vendor severity when there is no vector');
    assert.equal(forLibssl.get('CVE-2024-0727')?.installedVersion, '3.0.11-1~deb12u2');
    assert.ok(byId(findings, 'openssl').has('CVE-2024-0727'), 'each binary of the source package has its finding');
    const forBash = byId(findings, 'bash');
    assert.equal(forBash.get('CVE-2022-3715')?.status, 'will_not_fix');
    assert.equal(forBash.get('CVE-2022-3715')?.fixedVersion, undefined);
    assert.ok(!forBash.has('CVE-2024-9999'), 'a not_affected statement drops it');
    assert.ok(!forBash.has('CVE-2019-18276'), 'source version 5.2.15-2 (binary 5.2.15-2+b2) is the fix itself');
    assert.deepEqual(summarize(findings), { Unknown: 1, Negligible: 0, Low: 2, Medium: 0, High: 0, Critical: 0 });
  });

  test('Alpine by origin and branch (v3.19), apk ordering', () => {
    const libcrypto = pkg('apk', 'libcrypto3', '3.1.4-r5', { source: { name: 'openssl', version: '3.1.4-r5' } });
    const secdb = (id: string, fixed: string, ecosystem: string): Advisory => ({
      id,
      source: 'alpine-secdb',
      aliases: [],
      severity: [],
      references: [],
      affected: [{ ecosystem, name: 'openssl', ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed }] }], versions: [], status: 'affected' }],
    });
    const findings = matchAdvisories(inventory([libcrypto], { id: 'alpine', versionId: '3.19.1' }), [
      secdb('CVE-2024-0727', '3.1.4-r5', 'Alpine:v3.19'),
      secdb('CVE-2024-2511', '3.1.4-r6', 'Alpine:v3.19'),
      secdb('CVE-2024-4603', '3.1.5-r0', 'Alpine:v3.18'),
    ]);
    assert.deepEqual(
      findings.map((f) => [f.id, f.fixedVersion]),
      [['CVE-2024-2511', '3.1.4-r6']],
    );
  });

  test('packages without a placeable ecosystem are not looked up; an empty inventory asks nothing', async () => {
    const lookup = memoryLookup([]);
    assert.deepEqual(await matchInventory(inventory([pkg('deb', 'bash', '5.2')]), lookup), []);
    assert.equal(lookup.calls.length, 0);
  });
});

test('what cannot be evaluated is logged once per kind, not once per advisory', () => {
  const messages: string[] = [];
  const log = { info: (_: object, message: string) => void messages.push(message) };
  const git = (id: string): Advisory => ({
    id,
    source: 's',
    aliases: [],
    severity: [],
    references: [],
    affected: [{ ecosystem: 'PyPI', name: 'x', ranges: [{ type: 'GIT', events: [{ introduced: '0' }, { fixed: 'abc' }] }], versions: ['1.0'], status: 'affected' }],
  });
  const findings = matchAdvisories(inventory([pkg('pypi', 'x', '1.0')]), [git('PYSEC-1'), git('PYSEC-2'), git('PYSEC-3')], { log });
  assert.deepEqual(findings.map((f) => f.id).sort(), ['PYSEC-1', 'PYSEC-2', 'PYSEC-3'], 'matched through versions[]');
  assert.equal(messages.filter((m) => m.startsWith('GIT ranges')).length, 1);
});
