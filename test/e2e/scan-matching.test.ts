/**
 * Berth's findings checked against the real advisory data: the Python and Go
 * test images (real PyPI wheels and Go modules at old versions) are pushed
 * and scanned on a Berth with no vulnerability data (no findings), then the
 * real OSV files of /work/shared/vulndata are imported, and the re-match job
 * re-matches the stored inventories without reading a layer again. For every
 * package Berth listed, the test derives the expected advisories itself from
 * the same OSV records with a small reference evaluator
 * (test/support/osv-reference.ts, no product code) and compares: every
 * expected record is reported (by its id or an alias), every finding is
 * expected, and no vulnerability is reported twice for one package. On SQLite
 * and PostgreSQL.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { VulnDb } from '../../src/supply-chain/vulndb/store.ts';
import { basicAuth, startTestBerth, type TestBerth } from '../support/berth.ts';
import { testDatabases } from '../support/databases.ts';
import { VULNDATA } from '../support/vulndata.ts';
import { affecting, readOsvZip, type OsvRecord, type RefPackage } from '../support/osv-reference.ts';
import { peerPath, skipUnlessPeer } from '../support/peers.ts';
import { packagesOf, pushLayout, scanAndWait, scanImages, vulnerabilitiesOf, type ApiPackage, type ApiVulnerability, type ScanImageName } from '../support/scan-images.ts';

const SOURCES = [
  { source: 'osv-PyPI', file: path.join(VULNDATA, 'osv', 'PyPI', 'all.zip') },
  { source: 'osv-Go', file: path.join(VULNDATA, 'osv', 'Go', 'all.zip') },
];
const MATCHED: { image: ScanImageName; type: string; ecosystem: RefPackage['ecosystem'] }[] = [
  { image: 'python', type: 'pypi', ecosystem: 'PyPI' },
  { image: 'go', type: 'golang', ecosystem: 'Go' },
];

const images = await scanImages();
const skip = images instanceof Error ? images.message : skipUnlessPeer('skopeo');
const pep503 = (n: string) => n.toLowerCase().replace(/[-_.]+/g, '-');

/** The records a finding names: its id and aliases against each record's id and aliases. */
function names(f: ApiVulnerability): Set<string> {
  return new Set([f.id, ...f.aliases]);
}
const recordNames = (r: OsvRecord) => [r.id, ...(r.aliases ?? [])];

/** Differences between the reference's records and Berth's findings for one package, as messages. */
export function compareFindings(pkg: ApiPackage, expected: OsvRecord[], findings: ApiVulnerability[]): string[] {
  const problems: string[] = [];
  const label = `${pkg.name}@${pkg.version}`;
  for (const r of expected) {
    if (!findings.some((f) => recordNames(r).some((n) => names(f).has(n)))) problems.push(`${label}: ${r.id} (${(r.aliases ?? []).join(', ')}) not reported`);
  }
  for (const f of findings) {
    if (!expected.some((r) => recordNames(r).some((n) => names(f).has(n)))) problems.push(`${label}: ${f.id} reported, but no record of the data affects this version`);
  }
  const ids = findings.map((f) => f.id);
  const dup = ids.filter((id, i) => ids.indexOf(id) !== i);
  if (dup.length) problems.push(`${label}: reported more than once: ${dup.join(', ')}`);
  return problems;
}

const records = new Map<string, OsvRecord[]>();

for (const db of await testDatabases()) {
  describe(`scan matching on ${db.name}`, { skip: skip || db.skip }, () => {
    let berth: TestBerth;
    const digests = new Map<ScanImageName, string>();

    before(async () => {
      berth = await startTestBerth(await db.env());
      if (!records.size) {
        records.set('PyPI', await readOsvZip(SOURCES[0]!.file));
        records.set('Go', await readOsvZip(SOURCES[1]!.file));
      }
    });
    after(async () => {
      await berth?.stop();
    });

    test('the images scan clean without vulnerability data', { timeout: 10 * 60_000 }, async () => {
      for (const { image } of MATCHED) {
        const repository = `match/${image}`;
        const digest = await pushLayout(peerPath('skopeo'), berth, (images as Map<ScanImageName, string>).get(image)!, repository);
        digests.set(image, digest);
        const report = await scanAndWait(berth, repository, digest);
        assert.equal(report.summary.total, 0, `${image}: no findings without data`);
        assert.ok((await packagesOf(berth, repository, digest)).length > 0, `${image}: packages found`);
      }
    });

    test('importing the real OSV data re-matches the stored inventories', { timeout: 10 * 60_000 }, async () => {
      // Through the vulnerability database's own import (the one its
      // /api/v1/vulndb/imports route calls; that route is tested with the
      // vulndb suites): it enqueues the re-match job in its transaction.
      const vulndb = new VulnDb(berth.db, { jobs: berth.jobs });
      for (const { source, file } of SOURCES) {
        const result = await vulndb.importFile(file, { format: 'osv', source });
        assert.equal(result.records, records.get(source.slice(4))!.length, `${source}: every record of the file imported`);
        assert.ok(result.rematch_job_id, `${source}: a re-match job was queued`);
        await waitForJob(berth, result.rematch_job_id);
      }
    });

    for (const { image, type, ecosystem } of MATCHED) {
      test(`${image}: findings equal the reference evaluation of the OSV records`, async () => {
        const repository = `match/${image}`;
        const digest = digests.get(image);
        assert.ok(digest, 'pushed by the first test');
        const packages = (await packagesOf(berth, repository, digest)).filter((p) => p.type === type);
        const findings = await vulnerabilitiesOf(berth, repository, digest);
        const problems: string[] = [];
        let expectedCount = 0;
        for (const pkg of packages) {
          const expected = affecting(records.get(ecosystem)!, { ecosystem, name: pkg.name, version: pkg.version });
          expectedCount += expected.length;
          const mine = findings.filter((f) => f.package_type === type && pep503(f.package) === pep503(pkg.name) && f.version === pkg.version);
          problems.push(...compareFindings(pkg, expected, mine));
        }
        const unplaced = findings.filter((f) => f.package_type === type && !packages.some((p) => pep503(p.name) === pep503(f.package) && p.version === f.version));
        for (const f of unplaced) problems.push(`${f.package}@${f.version}: ${f.id} on a package the inventory does not list`);
        process.stdout.write(`${db.name} ${image}: ${packages.length} packages, ${expectedCount} OSV records affect them, Berth reports ${findings.length} findings\n`);
        assert.ok(expectedCount > 0, `${image}: the old versions are affected by some records`);
        assert.deepEqual(problems, [], problems.join('\n'));
      });
    }
  });
}

async function waitForJob(berth: TestBerth, id: string): Promise<void> {
  const deadline = Date.now() + 5 * 60_000;
  for (;;) {
    const res = await fetch(`${berth.url}/api/v1/jobs/${id}`, { headers: { authorization: basicAuth() } });
    assert.equal(res.status, 200);
    const job = (await res.json()) as { state: string; lastError: string | null };
    if (job.state === 'succeeded') return;
    assert.ok(job.state === 'queued' || job.state === 'running', `re-match job ${id} ${job.state}: ${job.lastError}`);
    assert.ok(Date.now() < deadline, `re-match job ${id} did not finish`);
    await sleep(200);
  }
}
