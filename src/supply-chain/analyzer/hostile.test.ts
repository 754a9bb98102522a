/**
 * Hostile images, each generated here: every one must end in a bounded scan
 * with a `Skipped` reason — no crash, no hang, no memory growing with the
 * layer. Peak RSS growth is printed so the figures can be quoted.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { MemoryImageSource, peakRssDuring, tarHeader, zeroFileLayer } from '../../../test/support/image-layers.ts';
import { makeZip } from '../../../test/support/zip.ts';
import { analyzeImage } from './analyze.ts';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
const STATUS = 'Package: bash\nStatus: install ok installed\nArchitecture: amd64\nVersion: 5.2.15-2+b2\n';
const dir = mkdtempSync(path.join(tmpdir(), 'berth-hostile-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('hostile images', () => {
  it('tar bomb (entry count): stops after maxEntriesPerLayer with a reason, keeping what came before', async () => {
    const src = new MemoryImageSource();
    const files = [{ path: 'var/lib/dpkg/status', content: STATUS }, ...Array.from({ length: 12_000 }, (_, i) => ({ path: `bomb/${i}`, content: '' }))];
    const layer = await src.layer(files);
    const [inv] = await analyzeImage(src, { digest: src.image([layer]), limits: { maxEntriesPerLayer: 5_000 } });
    assert.deepEqual(inv!.packages.map((p) => p.name), ['bash']);
    assert.deepEqual(inv!.skipped, [{ path: '/', layer: layer.digest, reason: 'more than 5000 entries: the rest of the layer was not read' }]);
  });

  it('10 GiB file of zeros (a gzip bomb: ~10 MiB compressed): bounded by maxLayerBytes, flat memory', async (t) => {
    const src = new MemoryImageSource();
    const make = await zeroFileLayer('data/sparse.img', 10 * GiB, 0o755, [{ path: 'var/lib/dpkg/status', content: STATUS }]);
    const layer = src.streamedLayer('zeros', make);
    const started = performance.now();
    const { result, peakGrowth } = await peakRssDuring(() => analyzeImage(src, { digest: src.image([layer]), limits: { maxLayerBytes: 2 * GiB } }));
    const seconds = (performance.now() - started) / 1000;
    const [inv] = result;
    t.diagnostic(`2 GiB of a 10 GiB zero file read in ${seconds.toFixed(1)} s (${(2048 / seconds).toFixed(0)} MB/s uncompressed), peak RSS growth ${(peakGrowth / MiB).toFixed(0)} MiB`);
    assert.deepEqual(inv!.packages.map((p) => p.name), ['bash']);
    assert.ok(inv!.skipped.some((s) => s.reason === `layer larger than ${2 * GiB} bytes uncompressed: the rest was not read`), JSON.stringify(inv!.skipped));
    assert.ok(peakGrowth < 150 * MiB, `peak RSS growth ${peakGrowth}`);
  });

  it('an executable larger than maxBinaryBytes is skipped by the binary catalogers with a reason', async () => {
    const src = new MemoryImageSource();
    const make = await zeroFileLayer('usr/bin/huge', 64 * MiB, 0o755);
    const layer = src.streamedLayer('huge-exe', make);
    const [inv] = await analyzeImage(src, { digest: src.image([layer]), limits: { maxBinaryBytes: 16 * MiB } });
    assert.ok(inv!.skipped.some((s) => s.path === '/usr/bin/huge' && /larger than the 16777216-byte limit/.test(s.reason)), JSON.stringify(inv!.skipped));
  });

  it('a package database bigger than its cataloger reads is skipped, never buffered', async () => {
    const src = new MemoryImageSource();
    const make = await zeroFileLayer('var/lib/dpkg/status', 100 * MiB);
    const layer = src.streamedLayer('big-status', make);
    const { result, peakGrowth } = await peakRssDuring(() => analyzeImage(src, { digest: src.image([layer]) }));
    assert.ok(result[0]!.skipped.some((s) => s.path === '/var/lib/dpkg/status' && /larger than its limit of 67108864 bytes/.test(s.reason)));
    assert.ok(peakGrowth < 64 * MiB, `peak RSS growth ${peakGrowth}`);
  });

  it('a real 10 GB sparse file (GNU tar --sparse) is not expanded: skipped with its claimed size', async () => {
    const root = path.join(dir, 'sparse-root');
    execFileSync('mkdir', ['-p', path.join(root, 'usr/bin')]);
    execFileSync('truncate', ['-s', '10G', path.join(root, 'usr/bin/app')]);
    execFileSync('chmod', ['755', path.join(root, 'usr/bin/app')]);
    const tarFile = path.join(dir, 'sparse.tar.gz');
    execFileSync('tar', ['--sparse', '--format=pax', '-czf', tarFile, '-C', root, 'usr']);
    const src = new MemoryImageSource();
    const bytes = readFileSync(tarFile);
    const layer = { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: src.addBlob(bytes), size: bytes.length };
    const started = performance.now();
    const [inv] = await analyzeImage(src, { digest: src.image([layer]) });
    assert.ok(performance.now() - started < 5_000);
    assert.ok(inv!.skipped.some((s) => s.path === '/usr/bin/app' && s.reason === 'sparse file (10737418240 bytes claimed): not read'), JSON.stringify(inv!.skipped));
  });

  it('a jar nested 12 deep: read down to maxArchiveDepth, the deeper ones skipped with a reason', async () => {
    let jar = makeZip([{ name: 'META-INF/maven/org.deep/level-12/pom.properties', data: 'groupId=org.deep\nartifactId=level-12\nversion=1.0\n' }]);
    for (let level = 11; level >= 1; level--) {
      jar = makeZip([
        { name: `META-INF/maven/org.deep/level-${level}/pom.properties`, data: `groupId=org.deep\nartifactId=level-${level}\nversion=1.0\n` },
        { name: `lib/level-${level + 1}.jar`, data: jar },
      ]);
    }
    const src = new MemoryImageSource();
    const layer = await src.layer([{ path: 'app/app.jar', content: jar }]);
    const started = performance.now();
    const [inv] = await analyzeImage(src, { digest: src.image([layer]), limits: { maxArchiveDepth: 3 } });
    assert.ok(performance.now() - started < 5_000);
    const names = inv!.packages.filter((p) => p.name.startsWith('org.deep:')).map((p) => p.name).toSorted();
    assert.deepEqual(names, ['org.deep:level-1', 'org.deep:level-2', 'org.deep:level-3', 'org.deep:level-4']);
    assert.equal(inv!.skipped.length, 1, JSON.stringify(inv!.skipped));
    assert.match(inv!.skipped[0]!.reason, /nested deeper than 3/);
  });

  it('path traversal entries are refused with a reason and never catalogued', async () => {
    const src = new MemoryImageSource();
    const layer = await src.layer([
      { path: '../../var/lib/dpkg/status', content: STATUS },
      { path: 'var/../../etc/os-release', content: 'ID=evil\n' },
      { path: 'ok/file', content: 'x' },
    ]);
    const [inv] = await analyzeImage(src, { digest: src.image([layer]) });
    assert.deepEqual(inv!.packages, []);
    assert.equal(inv!.distro, undefined);
    assert.deepEqual(
      inv!.skipped.map((s) => [s.path, s.reason]),
      [
        ['../../var/lib/dpkg/status', 'path traversal (`..` segment)'],
        ['var/../../etc/os-release', 'path traversal (`..` segment)'],
      ],
    );
  });

  it('a symlink loop ends with a reason; links never lead outside the image', async () => {
    const src = new MemoryImageSource();
    const loop = await src.layer([
      { path: 'etc/os-release', type: 'symlink', linkname: 'a' },
      { path: 'etc/a', type: 'symlink', linkname: '/etc/b' },
      { path: 'etc/b', type: 'symlink', linkname: '../etc/os-release' },
      { path: 'usr/lib/os-release', type: 'symlink', linkname: '../../../../../../etc/hostname' },
    ]);
    const [inv] = await analyzeImage(src, { digest: src.image([loop]) });
    assert.equal(inv!.distro, undefined);
    assert.ok(inv!.skipped.some((s) => s.path === '/etc/os-release' && /symlink loop/.test(s.reason)), JSON.stringify(inv!.skipped));
    // `../../..` above the root stays at the image's root: the host's /etc/os-release is never read.
    const escape = await src.layer([
      { path: 'etc/os-release', type: 'symlink', linkname: '../../../../../../../usr/lib/os-release' },
      { path: 'usr/lib/os-release', content: 'ID=inside\nVERSION_ID=1\n' },
    ]);
    const [inv2] = await analyzeImage(src, { digest: src.image([escape]) });
    assert.deepEqual(inv2!.distro, { id: 'inside', versionId: '1' });
  });

  it('a layer that stalls is cut off by the time limit', async () => {
    const src = new MemoryImageSource();
    const head = gzipSync(tarHeader('var/lib/x', 1024 * 1024));
    const stalled = src.streamedLayer('stall2', () => {
      const r = new Readable({ read() {} });
      r.push(head);
      return r;
    });
    const started = performance.now();
    const [inv] = await analyzeImage(src, { digest: src.image([stalled]), limits: { timeoutMs: 300 } });
    assert.ok(performance.now() - started < 3_000);
    assert.ok(inv!.skipped.some((s) => /longer than 300 ms/.test(s.reason)), JSON.stringify(inv!.skipped));
  });

  it('corrupt layers (garbage, truncated gzip) end that layer with a reason; the next layer is still read', async () => {
    const src = new MemoryImageSource();
    const garbage = Buffer.alloc(4096, 0x41);
    const g = { mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: src.addBlob(garbage), size: garbage.length };
    const good = await src.layer([{ path: 'var/lib/dpkg/status', content: STATUS }]);
    const truncatedBytes = (await src.layer([{ path: 'a', content: 'x'.repeat(100_000) }])).digest;
    const full = src.blobs.get(truncatedBytes) as Buffer;
    const t = { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: src.addBlob(full.subarray(0, full.length / 2)), size: 0 };
    const [inv] = await analyzeImage(src, { digest: src.image([g, t, good]) });
    assert.deepEqual(inv!.packages.map((p) => p.name), ['bash']);
    assert.equal(inv!.skipped.filter((s) => /not a readable tar archive/.test(s.reason)).length, 2, JSON.stringify(inv!.skipped));
  });

  it('a layer blob missing from storage fails the analysis (an error, not a skip), unless it is a foreign layer', async () => {
    const src = new MemoryImageSource();
    const digest = src.image([{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: `sha256:${'0'.repeat(64)}`, size: 1 }]);
    await assert.rejects(analyzeImage(src, { digest }), /could not be read: blob sha256:0+ not found/);
    const good = await src.layer([{ path: 'usr/lib/apk/db/installed', content: 'P:musl\nV:1.2.5-r0\n' }]);
    const windows = src.image([{ mediaType: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip', digest: `sha256:${'1'.repeat(64)}`, size: 1 }, good]);
    const [inv] = await analyzeImage(src, { digest: windows });
    assert.deepEqual(inv!.packages.map((p) => p.name), ['musl']);
    assert.match(inv!.skipped[0]!.reason, /^foreign layer not stored in the registry/);
  });
});

describe('a cataloger that never finishes', () => {
  it('cannot hang the analysis past its time limit', async () => {
    const src = new MemoryImageSource();
    const layer = await src.layer([{ path: 'stuck/file', content: Buffer.alloc(1024 * 1024) }]);
    const stuck = { name: 'stuck', mode: 'stream' as const, wants: (f: { path: string }) => f.path === '/stuck/file', scan: () => new Promise<never>(() => {}) };
    const started = performance.now();
    const [inv] = await analyzeImage(src, { digest: src.image([layer]), catalogers: [stuck], limits: { timeoutMs: 300 } });
    assert.ok(performance.now() - started < 3_000);
    assert.ok(inv!.skipped.some((s) => /longer than 300 ms|analysis stopped/.test(s.reason)), JSON.stringify(inv!.skipped));
  });
});
