/**
 * crane (go-containerregistry) against a real Berth: login, append, push of
 * an OCI layout, pull, cross-repository copy by mount, tag, ls, catalog,
 * digest, manifest, blob and delete. Tests run in order and build on each
 * other.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { ADMIN_PASSWORD, startTestBerth, type TestBerth } from '../support/berth.ts';
import { MediaType, OciLayout, OciLayoutWriter, describeRun, makeTar, mustRun, randomishData, runTool, sha256, type BuiltImage, type Descriptor, type ImageManifest } from '../support/oci-layout.ts';
import { peerPath, skipUnlessPeer } from '../support/peers.ts';

const skip = skipUnlessPeer('crane');

describe('crane', { skip }, () => {
  let berth: TestBerth;
  let tmp: string;
  let crane: string;
  let env: NodeJS.ProcessEnv;
  let host: string;
  const layerFiles: { file: string; data: Buffer }[] = [];
  let appDigest: string;
  let appManifest: ImageManifest;
  let amd64: BuiltImage;
  let arm64: BuiltImage;
  let multi: Descriptor;

  before(async () => {
    crane = peerPath('crane');
    berth = await startTestBerth();
    host = berth.hostPort;
    tmp = await mkdtemp(path.join(os.tmpdir(), 'berth-crane-'));
    // A private HOME and DOCKER_CONFIG: crane auth login must not touch the real ones.
    env = { ...process.env, HOME: tmp, DOCKER_CONFIG: path.join(tmp, 'docker'), XDG_RUNTIME_DIR: tmp };
    for (let i = 0; i < 2; i++) {
      const data = gzipSync(makeTar([{ name: `app/file${i}.bin`, data: randomishData(200 * 1024, `crane layer ${i}`) }]));
      const file = path.join(tmp, `layer${i}.tar.gz`);
      await writeFile(file, data);
      layerFiles.push({ file, data });
    }
    const writer = await new OciLayoutWriter(path.join(tmp, 'layout')).init();
    amd64 = await writer.addImage({ platform: { os: 'linux', architecture: 'amd64' }, label: 'crane amd64' });
    arm64 = await writer.addImage({ platform: { os: 'linux', architecture: 'arm64' }, label: 'crane arm64' });
    multi = await writer.addIndex([amd64.manifest, arm64.manifest]);
    await writer.tag(multi, 'multi');
  });
  after(async () => {
    await berth?.stop();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  const run = (args: string[]) => mustRun(crane, [...args, '--insecure'], { env, timeoutMs: 180_000 });
  const out = async (args: string[]) => (await run(args)).stdout.toString('utf8');

  test('auth login stores the credentials in DOCKER_CONFIG', async () => {
    await run(['auth', 'login', host, '-u', 'admin', '-p', ADMIN_PASSWORD]);
    const config = JSON.parse(await readFile(path.join(tmp, 'docker', 'config.json'), 'utf8')) as { auths: Record<string, { auth: string }> };
    assert.equal(Buffer.from(config.auths[host]?.auth ?? '', 'base64').toString(), `admin:${ADMIN_PASSWORD}`);
  });

  test('append builds an image from two gzip layers', async () => {
    const ref = (await out(['append', '--oci-empty-base', ...layerFiles.flatMap((l) => ['-f', l.file]), '-t', `${host}/crane/app:v1`])).trim();
    assert.match(ref, new RegExp(`^${host.replace(/\./g, '\\.')}/crane/app@sha256:[0-9a-f]{64}$`));
    appDigest = ref.split('@')[1]!;
    assert.equal((await out(['digest', `${host}/crane/app:v1`])).trim(), appDigest);

    const raw = (await run(['manifest', `${host}/crane/app:v1`])).stdout;
    assert.equal(sha256(raw), appDigest, 'crane manifest bytes hash to the digest');
    appManifest = JSON.parse(raw.toString('utf8')) as ImageManifest;
    assert.equal(appManifest.mediaType, MediaType.manifest);
    assert.deepEqual(
      appManifest.layers.map((l) => [l.mediaType, l.digest, l.size]),
      layerFiles.map((l) => [MediaType.layerGzip, sha256(l.data), l.data.length]),
    );
  });

  test('blob returns layer and config bytes unchanged', async () => {
    for (const l of layerFiles) {
      const blob = (await run(['blob', `${host}/crane/app@${sha256(l.data)}`])).stdout;
      assert.ok(blob.equals(l.data), `blob ${sha256(l.data)} differs: got ${blob.length} bytes, ${sha256(blob)}`);
    }
    const config = (await run(['config', `${host}/crane/app:v1`])).stdout;
    assert.equal(sha256(config), appManifest.config.digest);
    const blob = (await run(['blob', `${host}/crane/app@${appManifest.config.digest}`])).stdout;
    assert.ok(blob.equals(config));
  });

  test('push of an OCI layout holding a multi-platform index, then pull --format oci', async () => {
    const ref = (await out(['push', path.join(tmp, 'layout'), `${host}/crane/multi:v1`])).trim();
    assert.equal(ref, `${host}/crane/multi@${multi.digest}`);
    assert.equal((await out(['digest', `${host}/crane/multi:v1`])).trim(), multi.digest);
    assert.equal(sha256((await run(['manifest', `${host}/crane/multi:v1`])).stdout), multi.digest);
    assert.equal((await out(['digest', '--platform', 'linux/arm64', `${host}/crane/multi:v1`])).trim(), arm64.manifest.digest);

    const pulled = path.join(tmp, 'pulled');
    await run(['pull', '--format', 'oci', `${host}/crane/multi:v1`, pulled]);
    const src = new OciLayout(path.join(tmp, 'layout'));
    const dst = new OciLayout(pulled);
    const top = await dst.resolve();
    assert.equal(top.digest, multi.digest);
    assert.deepEqual([...(await dst.reachable(top))].sort(), [...(await src.reachable(multi))].sort());
  });

  test('pull writes a tarball of the appended image', async () => {
    const tarball = path.join(tmp, 'app.tar');
    await run(['pull', `${host}/crane/app:v1`, tarball]);
    const data = await readFile(tarball);
    // The docker tarball holds every layer's bytes in full.
    for (const l of layerFiles) assert.ok(data.includes(l.data), `layer ${sha256(l.data)} is in the tarball`);
  });

  test('copy to another repository mounts every blob instead of uploading', async () => {
    const args = ['copy', '-v', `${host}/crane/app:v1`, `${host}/crane/copy:v1`];
    const r = await run(args);
    const blobs = [appManifest.config.digest, ...appManifest.layers.map((l) => l.digest)];
    for (const digest of blobs) {
      const mounted = new RegExp(`<-- 201 http://${host.replace(/\./g, '\\.')}/v2/crane/copy/blobs/uploads/\\?from=crane%2Fapp&mount=${encodeURIComponent(digest)}`);
      assert.match(r.stderr, mounted, `blob ${digest} was mounted\n${describeRun(crane, args, r)}`);
    }
    assert.doesNotMatch(r.stderr, /--> PATCH /, 'no blob data was uploaded');
    assert.equal((await out(['digest', `${host}/crane/copy:v1`])).trim(), appDigest);
  });

  test('tag and ls', async () => {
    await run(['tag', `${host}/crane/app:v1`, 'v2']);
    await run(['tag', `${host}/crane/app@${appDigest}`, 'latest']);
    assert.equal(await out(['ls', `${host}/crane/app`]), 'latest\nv1\nv2\n');
    assert.equal((await out(['digest', `${host}/crane/app:latest`])).trim(), appDigest);
    assert.equal(await out(['ls', `${host}/crane/multi`]), 'v1\n');
  });

  test('catalog lists every repository', async () => {
    assert.equal(await out(['catalog', host]), 'crane/app\ncrane/copy\ncrane/multi\n');
  });

  test('delete by digest: the manifest is gone, the source repository is not', async () => {
    await run(['delete', `${host}/crane/copy@${appDigest}`]);
    const args = ['manifest', `${host}/crane/copy@${appDigest}`, '--insecure'];
    const r = await runTool(crane, args, { env, timeoutMs: 60_000 });
    assert.notEqual(r.code, 0, describeRun(crane, args, r));
    assert.match(r.stderr, /MANIFEST_UNKNOWN/, describeRun(crane, args, r));
    const pull = await runTool(crane, ['pull', `${host}/crane/copy@${appDigest}`, path.join(tmp, 'deleted.tar'), '--insecure'], { env, timeoutMs: 60_000 });
    assert.notEqual(pull.code, 0, 'pulling the deleted digest fails');
    assert.equal(await out(['ls', `${host}/crane/copy`]), '', 'the tag of the deleted manifest is gone');

    // Shared (mounted) blobs and the source image are untouched.
    assert.equal((await out(['digest', `${host}/crane/app:v1`])).trim(), appDigest);
    const blob = (await run(['blob', `${host}/crane/app@${sha256(layerFiles[0]!.data)}`])).stdout;
    assert.ok(blob.equals(layerFiles[0]!.data));
  });
});
