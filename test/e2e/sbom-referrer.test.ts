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
import { ADMIN_PASSWORD, startTestBerth, type TestBerth } from '../support/berth.ts';
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

    test('unknown subject: MANIFEST_UNKNOWN, nothing pushed', async () => {
      await assert.rejects(attachSbom(berth.registry, repo, 'sha256:' + '0'.repeat(64), 'spdx', {}), /MANIFEST_UNKNOWN|unknown/);
    });
  });
}
