/**
 * skopeo against a real Berth: OCI layout → registry → OCI layout round trips
 * of a multi-layer image and a multi-platform index, with digests preserved.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ADMIN_PASSWORD, basicAuth, startTestBerth, type TestBerth } from '../support/berth.ts';
import { MediaType, OciLayout, OciLayoutWriter, describeRun, mustRun, runTool, sha256, type BuiltImage, type Descriptor, type IndexJson } from '../support/oci-layout.ts';
import { peerPath, skipUnlessPeer } from '../support/peers.ts';

const skip = skipUnlessPeer('skopeo');

describe('skopeo', { skip }, () => {
  let berth: TestBerth;
  let tmp: string;
  let skopeo: string;
  let env: NodeJS.ProcessEnv;
  let src: OciLayout;
  let single: BuiltImage;
  let amd64: BuiltImage;
  let arm64: BuiltImage;
  let multi: Descriptor;
  let globalArgs: string[] = [];
  const creds = `admin:${ADMIN_PASSWORD}`;

  before(async () => {
    skopeo = peerPath('skopeo');
    berth = await startTestBerth();
    tmp = await mkdtemp(path.join(os.tmpdir(), 'berth-skopeo-'));
    const policy = path.join(tmp, 'policy.json');
    await writeFile(policy, JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }));
    // Keep skopeo away from the real user's auth files and configuration.
    env = { ...process.env, HOME: tmp, XDG_RUNTIME_DIR: tmp, XDG_CONFIG_HOME: path.join(tmp, '.config'), REGISTRY_AUTH_FILE: path.join(tmp, 'auth.json') };
    globalArgs = ['--policy', policy];

    const writer = await new OciLayoutWriter(path.join(tmp, 'src')).init();
    single = await writer.addImage({ platform: { os: 'linux', architecture: 'amd64' }, label: 'single' });
    await writer.tag(single.manifest, 'v1');
    amd64 = await writer.addImage({ platform: { os: 'linux', architecture: 'amd64' }, label: 'multi amd64' });
    arm64 = await writer.addImage({ platform: { os: 'linux', architecture: 'arm64', variant: 'v8' }, label: 'multi arm64' });
    multi = await writer.addIndex([amd64.manifest, arm64.manifest]);
    await writer.tag(multi, 'multi');
    src = new OciLayout(writer.dir);
  });
  after(async () => {
    await berth?.stop();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  const run = (args: string[]) => mustRun(skopeo, [...globalArgs, ...args], { env, timeoutMs: 180_000 });
  const inspectRaw = async (ref: string) => (await run(['inspect', '--raw', '--tls-verify=false', '--creds', creds, `docker://${berth.hostPort}/${ref}`])).stdout;

  async function registryDigest(repo: string, reference: string, accept: string): Promise<string | null> {
    const res = await fetch(`${berth.url}/v2/${repo}/manifests/${reference}`, { method: 'HEAD', headers: { authorization: basicAuth(), accept } });
    assert.equal(res.status, 200, `HEAD /v2/${repo}/manifests/${reference}`);
    return res.headers.get('docker-content-digest');
  }

  async function roundTrip(tag: string, repo: string, top: Descriptor): Promise<void> {
    const dest = `docker://${berth.hostPort}/${repo}:${tag}`;
    await run(['copy', '--all', '--preserve-digests', '--dest-tls-verify=false', '--dest-creds', creds, `oci:${src.dir}:${tag}`, dest]);

    // What the registry stores is byte-identical to the source.
    const raw = await inspectRaw(`${repo}:${tag}`);
    assert.equal(sha256(raw), top.digest, 'skopeo inspect --raw digest');
    assert.deepEqual(raw, await src.blob(top.digest));
    assert.equal(await registryDigest(repo, tag, top.mediaType), top.digest);

    // And back out into a fresh layout.
    const outDir = path.join(tmp, `out-${tag}`);
    await run(['copy', '--all', '--preserve-digests', '--src-tls-verify=false', '--src-creds', creds, dest, `oci:${outDir}:${tag}`]);
    const out = new OciLayout(outDir);
    const back = await out.resolve(tag);
    assert.equal(back.digest, top.digest, 'digest in the copied-out index.json');
    assert.equal(back.mediaType, top.mediaType);
    assert.equal(back.size, top.size);
    const expected = await src.reachable(top);
    assert.deepEqual([...(await out.reachable(back))].sort(), [...expected].sort(), 'reachable blob set');
    assert.deepEqual([...(await out.allBlobs())].sort(), [...expected].sort(), 'blob files in the copied-out layout');
  }

  test('copy a 3-layer image into Berth and back with identical digests', async () => {
    await roundTrip('v1', 'skopeo/single', single.manifest);

    const inspected = JSON.parse((await run(['inspect', '--tls-verify=false', '--creds', creds, `docker://${berth.hostPort}/skopeo/single:v1`])).stdout.toString()) as {
      Digest: string;
      Architecture: string;
      Os: string;
      Layers: string[];
    };
    assert.equal(inspected.Digest, single.manifest.digest);
    assert.equal(inspected.Architecture, 'amd64');
    assert.equal(inspected.Os, 'linux');
    assert.deepEqual(inspected.Layers, single.layers.map((l) => l.digest));

    const byDigest = await inspectRaw(`skopeo/single@${single.manifest.digest}`);
    assert.equal(sha256(byDigest), single.manifest.digest);
    const { stdout } = await run(['inspect', '--config', '--raw', '--tls-verify=false', '--creds', creds, `docker://${berth.hostPort}/skopeo/single:v1`]);
    assert.equal(sha256(stdout), single.config.digest, 'config blob digest');
    assert.deepEqual((JSON.parse(stdout.toString()) as { rootfs: { diff_ids: string[] } }).rootfs.diff_ids, single.diffIds);
  });

  test('copy a linux/amd64 + linux/arm64 index with --all and back', async () => {
    await roundTrip('multi', 'skopeo/multi', multi);
    for (const image of [amd64, arm64]) {
      const raw = await inspectRaw(`skopeo/multi@${image.manifest.digest}`);
      assert.equal(sha256(raw), image.manifest.digest);
      assert.equal(await registryDigest('skopeo/multi', image.manifest.digest, MediaType.manifest), image.manifest.digest);
    }
    const index = JSON.parse((await inspectRaw('skopeo/multi:multi')).toString()) as IndexJson;
    assert.deepEqual(
      index.manifests.map((m) => [m.digest, m.platform?.architecture]),
      [
        [amd64.manifest.digest, 'amd64'],
        [arm64.manifest.digest, 'arm64'],
      ],
    );
    const tags = JSON.parse((await run(['list-tags', '--tls-verify=false', '--creds', creds, `docker://${berth.hostPort}/skopeo/multi`])).stdout.toString()) as { Tags: string[] };
    assert.deepEqual(tags.Tags, ['multi']);
  });

  test('a wrong password is refused', async () => {
    const copyArgs = [...globalArgs, 'copy', '--all', '--dest-tls-verify=false', '--dest-creds', 'admin:wrong-password', `oci:${src.dir}:v1`, `docker://${berth.hostPort}/skopeo/denied:v1`];
    const copy = await runTool(skopeo, copyArgs, { env, timeoutMs: 120_000 });
    assert.notEqual(copy.code, 0, describeRun(skopeo, copyArgs, copy));
    assert.match(copy.stderr, /unauthorized|authentication required|401/i, describeRun(skopeo, copyArgs, copy));

    const inspectArgs = [...globalArgs, 'inspect', '--raw', '--tls-verify=false', '--creds', 'admin:wrong-password', `docker://${berth.hostPort}/skopeo/single:v1`];
    const inspect = await runTool(skopeo, inspectArgs, { env, timeoutMs: 120_000 });
    assert.notEqual(inspect.code, 0, describeRun(skopeo, inspectArgs, inspect));
    assert.match(inspect.stderr, /unauthorized|invalid username\/password/i, describeRun(skopeo, inspectArgs, inspect));

    const res = await fetch(`${berth.url}/v2/skopeo/denied/tags/list`, { headers: { authorization: basicAuth() } });
    assert.notEqual(res.status, 200, 'nothing was pushed with the wrong password');
  });
});
