/**
 * oras against a real Berth: login, copy of an image from an OCI layout,
 * artifact push and pull, attach + discover through the referrers API,
 * manifest fetch, tag, repo ls and repo tags. Tests run in order and build
 * on each other.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ADMIN_PASSWORD, basicAuth, startTestBerth, type TestBerth } from '../support/berth.ts';
import { MediaType, OciLayoutWriter, describeRun, mustRun, randomishData, sha256, type BuiltImage, type Descriptor, type ImageManifest, type IndexJson } from '../support/oci-layout.ts';
import { peerPath, skipUnlessPeer } from '../support/peers.ts';

const skip = skipUnlessPeer('oras');

const ARTIFACT_TYPE = 'application/vnd.example.thing';
const SBOM_TYPE = 'application/vnd.example.sbom+json';
const TITLE = 'org.opencontainers.image.title';

interface OrasDescriptor extends Descriptor {
  reference: string;
  referenceAsTags?: string[];
  referrers?: OrasDescriptor[];
}

describe('oras', { skip }, () => {
  let berth: TestBerth;
  let tmp: string;
  let oras: string;
  let env: NodeJS.ProcessEnv;
  let host: string;
  let image: BuiltImage;
  let artifact: OrasDescriptor;
  let sbom: OrasDescriptor;
  const payload = randomishData(64 * 1024, 'oras payload');
  const sbomBody = Buffer.from(JSON.stringify({ spdxVersion: 'SPDX-2.3', name: 'berth-e2e', packages: [{ name: 'example', versionInfo: '1.0.0' }] }, null, 2) + '\n');

  before(async () => {
    oras = peerPath('oras');
    berth = await startTestBerth();
    host = berth.hostPort;
    tmp = await mkdtemp(path.join(os.tmpdir(), 'berth-oras-'));
    // A private HOME and DOCKER_CONFIG: oras login must not touch the real ones.
    env = { ...process.env, HOME: tmp, DOCKER_CONFIG: path.join(tmp, 'docker'), XDG_RUNTIME_DIR: tmp };
    await writeFile(path.join(tmp, 'payload.bin'), payload);
    await writeFile(path.join(tmp, 'sbom.json'), sbomBody);
    const writer = await new OciLayoutWriter(path.join(tmp, 'layout')).init();
    image = await writer.addImage({ platform: { os: 'linux', architecture: 'amd64' }, label: 'oras image' });
    await writer.tag(image.manifest, 'v1');
  });
  after(async () => {
    await berth?.stop();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  /** Runs oras in the temp dir (relative file names are what oras records as titles). */
  const run = (args: string[]) => mustRun(oras, args, { env, cwd: tmp, timeoutMs: 180_000 });
  const out = async (args: string[]) => (await run(args)).stdout.toString('utf8');
  const json = async <T>(args: string[]) => JSON.parse(await out(args)) as T;

  test('login with --plain-http stores the credentials in DOCKER_CONFIG', async () => {
    assert.match(await out(['login', '--plain-http', '-u', 'admin', '-p', ADMIN_PASSWORD, host]), /Login Succeeded/);
    const config = JSON.parse(await readFile(path.join(tmp, 'docker', 'config.json'), 'utf8')) as { auths: Record<string, { auth: string }> };
    assert.equal(Buffer.from(config.auths[host]?.auth ?? '', 'base64').toString(), `admin:${ADMIN_PASSWORD}`);
  });

  test('cp of an image from an OCI layout keeps its digest', async () => {
    const text = await out(['cp', '--from-oci-layout', '--to-plain-http', `${path.join(tmp, 'layout')}:v1`, `${host}/oras/app:v1`]);
    assert.match(text, new RegExp(`Digest: ${image.manifest.digest}`));
    const raw = (await run(['manifest', 'fetch', '--plain-http', `${host}/oras/app:v1`])).stdout;
    assert.equal(sha256(raw), image.manifest.digest);
    const desc = await json<Descriptor>(['manifest', 'fetch', '--plain-http', '--descriptor', `${host}/oras/app:v1`]);
    assert.deepEqual(desc, { mediaType: MediaType.manifest, digest: image.manifest.digest, size: image.manifest.size });
  });

  test('push an artifact with --artifact-type', async () => {
    artifact = await json<OrasDescriptor>(['push', '--plain-http', '--format', 'json', '--artifact-type', ARTIFACT_TYPE, `${host}/oras/artifact:v1`, 'payload.bin:application/octet-stream']);
    assert.equal(artifact.artifactType, ARTIFACT_TYPE);
    assert.equal(artifact.mediaType, MediaType.manifest);
    assert.equal(artifact.reference, `${host}/oras/artifact@${artifact.digest}`);
    assert.deepEqual(artifact.referenceAsTags, [`${host}/oras/artifact:v1`]);

    const raw = (await run(['manifest', 'fetch', '--plain-http', `${host}/oras/artifact:v1`])).stdout;
    assert.equal(sha256(raw), artifact.digest);
    assert.equal(raw.length, artifact.size);
    const manifest = JSON.parse(raw.toString('utf8')) as ImageManifest;
    assert.equal(manifest.artifactType, ARTIFACT_TYPE);
    assert.equal(manifest.layers.length, 1);
    assert.deepEqual(
      { digest: manifest.layers[0]!.digest, size: manifest.layers[0]!.size, title: manifest.layers[0]!.annotations?.[TITLE] },
      { digest: sha256(payload), size: payload.length, title: 'payload.bin' },
    );
  });

  test('pull restores the file byte for byte', async () => {
    const dir = path.join(tmp, 'pulled');
    await run(['pull', '--plain-http', '-o', dir, `${host}/oras/artifact:v1`]);
    assert.ok((await readFile(path.join(dir, 'payload.bin'))).equals(payload));
  });

  test('attach an SBOM to the image and discover it through the referrers API', async () => {
    sbom = await json<OrasDescriptor>(['attach', '--plain-http', '--format', 'json', '--artifact-type', SBOM_TYPE, `${host}/oras/app:v1`, 'sbom.json:application/json']);
    assert.equal(sbom.artifactType, SBOM_TYPE);
    const manifest = JSON.parse((await run(['manifest', 'fetch', '--plain-http', `${host}/oras/app@${sbom.digest}`])).stdout.toString('utf8')) as ImageManifest;
    assert.deepEqual(manifest.subject, { mediaType: MediaType.manifest, digest: image.manifest.digest, size: image.manifest.size });

    const args = ['discover', '--plain-http', '--debug', '--format', 'json', '--distribution-spec', 'v1.1-referrers-api', `${host}/oras/app:v1`];
    const r = await run(args);
    const found = JSON.parse(r.stdout.toString('utf8')) as OrasDescriptor;
    assert.equal(found.digest, image.manifest.digest);
    assert.deepEqual(
      found.referrers?.map((d) => ({ digest: d.digest, artifactType: d.artifactType, mediaType: d.mediaType, size: d.size })),
      [{ digest: sbom.digest, artifactType: SBOM_TYPE, mediaType: MediaType.manifest, size: sbom.size }],
      describeRun(oras, args, r),
    );
    assert.match(r.stderr, new RegExp(`/v2/oras/app/referrers/${image.manifest.digest}`), `discover used the referrers API\n${describeRun(oras, args, r)}`);

    // Filtered discovery, and the same answer straight from Berth.
    const none = await json<OrasDescriptor>(['discover', '--plain-http', '--format', 'json', '--artifact-type', 'application/vnd.example.other', `${host}/oras/app:v1`]);
    assert.deepEqual(none.referrers ?? [], []);
    const res = await fetch(`${berth.url}/v2/oras/app/referrers/${image.manifest.digest}`, { headers: { authorization: basicAuth() } });
    assert.equal(res.status, 200);
    const index = (await res.json()) as IndexJson;
    assert.deepEqual(index.manifests.map((d) => [d.digest, d.artifactType]), [[sbom.digest, SBOM_TYPE]]);

    // The SBOM itself pulls back unchanged.
    const dir = path.join(tmp, 'sbom-pulled');
    await run(['pull', '--plain-http', '-o', dir, `${host}/oras/app@${sbom.digest}`]);
    assert.ok((await readFile(path.join(dir, 'sbom.json'))).equals(sbomBody));
  });

  test('tag, repo tags and repo ls', async () => {
    await run(['tag', '--plain-http', `${host}/oras/artifact:v1`, 'v2', 'stable']);
    assert.equal(await out(['repo', 'tags', '--plain-http', `${host}/oras/artifact`]), 'stable\nv1\nv2\n');
    const v2 = await json<Descriptor>(['manifest', 'fetch', '--plain-http', '--descriptor', `${host}/oras/artifact:v2`]);
    assert.equal(v2.digest, artifact.digest);
    // The referrers API is used, so no sha256-<hex> fallback tag was created.
    assert.equal(await out(['repo', 'tags', '--plain-http', `${host}/oras/app`]), 'v1\n');
    assert.equal(await out(['repo', 'ls', '--plain-http', host]), 'oras/app\noras/artifact\n');
  });
});
