/**
 * Images made in memory for the analyzer's tests: tar layers built with
 * tar-stream (gzip, zstd or uncompressed), manifests and indexes, and an
 * in-memory ImageSource (a test double of the registry's storage). Blobs can
 * also be generators, for hostile layers far bigger than memory.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { gzipSync, zstdCompressSync } from 'node:zlib';
import tar from 'tar-stream';
import type { ImageSource } from '../../src/supply-chain/analyzer/image.ts';

export interface LayerFile {
  path: string;
  type?: 'file' | 'directory' | 'symlink' | 'link';
  content?: string | Buffer;
  linkname?: string;
  mode?: number;
  /** Extra PAX records (sparse-file markers …). */
  pax?: Record<string, string>;
}

export type Compression = 'gzip' | 'zstd' | 'none';

const MEDIA: Record<Compression, string> = {
  gzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  zstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  none: 'application/vnd.oci.image.layer.v1.tar',
};

export async function tarBytes(files: LayerFile[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const c of pack) chunks.push(Buffer.from(c as Uint8Array));
  })();
  for (const f of files) {
    const type = f.type ?? 'file';
    const content = f.content === undefined ? Buffer.alloc(0) : Buffer.from(f.content);
    await new Promise<void>((resolve, reject) => {
      const header = {
        name: f.path,
        type,
        mode: f.mode ?? (type === 'directory' ? 0o755 : 0o644),
        ...(f.linkname !== undefined ? { linkname: f.linkname } : {}),
        ...(f.pax ? { pax: f.pax } : {}),
        ...(type === 'file' ? { size: content.length } : {}),
      };
      const cb = (err?: Error | null): void => (err ? reject(err) : resolve());
      if (type === 'file') pack.entry(header, content, cb);
      else pack.entry(header, cb);
    });
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

export function compress(tarball: Buffer, compression: Compression): Buffer {
  if (compression === 'gzip') return gzipSync(tarball);
  if (compression === 'zstd') return zstdCompressSync(tarball);
  return tarball;
}

export function sha256(b: Uint8Array): string {
  return `sha256:${createHash('sha256').update(b).digest('hex')}`;
}

interface LayerDesc {
  mediaType: string;
  digest: string;
  size: number;
}

/** An in-memory registry: blobs (bytes or generators) and manifests by digest. */
export class MemoryImageSource implements ImageSource {
  readonly blobs = new Map<string, Buffer | (() => Readable)>();
  readonly manifests = new Map<string, { mediaType: string; body: Uint8Array }>();
  /** Blobs opened, in order (to check what the analyzer read). */
  readonly opened: string[] = [];

  async manifest(digest: string): Promise<{ mediaType: string; body: Uint8Array }> {
    const m = this.manifests.get(digest);
    if (!m) throw new Error(`manifest ${digest} not found`);
    return m;
  }

  blob(digest: string): Readable {
    this.opened.push(digest);
    const b = this.blobs.get(digest);
    if (!b) throw new Error(`blob ${digest} not found`);
    if (typeof b === 'function') return b();
    // Several chunks, as storage would deliver them.
    const parts: Buffer[] = [];
    for (let i = 0; i < b.length; i += 64 * 1024) parts.push(b.subarray(i, i + 64 * 1024));
    return Readable.from(parts);
  }

  addBlob(bytes: Buffer): string {
    const d = sha256(bytes);
    this.blobs.set(d, bytes);
    return d;
  }

  async layer(files: LayerFile[], compression: Compression = 'gzip'): Promise<LayerDesc> {
    const bytes = compress(await tarBytes(files), compression);
    return { mediaType: MEDIA[compression], digest: this.addBlob(bytes), size: bytes.length };
  }

  /** A layer whose bytes come from a generator (never held in memory). */
  streamedLayer(name: string, make: () => Readable, mediaType = MEDIA.gzip): LayerDesc {
    const digest = `sha256:${createHash('sha256').update(name).digest('hex')}`;
    this.blobs.set(digest, make);
    return { mediaType, digest, size: 0 };
  }

  addManifest(json: object): string {
    const body = Buffer.from(JSON.stringify(json));
    const mediaType = (json as { mediaType?: string }).mediaType ?? 'application/vnd.oci.image.manifest.v1+json';
    const d = sha256(body);
    this.manifests.set(d, { mediaType, body });
    return d;
  }

  image(layers: LayerDesc[], platform = { os: 'linux', architecture: 'amd64' }, configMediaType = 'application/vnd.oci.image.config.v1+json'): string {
    const config = Buffer.from(JSON.stringify({ ...platform, rootfs: { type: 'layers', diff_ids: [] } }));
    const cd = this.addBlob(config);
    return this.addManifest({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: configMediaType, digest: cd, size: config.length },
      layers,
    });
  }

  index(entries: { digest: string; platform: { os: string; architecture: string; variant?: string } }[]): string {
    return this.addManifest({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: entries.map((e) => ({
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: e.digest,
        size: this.manifests.get(e.digest)?.body.length ?? 0,
        platform: e.platform,
      })),
    });
  }
}

/** A ustar header for `name` of `size` bytes; sizes past 8 GiB use the base-256 form GNU tar writes. */
export function tarHeader(name: string, size: number, mode = 0o644, typeflag = '0'): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'utf8');
  h.write(mode.toString(8).padStart(7, '0') + '\0', 100, 'ascii');
  h.write('0000000\0', 108, 'ascii');
  h.write('0000000\0', 116, 'ascii');
  if (size < 8 * 1024 ** 3) h.write(size.toString(8).padStart(11, '0') + '\0', 124, 'ascii');
  else {
    h[124] = 0x80;
    let v = BigInt(size);
    for (let i = 135; i > 124; i--) {
      h[i] = Number(v & 0xffn);
      v >>= 8n;
    }
  }
  h.write('00000000000\0', 136, 'ascii');
  h.write(typeflag, 156, 'ascii');
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  h.fill(' ', 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'ascii');
  return h;
}

/**
 * A gzip layer holding one file of `size` zero bytes (10 GiB takes ~10 MiB of
 * gzip: the same compressed 1 MiB member repeated, which gunzip reads as one
 * stream), generated lazily so it is never in memory. `before` entries come first.
 */
export async function zeroFileLayer(name: string, size: number, mode = 0o644, before: LayerFile[] = []): Promise<() => Readable> {
  const MiB = 1024 * 1024;
  const zeroMember = gzipSync(Buffer.alloc(MiB), { level: 9 });
  const head = before.length ? (await tarBytes(before)).subarray(0, -1024) : Buffer.alloc(0);
  const headMember = gzipSync(Buffer.concat([head, tarHeader(name, size, mode)]));
  const rest = size % MiB;
  const pad = (512 - (size % 512)) % 512;
  const tailMember = gzipSync(Buffer.alloc(rest + pad + 1024));
  const full = Math.floor(size / MiB);
  return () =>
    Readable.from(
      (function* () {
        yield headMember;
        for (let i = 0; i < full; i++) yield zeroMember;
        yield tailMember;
      })(),
    );
}

/** Samples this process's RSS while `fn` runs; returns its result and the peak growth in bytes. */
export async function peakRssDuring<T>(fn: () => Promise<T>): Promise<{ result: T; peakGrowth: number; base: number }> {
  globalThis.gc?.();
  const base = process.memoryUsage().rss;
  let peak = base;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  try {
    const result = await fn();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, peakGrowth: peak - base, base };
  } finally {
    clearInterval(timer);
  }
}
