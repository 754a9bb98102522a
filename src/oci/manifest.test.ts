import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RegistryError } from './errors.ts';
import { MAX_MANIFEST_BYTES, MediaTypes, parseManifest } from './manifest.ts';

const d = (c: string) => `sha256:${c.repeat(64)}`;
const body = (o: unknown) => Buffer.from(JSON.stringify(o));
const image = {
  schemaVersion: 2,
  mediaType: MediaTypes.ociManifest,
  config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: d('a'), size: 2 },
  layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: d('b'), size: 3 }],
};

function failsWith(code: string, fn: () => unknown) {
  assert.throws(fn, (e: unknown) => e instanceof RegistryError && e.code === code);
}

test('image manifest lists config and layers as required blobs', () => {
  const p = parseManifest(body(image), MediaTypes.ociManifest);
  assert.equal(p.kind, 'manifest');
  assert.deepEqual(p.blobs, [d('a'), d('b')]);
  assert.equal(p.artifactType, 'application/vnd.oci.image.config.v1+json');
});

test('artifact manifest with subject and artifactType', () => {
  const m = { ...image, artifactType: 'application/vnd.example+type', config: { mediaType: MediaTypes.ociEmpty, digest: d('c'), size: 2 }, subject: { mediaType: MediaTypes.ociManifest, digest: d('e'), size: 9 } };
  const p = parseManifest(body(m), MediaTypes.ociManifest);
  assert.equal(p.artifactType, 'application/vnd.example+type');
  assert.equal(p.subject?.digest, d('e'));
});

test('index lists child manifests; docker types accepted', () => {
  const idx = { schemaVersion: 2, mediaType: MediaTypes.dockerList, manifests: [{ mediaType: MediaTypes.dockerManifest, digest: d('f'), size: 1 }] };
  const p = parseManifest(body(idx), MediaTypes.dockerList);
  assert.equal(p.kind, 'index');
  assert.deepEqual(p.manifests, [d('f')]);
  const docker = { ...image, mediaType: MediaTypes.dockerManifest };
  assert.equal(parseManifest(body(docker), undefined).mediaType, MediaTypes.dockerManifest);
});

test('foreign layers are not required to exist', () => {
  const m = { ...image, layers: [{ mediaType: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip', digest: d('9'), size: 1 }] };
  assert.deepEqual(parseManifest(body(m), MediaTypes.ociManifest).blobs, [d('a')]);
});

test('rejects invalid JSON, wrong schemaVersion, type mismatch, bad descriptors, unknown types, oversize', () => {
  failsWith('MANIFEST_INVALID', () => parseManifest(Buffer.from('{not json'), MediaTypes.ociManifest));
  failsWith('MANIFEST_INVALID', () => parseManifest(body({ ...image, schemaVersion: 1 }), MediaTypes.ociManifest));
  failsWith('MANIFEST_INVALID', () => parseManifest(body(image), MediaTypes.ociIndex));
  failsWith('MANIFEST_INVALID', () => parseManifest(body({ ...image, config: { mediaType: 'x', digest: 'sha256:zz', size: 1 } }), MediaTypes.ociManifest));
  failsWith('MANIFEST_INVALID', () => parseManifest(body({ ...image, layers: [{ mediaType: 'x', digest: d('a'), size: -1 }] }), MediaTypes.ociManifest));
  failsWith('MANIFEST_INVALID', () => parseManifest(body({ ...image, mediaType: undefined }), 'application/vnd.example.unknown'));
  failsWith('MANIFEST_TOO_LARGE', () => parseManifest(Buffer.alloc(MAX_MANIFEST_BYTES + 1, 32), MediaTypes.ociManifest));
});
