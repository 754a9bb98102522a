/**
 * The vulnerability database on SQLite and PostgreSQL: every real file of
 * /work/shared/vulndata imported (counts checked against the files by the
 * parsers test's independent counters), lookups by (ecosystem, name),
 * incremental re-imports, atomicity of a failing import, removal, and the
 * re-match job enqueued in the import's transaction.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { testDatabases } from '../../../test/support/databases.ts';
import { AuditLog } from '../../audit/audit-log.ts';
import { openDatabase } from '../../platform/db/database.ts';
import type { Db } from '../../platform/db/schema.ts';
import { Jobs } from '../../platform/jobs/platform.ts';
import { VULNDATA, listHeaders, secdbFiles, secdbIds, writeZip, zipJsonEntries } from '../../../test/support/vulndata.ts';
import { REMATCH_JOB, VulnDb } from './store.ts';

const ctx = { actor: { kind: 'user' as const, name: 'admin' }, sourceIp: '127.0.0.1' };

for (const kind of await testDatabases()) {
  describe(`vulnerability database on ${kind.name}`, { skip: kind.skip }, () => {
    let dir: string;
    let db: Db;
    let jobs: Jobs;
    let vulndb: VulnDb;
    let audit: AuditLog;

    before(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'berth-vulndb-'));
      db = await openDatabase(await kind.createUrl(dir));
      jobs = new Jobs(db, { log: pino({ level: 'silent' }) });
      audit = new AuditLog(db, { flushIntervalMs: 50, logger: pino({ level: 'silent' }) });
      vulndb = new VulnDb(db, { jobs, audit });
    });
    after(async () => {
      await audit.close();
      await db.destroy();
      await rm(dir, { recursive: true, force: true });
    });

    test('every real file imports with the record count the file holds', async () => {
      const expected: Record<string, number> = {};
      const timings: string[] = [];
      const run = async (file: string) => {
        const r = await vulndb.importFile(file, {}, ctx);
        timings.push(`${r.source} ${r.records} records ${r.duration_ms} ms`);
        assert.equal(r.added, r.records);
        assert.equal(r.updated + r.removed, 0);
        return r;
      };
      for (const eco of ['Go', 'PyPI']) {
        const file = path.join(VULNDATA, 'osv', eco, 'all.zip');
        const r = await run(file);
        expected[r.source] = (await zipJsonEntries(file)).length;
        assert.ok(r.rematch_job_id);
      }
      for (const file of await secdbFiles()) {
        const r = await run(file);
        expected[r.source] = await secdbIds(file);
      }
      for (const name of ['DSA-list', 'DLA-list']) {
        const file = path.join(VULNDATA, 'debian', name);
        const r = await run(file);
        expected[r.source] = await listHeaders(file);
      }
      console.log(`${kind.name}: ${timings.join('; ')}`);
      const sources = await vulndb.sources();
      assert.deepEqual(Object.fromEntries(sources.map((s) => [s.name, s.records])), expected);
      for (const s of sources) {
        const { n } = await db.selectFrom('vuln_advisories').select((eb) => eb.fn.countAll<number>().as('n')).where('source', '=', s.name).executeTakeFirstOrThrow();
        assert.equal(Number(n), s.records, s.name);
      }
      assert.deepEqual(sources.find((s) => s.name === 'osv-Go')?.ecosystems, ['Go']);
      assert.ok(sources.find((s) => s.name === 'debian-dsa')?.ecosystems.includes('Debian:11'));
      assert.equal(sources.find((s) => s.name === 'alpine-secdb-v3.10-main')?.version, 'v3.10/main');
      const rematch = await jobs.queue.list({ kind: REMATCH_JOB }, { page: 1, pageSize: 100 });
      assert.equal(rematch.total, sources.filter((s) => s.records > 0).length);
      assert.ok(rematch.items.every((j) => Array.isArray((j.payload as { sources: string[] }).sources)));
    });

    test('lookup by (ecosystem, name): Go modules, PyPI by normalised name, Debian and Alpine source packages', async () => {
      const go = await vulndb.lookup([{ ecosystem: 'Go', name: 'stdlib' }]);
      assert.ok(go.length > 100, `${go.length} stdlib advisories`);
      assert.ok(go.every((a) => a.affected.some((p) => p.name === 'stdlib')));
      const pypiExact = await vulndb.lookup([{ ecosystem: 'PyPI', name: 'django' }]);
      const pypiOther = await vulndb.lookup([{ ecosystem: 'PyPI', name: 'Django' }]);
      assert.ok(pypiExact.length > 50);
      assert.deepEqual(pypiOther.map((a) => a.id).sort(), pypiExact.map((a) => a.id).sort());
      const deb = await vulndb.lookup([{ ecosystem: 'Debian:11', name: 'xorg-server' }]);
      assert.ok(deb.some((a) => a.id === 'DSA-5380-1'));
      const alpine = await vulndb.lookup([{ ecosystem: 'Alpine:v3.10', name: 'apache2' }]);
      assert.ok(alpine.some((a) => a.id === 'CVE-2019-10081'));
      assert.deepEqual(await vulndb.lookup([{ ecosystem: 'npm', name: 'left-pad' }]), []);
      // Many keys at once: batched, each advisory once.
      const keys = Array.from({ length: 1200 }, (_, i) => ({ ecosystem: 'Go', name: `example.com/m${i}` }));
      const many = await vulndb.lookup([...keys, { ecosystem: 'Go', name: 'stdlib' }, { ecosystem: 'Go', name: 'stdlib' }]);
      assert.equal(many.length, go.length);
    });

    test('a re-import of the same file changes nothing; a changed file updates, adds and removes only what changed', async () => {
      const same = await vulndb.importFile(path.join(VULNDATA, 'debian', 'DSA-list'), {}, ctx);
      assert.deepEqual([same.added, same.updated, same.removed, same.rematch_job_id], [0, 0, 0, null]);
      const file = path.join(dir, 'DSA-small');
      await writeFile(file, '[02 Apr 2023] DSA-9999-1 newpkg - security update\n\t{CVE-2099-0001}\n\t[bullseye] - newpkg 1.0-1\n[29 Mar 2023] DSA-5380-1 xorg-server - security update\n\t{CVE-2023-1393}\n\t[bullseye] - xorg-server 2:1.20.11-1+deb11u7\n');
      const r = await vulndb.importFile(file, { source: 'debian-dsa' }, ctx);
      assert.deepEqual([r.records, r.added, r.updated], [2, 1, 1]);
      assert.equal(r.removed, 5406 - 1);
      assert.ok(r.rematch_job_id);
      const xorg = await vulndb.lookup([{ ecosystem: 'Debian:11', name: 'xorg-server' }]);
      assert.deepEqual(xorg.map((a) => a.affected[0]?.ranges[0]?.events[1]), [{ fixed: '2:1.20.11-1+deb11u7' }]);
      assert.equal((await vulndb.source('debian-dsa')).version, '2023-04-02');
    });

    test('a failing import leaves the previous data in use and enqueues nothing', async () => {
      const before = await vulndb.source('debian-dsa');
      const queued = (await jobs.queue.list({ kind: REMATCH_JOB }, { page: 1, pageSize: 100 })).total;
      const file = path.join(dir, 'DSA-dup');
      // A DSA list with a DLA in it is refused while it is read.
      await writeFile(file, '[01 Apr 2023] DSA-7000-1 p - x\n\t[bullseye] - p 1.0\n[01 Apr 2023] DLA-7000-1 p - x\n');
      await assert.rejects(vulndb.importFile(file, { source: 'debian-dsa' }), /DLA-7000-1 in a DSA list/);
      // A zip that fails half-way (a record over the limit) after earlier records were read.
      const strict = new VulnDb(db, { jobs, limits: { maxRecordBytes: 3000 } });
      await assert.rejects(strict.importFile(path.join(VULNDATA, 'osv', 'Go', 'all.zip'), {}, ctx), /allowed for one record/);
      // A zip whose first record changes (and is written) and whose second is broken: the write is rolled back.
      const original = await vulndb.advisory('osv-Go', 'GO-2020-0001');
      const changed = Buffer.from(JSON.stringify({ id: 'GO-2020-0001', modified: '2030-01-01T00:00:00Z', summary: 'changed', affected: [{ package: { ecosystem: 'Go', name: 'example.com/changed' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }] }] }] }));
      const half = path.join(dir, 'half.zip');
      await writeZip(half, [{ name: 'GO-2020-0001.json', data: changed }, { name: 'GO-BROKEN.json', data: Buffer.from('{"id": "GO-BROKEN", "affected": [') }]);
      await assert.rejects(vulndb.importFile(half, { source: 'osv-Go' }, ctx), /GO-BROKEN\.json/);
      assert.deepEqual(await vulndb.advisory('osv-Go', 'GO-2020-0001'), original);
      assert.deepEqual(await vulndb.lookup([{ ecosystem: 'Go', name: 'example.com/changed' }]), []);
      assert.deepEqual(await vulndb.source('debian-dsa'), before);
      assert.equal((await vulndb.source('osv-Go')).records, 4291);
      assert.equal((await vulndb.lookup([{ ecosystem: 'Go', name: 'stdlib' }])).length > 100, true);
      assert.equal((await jobs.queue.list({ kind: REMATCH_JOB }, { page: 1, pageSize: 100 })).total, queued);
    });

    test('two imports into one new source at once run one after the other', async () => {
      const file = path.join(VULNDATA, 'debian', 'DLA-list');
      const [a, b] = await Promise.all([new VulnDb(db, { jobs }).importFile(file, { source: 'dla-twice' }), new VulnDb(db, { jobs }).importFile(file, { source: 'dla-twice' })]);
      assert.deepEqual([a.added, b.added].sort((x, y) => x - y), [0, 3534]);
      assert.equal((await vulndb.source('dla-twice')).records, 3534);
      await vulndb.remove('dla-twice');
      // More changes than fit in memory between the passes: the file is read again inside the transaction.
      const overflow = await new VulnDb(db, { jobs, stagingBytes: 0 }).importFile(file, { source: 'dla-twice' });
      assert.deepEqual([overflow.records, overflow.added], [3534, 3534]);
      assert.deepEqual(await vulndb.advisory('dla-twice', 'DLA-3377-1'), await vulndb.advisory('debian-dla', 'DLA-3377-1').then((a) => a && { ...a, source: 'dla-twice' }));
      await vulndb.remove('dla-twice');
    });

    test('a source keeps its kind; removing a source removes its advisories and index rows', async () => {
      await assert.rejects(vulndb.importFile(path.join(VULNDATA, 'debian', 'DLA-list'), { source: 'osv-Go' }), /holds osv data/);
      const r = await vulndb.remove('osv-PyPI', ctx);
      assert.ok(r.rematch_job_id);
      await assert.rejects(vulndb.source('osv-PyPI'), /no vulnerability data source/);
      assert.deepEqual(await vulndb.lookup([{ ecosystem: 'PyPI', name: 'django' }]), []);
      const { n } = await db.selectFrom('vuln_affected').select((eb) => eb.fn.countAll<number>().as('n')).where('source', '=', 'osv-PyPI').executeTakeFirstOrThrow();
      assert.equal(Number(n), 0);
      await assert.rejects(vulndb.remove('osv-PyPI'), /no vulnerability data source/);
      const audit = await db.selectFrom('audit_log').select(['action', 'resource', 'project']).where('resource_type', '=', 'vulndb').execute();
      // System-wide: never in the log of a project that happens to share a source's name.
      assert.ok(audit.every((a) => a.project === null));
      assert.ok(audit.some((a) => a.action === 'delete' && a.resource === 'osv-PyPI'));
      assert.ok(audit.some((a) => a.action === 'import' && a.resource === 'osv-Go'));
    });
  });
}
