import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { MemoryImageSource, type Compression } from '../../../test/support/image-layers.ts';
import { Readable } from 'node:stream';
import { Registry } from 'prom-client';
import { AnalysisAborted, analyzeImage } from './analyze.ts';
import { createAnalyzerMetrics } from './metrics.ts';

// The machine's own dpkg database and os-release: real files written by dpkg and Debian.
const hostStatus = readFileSync('/var/lib/dpkg/status');
const hostOsRelease = readFileSync('/usr/lib/os-release');

const DEBIAN_OS_RELEASE = `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
`;

const STATUS = `Package: libc6
Status: install ok installed
Architecture: amd64
Source: glibc
Version: 2.36-9+deb12u4

Package: libssl3
Status: install ok installed
Architecture: amd64
Source: openssl (3.0.11-1~deb12u2)
Version: 3.0.11-1~deb12u2+b1
Description: Secure Sockets Layer toolkit
 multi-line description
 .
 more

Package: oldpkg
Status: deinstall ok config-files
Architecture: amd64
Version: 1.0

Package: bash
Status: install ok installed
Architecture: amd64
Version: 5.2.15-2+b2
`;

async function debianImage(src: MemoryImageSource, compression: Compression = 'gzip'): Promise<string> {
  const base = await src.layer(
    [
      { path: 'etc/', type: 'directory' },
      { path: 'usr/lib/os-release', content: DEBIAN_OS_RELEASE },
      { path: 'etc/os-release', type: 'symlink', linkname: '../usr/lib/os-release' },
      { path: './var/lib/dpkg/status', content: STATUS },
    ],
    compression,
  );
  return src.image([base]);
}

describe('analyzeImage', () => {
  for (const compression of ['gzip', 'zstd', 'none'] as const) {
    it(`reads a ${compression} layer: dpkg packages with source, distro through the os-release symlink, purls`, async () => {
      const src = new MemoryImageSource();
      const digest = await debianImage(src, compression);
      const [inv] = await analyzeImage(src, { digest });
      assert.ok(inv);
      assert.deepEqual(inv.distro, { id: 'debian', versionId: '12', codename: 'bookworm', prettyName: 'Debian GNU/Linux 12 (bookworm)' });
      assert.deepEqual(inv.platform, { os: 'linux', architecture: 'amd64' });
      assert.deepEqual(
        inv.packages.map((p) => [p.name, p.version, p.source?.name, p.source?.version]),
        [
          ['bash', '5.2.15-2+b2', undefined, undefined],
          ['libc6', '2.36-9+deb12u4', 'glibc', '2.36-9+deb12u4'],
          ['libssl3', '3.0.11-1~deb12u2+b1', 'openssl', '3.0.11-1~deb12u2'],
        ],
      );
      const ssl = inv.packages.find((p) => p.name === 'libssl3')!;
      assert.equal(ssl.purl, 'pkg:deb/debian/libssl3@3.0.11-1~deb12u2+b1?arch=amd64&distro=debian-12&upstream=openssl%403.0.11-1%7Edeb12u2');
      assert.equal(ssl.location, '/var/lib/dpkg/status');
      assert.equal(ssl.foundBy, 'dpkg');
      assert.equal(ssl.layer, (JSON.parse(Buffer.from((await src.manifest(digest)).body).toString()) as { layers: { digest: string }[] }).layers[0]!.digest);
      assert.equal(inv.stats.layers, 1);
      assert.equal(inv.stats.entries, 4);
      assert.ok(inv.stats.bytesRead > 0);
      assert.deepEqual(inv.skipped, []);
    });
  }

  it('reads the real dpkg database of this machine (every installed package, with sources)', async () => {
    const src = new MemoryImageSource();
    const layer = await src.layer([
      { path: 'usr/lib/os-release', content: hostOsRelease },
      { path: 'etc/os-release', type: 'symlink', linkname: '../usr/lib/os-release' },
      { path: 'var/lib/dpkg/status', content: hostStatus },
    ]);
    const [inv] = await analyzeImage(src, { digest: src.image([layer]) });
    // Count independently: stanzas whose Status line ends in " installed".
    const expected = hostStatus.toString().split('\n\n').filter((s) => /^Status: .* installed$/m.test(s)).length;
    assert.equal(inv!.packages.length, expected);
    assert.ok(expected > 50);
    assert.ok(inv!.distro?.id);
    const withSource = inv!.packages.filter((p) => p.source);
    assert.ok(withSource.length > 10, 'packages built from another source name carry it');
    for (const p of inv!.packages) assert.match(p.purl, /^pkg:deb\//);
  });

  it('applies whiteouts, opaque directories and overwrites of later layers', async () => {
    const src = new MemoryImageSource();
    const l1 = await src.layer([
      { path: 'etc/os-release', content: DEBIAN_OS_RELEASE },
      { path: 'var/lib/dpkg/status', content: STATUS },
      { path: 'var/lib/dpkg/status.d/base', content: 'Package: base-files\nVersion: 12.4\nArchitecture: amd64\n' },
      { path: 'var/lib/dpkg/status.d/tzdata', content: 'Package: tzdata\nVersion: 2024a\nArchitecture: all\n' },
      { path: 'var/lib/dpkg/status.d/tzdata.md5sums', content: 'abc  usr/share/zoneinfo/UTC\n' },
      { path: 'lib/apk/db/installed', content: 'P:musl\nV:1.2.4-r2\nA:x86_64\no:musl\n\n' },
    ]);
    // Layer 2: the apk db's directory made opaque (its content re-added in the same layer, before the marker),
    // tzdata whited out, the status file replaced by one with only bash.
    const l2 = await src.layer([
      { path: 'lib/apk/db/installed', content: 'P:busybox\nV:1.36.1-r15\nA:x86_64\no:busybox\n\n' },
      { path: 'lib/apk/.wh..wh..opq' },
      { path: 'var/lib/dpkg/status.d/.wh.tzdata' },
      { path: 'var/lib/dpkg/status', content: 'Package: bash\nStatus: install ok installed\nVersion: 5.2.15-2+b2\n' },
    ]);
    // Layer 3: a whiteout of a whole directory.
    const l3 = await src.layer([{ path: 'lib/.wh.apk' }]);
    const [after2] = await analyzeImage(src, { digest: src.image([l1, l2]) });
    assert.deepEqual(
      after2!.packages.map((p) => `${p.foundBy}:${p.name}@${p.version}:${p.location}`),
      ['apk:busybox@1.36.1-r15:/lib/apk/db/installed', 'dpkg:base-files@12.4:/var/lib/dpkg/status.d/base', 'dpkg:bash@5.2.15-2+b2:/var/lib/dpkg/status'],
    );
    assert.equal(after2!.packages.find((p) => p.name === 'busybox')!.layer, l2.digest);
    const [after3] = await analyzeImage(src, { digest: src.image([l1, l2, l3]) });
    assert.deepEqual(after3!.packages.map((p) => p.name), ['base-files', 'bash']);
  });

  it('a file replacing a directory drops everything under it; a whited-out os-release leaves no distro', async () => {
    const src = new MemoryImageSource();
    const l1 = await src.layer([
      { path: 'etc/os-release', content: DEBIAN_OS_RELEASE },
      { path: 'var/lib/dpkg/status.d/base', content: 'Package: base-files\nVersion: 12.4\n' },
    ]);
    const l2 = await src.layer([{ path: 'var/lib/dpkg/status.d', content: 'now a file' }, { path: 'etc/.wh.os-release' }]);
    const [inv] = await analyzeImage(src, { digest: src.image([l1, l2]) });
    assert.deepEqual(inv!.packages, []);
    assert.equal(inv!.distro, undefined);
  });

  it('analyses every platform of an index and leaves attestation manifests out', async () => {
    const src = new MemoryImageSource();
    const amd = await debianImage(src);
    const armLayer = await src.layer([
      { path: 'etc/alpine-release', content: '3.19.1\n' },
      { path: 'lib/apk/db/installed', content: 'C:Q1abc\nP:libcrypto3\nV:3.1.4-r5\nA:aarch64\nL:Apache-2.0\no:openssl\nF:lib\nR:libcrypto.so.3\n\nP:musl\nV:1.2.4_git20230717-r4\nA:aarch64\no:musl\n' },
    ]);
    const arm = src.image([armLayer], { os: 'linux', architecture: 'arm64', variant: 'v8' } as never);
    const att = src.image([], { os: 'unknown', architecture: 'unknown' });
    const index = src.index([
      { digest: amd, platform: { os: 'linux', architecture: 'amd64' } },
      { digest: arm, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
      { digest: att, platform: { os: 'unknown', architecture: 'unknown' } },
    ]);
    const invs = await analyzeImage(src, { digest: index });
    assert.equal(invs.length, 2);
    assert.equal(invs[0]!.manifestDigest, amd);
    assert.equal(invs[1]!.manifestDigest, arm);
    assert.deepEqual(invs[1]!.platform, { os: 'linux', architecture: 'arm64', variant: 'v8' });
    assert.deepEqual(invs[1]!.distro, { id: 'alpine', versionId: '3.19.1' });
    const crypto = invs[1]!.packages.find((p) => p.name === 'libcrypto3')!;
    assert.deepEqual(crypto.source, { name: 'openssl', version: '3.1.4-r5' });
    assert.deepEqual(crypto.licenses, ['Apache-2.0']);
    assert.equal(crypto.purl, 'pkg:apk/alpine/libcrypto3@3.1.4-r5?arch=aarch64&distro=alpine-3.19.1&upstream=openssl');
  });

  it('hard links, devices and FIFOs are passed over without reading anything', async () => {
    const src = new MemoryImageSource();
    const layer = await src.layer([
      { path: 'var/lib/dpkg/status', content: STATUS },
      { path: 'var/lib/dpkg/status-link', type: 'link', linkname: 'var/lib/dpkg/status' },
      { path: 'etc/os-release', type: 'link', linkname: 'var/lib/dpkg/status' },
    ]);
    const [inv] = await analyzeImage(src, { digest: src.image([layer]) });
    assert.equal(inv!.packages.length, 3);
    assert.equal(inv!.distro, undefined);
  });

  it('limits platforms and image bytes; cancellation rejects with AnalysisAborted; metrics count the work', async () => {
    const src = new MemoryImageSource();
    const a = await debianImage(src);
    const b = await debianImage(src, 'zstd');
    const index = src.index([
      { digest: a, platform: { os: 'linux', architecture: 'amd64' } },
      { digest: b, platform: { os: 'linux', architecture: 'arm64' } },
    ]);
    const one = await analyzeImage(src, { digest: index, limits: { maxPlatforms: 1 } });
    assert.equal(one.length, 1);
    assert.match(one[0]!.skipped[0]!.reason, /more than 1 platforms/);

    const l1 = await src.layer([{ path: 'big', content: Buffer.alloc(3 * 1024 * 1024) }]);
    const l2 = await src.layer([{ path: 'var/lib/dpkg/status', content: STATUS }]);
    const [capped] = await analyzeImage(src, { digest: src.image([l1, l2]), limits: { maxImageBytes: 2 * 1024 * 1024 } });
    assert.deepEqual(capped!.packages, []);
    assert.deepEqual(
      capped!.skipped.map((s) => s.reason),
      [`layer larger than ${2 * 1024 * 1024} bytes uncompressed: the rest was not read`, `image larger than ${2 * 1024 * 1024} bytes uncompressed: layer not read`],
    );

    const stall = src.streamedLayer('stall', () => new Readable({ read() {} }));
    const controller = new AbortController();
    const running = analyzeImage(src, { digest: src.image([stall]), signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await assert.rejects(running, AnalysisAborted);

    const registry = new Registry();
    await analyzeImage(src, { digest: a, metrics: createAnalyzerMetrics(registry) });
    const text = await registry.metrics();
    assert.match(text, /berth_analyzer_layers_total 1/);
    assert.match(text, /berth_analyzer_packages_total\{type="deb"\} 3/);
    assert.match(text, /berth_analyzer_layer_bytes_total\{form="uncompressed"\} [1-9]/);
  });

  it('reports artifacts that are not container images without reading their blobs', async () => {
    const src = new MemoryImageSource();
    const layer = await src.layer([{ path: 'Chart.yaml', content: 'name: x' }]);
    const chart = src.image([layer], undefined, 'application/vnd.cncf.helm.config.v1+json');
    const [inv] = await analyzeImage(src, { digest: chart });
    assert.deepEqual(inv!.packages, []);
    assert.match(inv!.skipped[0]!.reason, /not a container image/);
    assert.ok(!src.opened.includes(layer.digest));
  });
});
