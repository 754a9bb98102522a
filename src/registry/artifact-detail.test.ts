import assert from 'node:assert/strict';
import { test } from 'node:test';
import { summarize } from './artifact-detail.ts';
import { artifactKind, indexPlatforms, platformOf } from './artifact-rows.ts';

test('summarize keeps what the UI shows of an image config, counts Env without its values', () => {
  const config = {
    os: 'linux',
    architecture: 'arm64',
    variant: 'v8',
    created: '2024-01-01T00:00:00Z',
    config: { Env: ['PATH=/bin', 'SECRET=x'], Entrypoint: ['/app'], Cmd: ['--serve'], WorkingDir: '/srv', Labels: { a: 'b', n: 1 }, ExposedPorts: { '8080/tcp': {}, '443/tcp': {} } },
  };
  assert.deepEqual(summarize(config), {
    os: 'linux',
    architecture: 'arm64',
    variant: 'v8',
    created: '2024-01-01T00:00:00Z',
    author: null,
    labels: { a: 'b' },
    entrypoint: ['/app'],
    cmd: ['--serve'],
    working_dir: '/srv',
    env_count: 2,
    exposed_ports: ['443/tcp', '8080/tcp'],
  });
  assert.equal(JSON.stringify(summarize(config)).includes('SECRET'), false);
  assert.deepEqual(summarize({}), { os: null, architecture: null, variant: null, created: null, author: null, labels: {}, entrypoint: null, cmd: null, working_dir: null, env_count: 0, exposed_ports: [] });
  assert.equal(summarize('nope'), null);
});

test('index platforms skip attestation entries (unknown/unknown)', () => {
  const index = {
    manifests: [
      { digest: 'sha256:1', platform: { os: 'linux', architecture: 'amd64' } },
      { digest: 'sha256:2', platform: { os: 'windows', architecture: 'amd64', 'os.version': '10.0.20348' } },
      { digest: 'sha256:3', platform: { os: 'unknown', architecture: 'unknown' } },
      { digest: 'sha256:4' },
    ],
  };
  assert.deepEqual(indexPlatforms(Buffer.from(JSON.stringify(index))), [
    { os: 'linux', architecture: 'amd64' },
    { os: 'windows', architecture: 'amd64', os_version: '10.0.20348' },
  ]);
  assert.deepEqual(indexPlatforms(Buffer.from('not json')), []);
  assert.equal(platformOf({ os: 'linux' }), null);
});

test('artifact kinds', () => {
  assert.equal(artifactKind('application/vnd.oci.image.index.v1+json', null), 'INDEX');
  assert.equal(artifactKind('application/vnd.docker.distribution.manifest.list.v2+json', null), 'INDEX');
  assert.equal(artifactKind('application/vnd.oci.image.manifest.v1+json', 'application/vnd.oci.image.config.v1+json'), 'IMAGE');
  assert.equal(artifactKind('application/vnd.docker.distribution.manifest.v2+json', 'application/vnd.docker.container.image.v1+json'), 'IMAGE');
  assert.equal(artifactKind('application/vnd.oci.image.manifest.v1+json', 'application/vnd.cncf.helm.config.v1+json'), 'OTHER');
  assert.equal(artifactKind('application/vnd.oci.image.manifest.v1+json', 'application/spdx+json'), 'OTHER');
});
