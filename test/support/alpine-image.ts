/** A one-layer Alpine image with apk packages, pushed to a Berth over /v2 (scanner and SBOM suites). */
import assert from 'node:assert/strict';
import { basicAuth, type TestBerth } from './berth.ts';
import { compress, tarBytes } from './image-layers.ts';
import { OciClient } from './oci-client.ts';

export interface ApkPackage {
  name: string;
  version: string;
  origin: string;
}

export async function pushAlpineImage(berth: TestBerth, repo: string, packages: readonly ApkPackage[], osRelease: string, tag = 'v1'): Promise<{ digest: string; size: number }> {
  const client = new OciClient(berth.url, basicAuth());
  const installed = packages.map((p) => `P:${p.name}\nV:${p.version}\nA:x86_64\no:${p.origin}\n`).join('\n') + '\n';
  const layer = compress(await tarBytes([{ path: 'etc/os-release', content: osRelease }, { path: 'lib/apk/db/installed', content: installed }]), 'gzip');
  const config = JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } });
  const configDigest = await client.pushBlob(repo, config);
  const layerDigest = await client.pushBlob(repo, layer);
  const body = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: Buffer.byteLength(config) },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: layerDigest, size: layer.byteLength }],
  });
  const res = await client.pushManifest(repo, tag, body);
  assert.equal(res.status, 201, await res.text());
  return { digest: res.headers.get('docker-content-digest')!, size: Buffer.byteLength(body) };
}
