/**
 * SBOMs attached as OCI 1.1 referrers through the registry's own code, seen
 * by a real oras: `oras discover` lists them (filtered by artifact type too),
 * `oras pull` gets the document back byte for byte, a regenerated SBOM
 * replaces Berth's earlier one of the same format and leaves anyone else's
 * alone. SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ADMIN_PASSWORD, basicAuth, startTestBerth, type TestBerth } from '../support/berth.ts';
import { pushAlpineImage } from '../support/alpine-image.ts';
import { testDatabases } from '../support/databases.ts';
import { OciLayoutWriter, mustRun, type BuiltImage, type ImageManifest } from '../support/oci-layout.ts';
import { peerPath, skipUnlessPeer } from '../support/peers.ts';
import { attachSbom, sbomDocument, SBOM_MEDIA_TYPES } from '../../src/supply-chain/sbom/index.ts';
import type { Inventory } from '../../src/supply-chain/types.ts';

const skipOras = skipUnlessPeer('oras');

interface Discovered {
  digest: string;
  referrers?: { digest: string; artifactType: string; annotations?: Record<string, string> }[];
}

for (const db of await testDatabases()) {
  describe(`SBOM referrers on ${db.name}`, { skip: skipOras || db.skip }, () => {
    let berth: TestBerth;
    let tmp: string;
    let env: NodeJS.ProcessEnv;
    let image: BuiltImage;
    let inventory: Inventory;
    const repo = 'sbom/app';
    const run = (args: string[]) => mustRun(peerPath('oras'), args, { env, cwd: tmp, timeoutMs: 120_000 });
    const discover = async (artifactType?: string): Promise<Discovered> =>
      JSON.parse((await run(['discover', '--plain-http', '--format', 'json', '--distribution-spec', 'v1.1-referrers-api', ...(artifactType ? ['--artifact-type', artifactType] : []), `${berth.hostPort}/${repo}:v1`])).stdout.toString('utf8')) as Discovered;

    before(async () => {
      berth = await startTestBerth(await db.env());
      tmp = await mkdtemp(path.join(os.tmpdir(), 'berth-sbom-ref-'));
      env = { ...process.env, HOME: tmp, DOCKER_CONFIG: path.join(tmp, 'docker'), XDG_RUNTIME_DIR: tmp };
      const writer = await new OciLayoutWriter(path.join(tmp, 'layout')).init();
      image = await writer.addImage({ platform: { os: 'linux', architecture: 'amd64' }, label: 'sbom image' });
      await writer.tag(image.manifest, 'v1');
      await run(['login', '--plain-http', '-u', 'admin', '-p', ADMIN_PASSWORD, berth.hostPort]);
      await run(['cp', '--from-oci-layout', '--to-plain-http', `${path.join(tmp, 'layout')}:v1`, `${berth.hostPort}/${repo}:v1`]);
      inventory = {
        manifestDigest: image.manifest.digest,
        platform: { os: 'linux', architecture: 'amd64' },
        distro: { id: 'debian', versionId: '12', codename: 'bookworm' },
        packages: [
          { type: 'deb', name: 'zlib1g', version: '1:1.2.13.dfsg-1', purl: 'pkg:deb/debian/zlib1g@1%3A1.2.13.dfsg-1?arch=amd64&distro=debian-12', location: '/var/lib/dpkg/status', layer: image.layers[0]!.digest, foundBy: 'dpkg', source: { name: 'zlib', version: '1:1.2.13.dfsg-1' } },
        ],
        skipped: [],
        stats: { layers: 1, entries: 1, bytesRead: 1, durationMs: 1 },
      };
    });
    after(async () => {
      await berth?.stop();
      if (tmp) await rm(tmp, { recursive: true, force: true });
    });

    let first: string;
    test('attachSbom pushes a CycloneDX referrer that oras discover lists and oras pull fetches unchanged', async () => {
      const doc = sbomDocument('cyclonedx', [inventory], { repository: repo, digest: image.manifest.digest, tags: ['v1'] });
      const attached = await attachSbom(berth.registry, repo, image.manifest.digest, 'cyclonedx', doc, { actor: 'admin' });
      first = attached.digest;
      assert.deepEqual(attached.replaced, []);
      const found = await discover();
      assert.equal(found.digest, image.manifest.digest);
      assert.deepEqual(found.referrers?.map((r) => [r.digest, r.artifactType]), [[attached.digest, SBOM_MEDIA_TYPES.cyclonedx]]);
      assert.equal(found.referrers?.[0]?.annotations?.['dev.berth.sbom.generator'], 'berth');

      const manifest = JSON.parse((await run(['manifest', 'fetch', '--plain-http', `${berth.hostPort}/${repo}@${attached.digest}`])).stdout.toString('utf8')) as ImageManifest;
      assert.deepEqual(manifest.subject, { mediaType: image.manifest.mediaType, digest: image.manifest.digest, size: image.manifest.size });
      assert.equal(manifest.config.mediaType, 'application/vnd.oci.empty.v1+json');
      await run(['pull', '--plain-http', '-o', path.join(tmp, 'pulled'), `${berth.hostPort}/${repo}@${attached.digest}`]);
      const pulled = await readFile(path.join(tmp, 'pulled', 'sbom.cdx.json'));
      assert.deepEqual(JSON.parse(pulled.toString('utf8')), doc);
      assert.equal(pulled.byteLength, attached.document.size);
    });

    test('an SPDX referrer beside it; discover filters by artifact type', async () => {
      const doc = sbomDocument('spdx', [inventory], { repository: repo, digest: image.manifest.digest, tags: ['v1'] });
      const attached = await attachSbom(berth.registry, repo, image.manifest.digest, 'spdx', doc);
      assert.equal((await discover()).referrers?.length, 2);
      assert.deepEqual((await discover(SBOM_MEDIA_TYPES.spdx)).referrers?.map((r) => r.digest), [attached.digest]);
      assert.deepEqual((await discover(SBOM_MEDIA_TYPES.cyclonedx)).referrers?.map((r) => r.digest), [first]);
    });

    test("regenerating replaces Berth's earlier SBOM of that format, not one attached by someone else", async () => {
      await run(['attach', '--plain-http', '--artifact-type', SBOM_MEDIA_TYPES.cyclonedx, `${berth.hostPort}/${repo}:v1`, '--annotation', 'made-by=someone-else']);
      const doc = sbomDocument('cyclonedx', [inventory], { repository: repo, digest: image.manifest.digest, tags: ['v1'] });
      const again = await attachSbom(berth.registry, repo, image.manifest.digest, 'cyclonedx', doc);
      assert.deepEqual(again.replaced, [first]);
      const cdx = (await discover(SBOM_MEDIA_TYPES.cyclonedx)).referrers ?? [];
      assert.equal(cdx.length, 2);
      assert.ok(cdx.some((r) => r.digest === again.digest));
      assert.ok(cdx.some((r) => r.annotations?.['made-by'] === 'someone-else'));
      assert.ok(!cdx.some((r) => r.digest === first));
    });

    test('through the API: after a scan, GET …/sbom downloads the document and POST …/sbom attaches it where oras discover finds it', async () => {
      const image = await pushAlpineImage(berth, 'sbom/scanned', [{ name: 'musl', version: '1.2.4-r2', origin: 'musl' }, { name: 'busybox', version: '1.36.1-r15', origin: 'busybox' }], 'ID=alpine\nVERSION_ID=3.19.1\n');
      const call = (method: string, p: string) => fetch(`${berth.url}/api/v1/projects/sbom/repositories/scanned/artifacts/${image.digest}${p}`, { method, headers: { authorization: basicAuth() }, signal: AbortSignal.timeout(30_000) });
      assert.equal((await call('POST', '/scan')).status, 202);
      let status = '';
      for (let i = 0; i < 300 && status !== 'Success' && status !== 'Error'; i++) {
        const r = await call('GET', '/scan');
        if (r.status === 200) status = ((await r.json()) as { scan_status: string }).scan_status;
        if (status !== 'Success') await new Promise((res) => setTimeout(res, 100));
      }
      assert.equal(status, 'Success');
      const download = await call('GET', '/sbom?format=spdx');
      assert.equal(download.status, 200);
      assert.match(download.headers.get('content-disposition') ?? '', /^attachment/);
      const spdx = (await download.json()) as { spdxVersion: string; packages: { name: string; versionInfo: string; primaryPackagePurpose: string }[] };
      assert.equal(spdx.spdxVersion, 'SPDX-2.3');
      assert.deepEqual(spdx.packages.filter((p) => p.primaryPackagePurpose === 'LIBRARY').map((p) => `${p.name}@${p.versionInfo}`).sort(), ['busybox@1.36.1-r15', 'musl@1.2.4-r2']);

      const posted = await call('POST', '/sbom?format=cyclonedx');
      assert.equal(posted.status, 202, await posted.clone().text());
      const { digest } = (await posted.json()) as { digest: string };
      const found = JSON.parse((await run(['discover', '--plain-http', '--format', 'json', '--artifact-type', SBOM_MEDIA_TYPES.cyclonedx, `${berth.hostPort}/sbom/scanned:v1`])).stdout.toString('utf8')) as Discovered;
      assert.deepEqual(found.referrers?.map((r) => r.digest), [digest]);
      await run(['pull', '--plain-http', '-o', path.join(tmp, 'api-pulled'), `${berth.hostPort}/sbom/scanned@${digest}`]);
      const cdx = JSON.parse(await readFile(path.join(tmp, 'api-pulled', 'sbom.cdx.json'), 'utf8')) as { bomFormat: string; components: { type: string; name: string }[] };
      assert.equal(cdx.bomFormat, 'CycloneDX');
      assert.deepEqual(cdx.components.filter((c) => c.type === 'library').map((c) => c.name).sort(), ['busybox', 'musl']);
      // The referrer is not scanned itself (it has a subject).
      const ref = await fetch(`${berth.url}/api/v1/projects/sbom/repositories/scanned/artifacts/${digest}/scan`, { method: 'POST', headers: { authorization: basicAuth() } });
      assert.equal(ref.status, 400);
    });

    test("with the project's auto_sbom_generation on, a scan attaches a CycloneDX SBOM by itself (oras discover lists it; off, nothing is attached)", async () => {
      const api = (method: string, p: string, body?: unknown) =>
        fetch(`${berth.url}/api/v1${p}`, { method, headers: { authorization: basicAuth(), ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}), signal: AbortSignal.timeout(30_000) });
      const scanned = async (repository: string, digest: string) => {
        assert.equal((await api('POST', `/projects/sbom/repositories/${repository}/artifacts/${digest}/scan`)).status, 202);
        for (let i = 0; i < 300; i++) {
          const r = await api('GET', `/projects/sbom/repositories/${repository}/artifacts/${digest}/scan`);
          if (r.status === 200 && ((await r.json()) as { scan_status: string }).scan_status === 'Success') return;
          await new Promise((res) => setTimeout(res, 100));
        }
        assert.fail(`${repository}@${digest} was not scanned`);
      };
      const sboms = async (repository: string) =>
        (JSON.parse((await run(['discover', '--plain-http', '--format', 'json', '--artifact-type', SBOM_MEDIA_TYPES.cyclonedx, `${berth.hostPort}/sbom/${repository}:v1`])).stdout.toString('utf8')) as Discovered).referrers ?? [];
      const packages = [{ name: 'zlib', version: '1.3.1-r0', origin: 'zlib' }];

      // Off (the default): a scan attaches nothing.
      const off = await pushAlpineImage(berth, 'sbom/manual', packages, 'ID=alpine\nVERSION_ID=3.19.1\n');
      await scanned('manual', off.digest);
      await new Promise((res) => setTimeout(res, 1_000));
      assert.deepEqual(await sboms('manual'), []);

      const put = await api('PUT', '/projects/sbom', { metadata: { auto_sbom_generation: 'true' } });
      assert.equal(put.status, 200, await put.clone().text());
      assert.equal(((await put.json()) as { metadata: { auto_sbom_generation: string } }).metadata.auto_sbom_generation, 'true');
      const on = await pushAlpineImage(berth, 'sbom/auto', packages, 'ID=alpine\nVERSION_ID=3.19.1\n');
      await scanned('auto', on.digest);
      let found: Discovered['referrers'] = [];
      for (let i = 0; i < 100 && found.length === 0; i++) {
        found = await sboms('auto');
        if (found.length === 0) await new Promise((res) => setTimeout(res, 200));
      }
      assert.equal(found.length, 1, 'one CycloneDX SBOM attached after the scan');
      assert.equal(found[0]!.annotations?.['dev.berth.sbom.generator'], 'berth');
      await api('PUT', '/projects/sbom', { metadata: { auto_sbom_generation: false } });
    });

    test('unknown subject: MANIFEST_UNKNOWN, nothing pushed', async () => {
      await assert.rejects(attachSbom(berth.registry, repo, 'sha256:' + '0'.repeat(64), 'spdx', {}), /MANIFEST_UNKNOWN|unknown/);
    });
  });
}
