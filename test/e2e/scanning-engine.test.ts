/**
 * Berth's own engine end to end (SQLite and PostgreSQL): an Alpine 3.11
 * image (os-release and the apk database of old openssl and musl packages,
 * gzip layer) pushed to Berth, the real Alpine secdb for v3.11 imported,
 * a scan finding the advisories of the installed openssl (by its apk
 * origin), the re-match after the data is removed and imported again (no
 * layer read: the time is the job's), the SBOM downloaded as CycloneDX and
 * SPDX and attached as a referrer.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import { VulnDb } from '../../src/supply-chain/vulndb/store.ts';
import { basicAuth, startTestBerth, type TestBerth } from '../support/berth.ts';
import { testDatabases } from '../support/databases.ts';
import { OciClient, sha256 } from '../support/oci-client.ts';
import { makeTar } from '../support/oci-layout.ts';

const ADMIN = basicAuth();
const SECDB = '/work/shared/vulndata/alpine-secdb/v3.11/main.json';
const secdbFile = process.env.BERTH_VULNDATA_DIR ? path.join(process.env.BERTH_VULNDATA_DIR, 'alpine-secdb/v3.11/main.json') : SECDB;

function apkEntry(name: string, version: string, origin: string): string {
  return [`P:${name}`, `V:${version}`, 'A:x86_64', `o:${origin}`, 'L:OpenSSL', `T:${name} package`, ''].join('\n');
}

async function pushAlpineImage(oci: OciClient, repo: string, tag: string): Promise<string> {
  const tar = makeTar([
    { name: 'etc/os-release', data: Buffer.from('NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.11.6\nPRETTY_NAME="Alpine Linux v3.11"\n') },
    { name: 'lib/apk/db/installed', data: Buffer.from([apkEntry('musl', '1.1.24-r2', 'musl'), apkEntry('libcrypto1.1', '1.1.1d-r2', 'openssl'), apkEntry('libssl1.1', '1.1.1d-r2', 'openssl')].join('\n')) },
  ]);
  const layer = gzipSync(tar);
  const config = JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [sha256(tar)] } });
  const configDigest = await oci.pushBlob(repo, config);
  const layerDigest = await oci.pushBlob(repo, layer);
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: Buffer.byteLength(config) },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: layerDigest, size: layer.length }],
  });
  const res = await oci.pushManifest(repo, tag, manifest);
  assert.equal(res.status, 201, await res.text());
  return sha256(manifest);
}

for (const database of await testDatabases()) {
  describe(`Berth's scan engine on ${database.name}`, { skip: database.skip }, () => {
    let berth: TestBerth;
    let oci: OciClient;
    let vulndb: VulnDb;
    const ART = '/projects/alpine/repositories/base/artifacts/3.11';

    async function api<T = unknown>(method: string, p: string): Promise<{ status: number; body: T; headers: Headers; text: string }> {
      const res = await fetch(`${berth.url}/api/v1${p}`, { method, headers: { authorization: ADMIN } });
      const text = await res.text();
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = undefined;
      }
      return { status: res.status, body: body as T, headers: res.headers, text };
    }
    async function jobDone(id: string): Promise<number> {
      for (let i = 0; i < 300; i++) {
        const j = await berth.db.selectFrom('jobs').select(['state', 'started_at', 'finished_at', 'last_error']).where('id', '=', id).executeTakeFirstOrThrow();
        if (j.state === 'succeeded') return Number(j.finished_at) - Number(j.started_at);
        if (j.state === 'failed' || j.state === 'cancelled') throw new Error(`job ${id} ${j.state}: ${j.last_error}`);
        await sleep(100);
      }
      throw new Error(`job ${id} not finished`);
    }
    const ids = async () => (await api<{ id: string; package: string; fix_version?: string }[]>('GET', `${ART}/vulnerabilities?page_size=100&sort=id`)).body;

    before(async () => {
      berth = await startTestBerth({ ...(await database.env()), BERTH_JOBS_POLL_INTERVAL_MS: '100' });
      oci = new OciClient(berth.url, ADMIN);
      vulndb = new VulnDb(berth.db, { jobs: berth.jobs });
      const imported = await vulndb.importFile(secdbFile, { format: 'alpine-secdb' });
      assert.ok(imported.records > 100, JSON.stringify(imported));
      if (imported.rematch_job_id) await jobDone(imported.rematch_job_id);
    });
    after(async () => {
      await berth?.stop();
    });

    test('an Alpine image is analysed and matched against the imported secdb', async () => {
      await pushAlpineImage(oci, 'alpine/base', '3.11');
      const { job_id } = (await api<{ job_id: string }>('POST', `${ART}/scan`)).body;
      await jobDone(job_id);
      const report = (await api<{ scan_status: string; scanner: { name: string }; platforms: { distro?: string; packages: number }[]; summary: { total: number; fixable: number } }>('GET', `${ART}/scan`)).body;
      assert.equal(report.scan_status, 'Success', JSON.stringify(report));
      assert.equal(report.scanner.name, 'Berth');
      assert.equal(report.platforms[0]!.packages, 3);
      assert.match(report.platforms[0]!.distro ?? '', /Alpine/);
      const vulns = await ids();
      // secdb v3.11 main: openssl 1.1.1d-r3 fixes CVE-2019-1551, for both binary packages of the openssl origin.
      const cve = vulns.filter((v) => v.id === 'CVE-2019-1551');
      assert.deepEqual(cve.map((v) => [v.package, v.fix_version]).sort(), [['libcrypto1.1', '1.1.1d-r3'], ['libssl1.1', '1.1.1d-r3']]);
      // musl 1.1.24 is past every musl fix in the data.
      assert.equal(vulns.filter((v) => v.package === 'musl').length, 0);
      assert.equal(report.summary.total, vulns.length);
      assert.equal(report.summary.fixable, vulns.filter((v) => v.fix_version).length);
    });

    test('removing and re-importing the data re-matches the stored inventory without reading the image', async () => {
      const before = await ids();
      assert.ok(before.length > 0);
      const source = (await vulndb.sources())[0]!.name;
      const removed = await vulndb.remove(source);
      assert.ok(removed.rematch_job_id);
      const ms1 = await jobDone(removed.rematch_job_id);
      assert.deepEqual(await ids(), []);
      assert.equal((await api<{ summary: { total: number } }>('GET', `${ART}/scan`)).body.summary.total, 0);
      const again = await vulndb.importFile(secdbFile, { format: 'alpine-secdb' });
      assert.ok(again.rematch_job_id);
      const ms2 = await jobDone(again.rematch_job_id);
      assert.deepEqual((await ids()).map((v) => `${v.id} ${v.package}`), before.map((v) => `${v.id} ${v.package}`));
      process.stdout.write(`# re-match jobs: ${ms1} ms (data removed), ${ms2} ms (imported again)\n`);
    });

    test('SBOM: CycloneDX and SPDX downloads, and attached as a referrer', async () => {
      const cdx = await api<{ bomFormat: string; specVersion: string; components: { purl?: string }[] }>('GET', `${ART}/sbom`);
      assert.equal(cdx.status, 200, cdx.text);
      assert.match(cdx.headers.get('content-type') ?? '', /application\/vnd\.cyclonedx\+json/);
      assert.match(cdx.headers.get('content-disposition') ?? '', /^attachment; filename=".+\.cdx\.json"$/);
      assert.equal(cdx.body.bomFormat, 'CycloneDX');
      assert.ok(cdx.body.components.some((c) => c.purl?.startsWith('pkg:apk/alpine/libssl1.1@1.1.1d-r2')), JSON.stringify(cdx.body.components.map((c) => c.purl)));
      const spdx = await api<{ spdxVersion: string }>('GET', `${ART}/sbom?format=spdx`);
      assert.equal(spdx.body.spdxVersion, 'SPDX-2.3');
      assert.equal((await api('GET', `${ART}/sbom?format=xml`)).status, 400);
      const attached = await api<{ digest: string }>('POST', `${ART}/sbom`);
      assert.equal(attached.status, 202, attached.text);
      const image = (await api<{ digest: string; referrers: { digest: string; artifact_type: string }[] }>('GET', ART)).body;
      assert.ok(image.referrers.some((r) => r.digest === attached.body.digest && r.artifact_type === 'application/vnd.cyclonedx+json'));
      // The referrer is not scanned itself.
      await sleep(500);
      assert.equal((await api('GET', `/projects/alpine/repositories/base/artifacts/${attached.body.digest}/scan`)).status, 404);
    });
  });
}
