/**
 * The re-match after a vulnerability data import, at scale (SQLite and
 * PostgreSQL): 1,000 stored inventories of 100 PyPI packages each (60 at
 * versions the real PyPI OSV data lists as affected, 40 unknown to it),
 * re-matched against that data by the `vulnerabilities.rematch` code with
 * the real matcher and vulnerability database. Every report gets the
 * findings of its own vulnerable packages and none of the others; the time
 * is printed (and kept by the job as its run time), not asserted: figures
 * go to docs/benchmarks.md, bars to the benchmark script.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import os from 'node:os';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { rematchAll } from '../../src/supply-chain/scanning/rematch.ts';
import type { Advisory, Inventory, Package } from '../../src/supply-chain/types.ts';
import { VulnDb } from '../../src/supply-chain/vulndb/store.ts';
import { startTestBerth, type TestBerth } from '../support/berth.ts';
import { testDatabases } from '../support/databases.ts';

const OSV_PYPI = '/work/shared/vulndata/osv/PyPI/all.zip';
const REPORTS = Number(process.env.BERTH_REMATCH_REPORTS ?? 1000);
const VULNERABLE = 60;
const CLEAN = 40;

/** Deterministic pseudo-random numbers, so every run stores the same inventories. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

function pkg(name: string, version: string): Package {
  return { type: 'pypi', name, version, purl: `pkg:pypi/${name}@${version}`, location: `/usr/lib/python3/site-packages/${name}-${version}.dist-info/METADATA`, layer: `sha256:${'b'.repeat(64)}`, foundBy: 'python-dist' };
}

for (const database of await testDatabases()) {
  describe(`re-match of ${REPORTS} stored inventories on ${database.name}`, { skip: database.skip }, () => {
    let berth: TestBerth;
    const expected = new Map<string, Set<string>>();

    before(async () => {
      berth = await startTestBerth(await database.env());
      const vulndb = new VulnDb(berth.db);
      await vulndb.importFile(OSV_PYPI, { format: 'osv' });
      // Vulnerable (name, version) pairs straight from the records' versions[] lists.
      const rows = await berth.db.selectFrom('vuln_advisories').select(['id', 'data']).where('withdrawn', 'is', null).orderBy('id').execute();
      const pool: { name: string; version: string; id: string }[] = [];
      const seen = new Set<string>();
      for (const r of rows) {
        const a = JSON.parse(r.data) as Advisory;
        const aff = a.affected.find((x) => x.ecosystem === 'PyPI' && x.versions.length > 0);
        if (!aff || seen.has(aff.name)) continue;
        seen.add(aff.name);
        pool.push({ name: aff.name, version: aff.versions[0]!, id: a.id });
      }
      assert.ok(pool.length > 300, `only ${pool.length} packages`);
      const random = rng(42);
      const store = berth.scanning.store;
      for (let i = 0; i < REPORTS; i++) {
        const digest = `sha256:${createHash('sha256').update(`rematch ${i}`).digest('hex')}`;
        const picked = new Map<string, { name: string; version: string; id: string }>();
        while (picked.size < VULNERABLE) {
          const p = pool[Math.floor(random() * pool.length)]!;
          picked.set(p.name, p);
        }
        const packages = [...picked.values()].map((p) => pkg(p.name, p.version));
        for (let k = 0; k < CLEAN; k++) packages.push(pkg(`berth-rematch-clean-${i % 7}-${k}`, '1.0.0'));
        const inv: Inventory = { manifestDigest: digest, platform: { os: 'linux', architecture: 'amd64' }, packages, skipped: [], stats: { layers: 1, entries: 1, bytesRead: 1, durationMs: 1 } };
        await berth.db.transaction().execute(async (trx) => {
          const id = await store.markPending(trx, { digest, repository: 'bench/app', project: 'bench', mediaType: 'application/vnd.oci.image.manifest.v1+json', jobId: null });
          await store.saveResult(trx, id, { engine: 'berth', scanner: { name: 'Berth', vendor: 'Berth', version: 'test' }, inventories: [inv], findings: [], startedAt: Date.now() });
          expected.set(id, new Set([...picked.values()].map((p) => p.name)));
        });
      }
    });
    after(async () => {
      await berth?.stop();
    });

    test('every stored inventory is re-matched; findings name exactly its vulnerable packages', async () => {
      const vulndb = new VulnDb(berth.db);
      const log = pino({ level: 'silent' });
      const result = await rematchAll({ store: berth.scanning.store, engine: berth.scanning.berth, lookup: vulndb.lookup, log, signal: new AbortController().signal });
      process.stdout.write(`# ${database.name}: re-matched ${result.reports} inventories (${result.packages} packages) (${result.changed} changed) into ${result.findings} findings in ${result.durationMs} ms (read ${result.readMs}, match ${result.matchMs}, write ${result.writeMs}; load ${os.loadavg()[0]!.toFixed(1)})\n`);
      assert.equal(result.reports, REPORTS);
      assert.equal(result.packages, REPORTS * (VULNERABLE + CLEAN));
      const rows = await berth.db.selectFrom('scan_findings').select(['report_id', 'package']).execute();
      const found = new Map<string, Set<string>>();
      for (const r of rows) {
        let s = found.get(r.report_id);
        if (!s) found.set(r.report_id, (s = new Set()));
        s.add(r.package);
      }
      for (const [id, names] of expected) {
        const got = found.get(id) ?? new Set<string>();
        for (const n of got) assert.ok(names.has(n), `report ${id}: finding for ${n}, which is not a vulnerable package of it`);
        // Each picked version is listed as affected by at least one record (withdrawn ones excepted above).
        assert.ok(got.size >= names.size * 0.95, `report ${id}: ${got.size} of ${names.size} vulnerable packages found`);
      }
      // A second run over unchanged data rewrites nothing.
      const again = await rematchAll({ store: berth.scanning.store, engine: berth.scanning.berth, lookup: vulndb.lookup, log, signal: new AbortController().signal });
      process.stdout.write(`# ${database.name}: again, data unchanged: ${again.reports} inventories, ${again.changed} changed, ${again.durationMs} ms (read ${again.readMs}, match ${again.matchMs}, write ${again.writeMs})\n`);
      assert.deepEqual([again.reports, again.changed, again.findings], [REPORTS, 0, result.findings]);
      const totals = await berth.db.selectFrom('scan_reports').select(['id', 'total']).execute();
      for (const t of totals) assert.ok(Number(t.total) > 0);
    });
  });
}
