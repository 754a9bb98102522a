/**
 * Writes and reads OCI image layouts (oci-layout, index.json,
 * blobs/sha256/...) for the end-to-end tests with real clients, builds
 * gzip'ed tar layers, and runs client tools with argument arrays.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

export const MediaType = {
  layout: 'application/vnd.oci.layout.header.v1+json',
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
} as const;

export const REF_NAME = 'org.opencontainers.image.ref.name';

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  platform?: Platform;
  annotations?: Record<string, string>;
}

export interface IndexJson {
  schemaVersion: 2;
  mediaType?: string;
  manifests: Descriptor[];
  annotations?: Record<string, string>;
}

export interface ImageManifest {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  config: Descriptor;
  layers: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

export interface BuiltImage {
  manifest: Descriptor;
  config: Descriptor;
  layers: Descriptor[];
  /** sha256 of each uncompressed layer tar, as in the config's rootfs. */
  diffIds: string[];
  /** The uncompressed layer tars, in order. */
  tars: Buffer[];
}

export const sha256 = (data: Uint8Array | string): string => `sha256:${createHash('sha256').update(data).digest('hex')}`;

/** Data that is partly random and partly repetitive, so gzip has some work. */
export function randomishData(size: number, label: string): Buffer {
  const out = Buffer.alloc(size);
  let offset = 0;
  let i = 0;
  while (offset < size) {
    const chunk = i % 2 === 0 ? randomBytes(4096) : Buffer.from(`${label} line ${i} `.repeat(64));
    offset += chunk.copy(out, offset);
    i++;
  }
  return out;
}

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

/** A POSIX ustar archive of regular files (mode 0644, mtime 0). */
export function makeTar(files: { name: string; data: Buffer }[]): Buffer {
  const parts: Buffer[] = [];
  for (const file of files) {
    if (Buffer.byteLength(file.name) > 100) throw new Error(`tar name too long: ${file.name}`);
    const header = Buffer.alloc(512);
    header.write(file.name, 0, 100, 'utf8');
    header.write(octal(0o644, 8), 100, 8, 'ascii');
    header.write(octal(0, 8), 108, 8, 'ascii');
    header.write(octal(0, 8), 116, 8, 'ascii');
    header.write(octal(file.data.length, 12), 124, 12, 'ascii');
    header.write(octal(0, 12), 136, 12, 'ascii');
    header.write('        ', 148, 8, 'ascii');
    header.write('0', 156, 1, 'ascii');
    header.write('ustar\0', 257, 6, 'ascii');
    header.write('00', 263, 2, 'ascii');
    header.write('root', 265, 32, 'ascii');
    header.write('root', 297, 32, 'ascii');
    let sum = 0;
    for (const byte of header) sum += byte;
    header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
    parts.push(header, file.data);
    const pad = (512 - (file.data.length % 512)) % 512;
    if (pad) parts.push(Buffer.alloc(pad));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

/** Builds an OCI image layout in a directory. Call `init()` first. */
export class OciLayoutWriter {
  readonly dir: string;
  readonly index: IndexJson = { schemaVersion: 2, mediaType: MediaType.index, manifests: [] };

  constructor(dir: string) {
    this.dir = dir;
  }

  async init(): Promise<this> {
    await mkdir(path.join(this.dir, 'blobs', 'sha256'), { recursive: true });
    await writeFile(path.join(this.dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    await this.flush();
    return this;
  }

  async writeBlob(data: Buffer | string, mediaType: string): Promise<Descriptor> {
    const digest = sha256(data);
    await writeFile(path.join(this.dir, 'blobs', 'sha256', digest.slice('sha256:'.length)), data);
    return { mediaType, digest, size: Buffer.byteLength(data) };
  }

  /**
   * An image of `layerCount` gzip'ed tar layers (each holding a few files of
   * about `layerBytes` in total) with a proper config.
   */
  async addImage(opts: { platform: Platform; layerCount?: number; layerBytes?: number; label?: string }): Promise<BuiltImage> {
    const { platform, layerCount = 3, layerBytes = 300 * 1024, label = `${platform.os}/${platform.architecture}` } = opts;
    const layers: Descriptor[] = [];
    const diffIds: string[] = [];
    const tars: Buffer[] = [];
    for (let i = 0; i < layerCount; i++) {
      const third = Math.ceil(layerBytes / 3);
      const tar = makeTar([
        { name: `layer${i}/a.bin`, data: randomishData(third, `${label} layer ${i} a`) },
        { name: `layer${i}/b.txt`, data: Buffer.from(`${label} layer ${i}\n`.repeat(Math.ceil(third / 32))) },
        { name: `layer${i}/c.bin`, data: randomishData(third, `${label} layer ${i} c`) },
      ]);
      tars.push(tar);
      diffIds.push(sha256(tar));
      layers.push(await this.writeBlob(gzipSync(tar), MediaType.layerGzip));
    }
    const config = {
      created: '2024-01-01T00:00:00Z',
      architecture: platform.architecture,
      os: platform.os,
      ...(platform.variant ? { variant: platform.variant } : {}),
      config: { Env: ['PATH=/usr/local/bin:/usr/bin:/bin'], Cmd: ['/bin/sh'], Labels: { 'org.example.label': label } },
      rootfs: { type: 'layers', diff_ids: diffIds },
      history: diffIds.map((_, i) => ({ created: '2024-01-01T00:00:00Z', created_by: `berth e2e layer ${i}` })),
    };
    const configDesc = await this.writeBlob(JSON.stringify(config), MediaType.config);
    const manifest: ImageManifest = { schemaVersion: 2, mediaType: MediaType.manifest, config: configDesc, layers };
    const manifestDesc = await this.writeBlob(JSON.stringify(manifest), MediaType.manifest);
    return { manifest: { ...manifestDesc, platform }, config: configDesc, layers, diffIds, tars };
  }

  /** An image index over the given manifests (their descriptors keep `platform`). */
  async addIndex(manifests: Descriptor[]): Promise<Descriptor> {
    const index: IndexJson = { schemaVersion: 2, mediaType: MediaType.index, manifests };
    return this.writeBlob(JSON.stringify(index), MediaType.index);
  }

  /** Names a manifest or index in index.json (the `oci:<dir>:<tag>` reference). */
  async tag(desc: Descriptor, tag: string): Promise<void> {
    const { platform: _platform, ...plain } = desc;
    this.index.manifests = this.index.manifests.filter((d) => d.annotations?.[REF_NAME] !== tag);
    this.index.manifests.push({ ...plain, annotations: { ...plain.annotations, [REF_NAME]: tag } });
    await this.flush();
  }

  private async flush(): Promise<void> {
    await writeFile(path.join(this.dir, 'index.json'), JSON.stringify(this.index));
  }
}

/** Reads any OCI image layout (ours, or one written by a client). */
export class OciLayout {
  readonly dir: string;
  constructor(dir: string) {
    this.dir = dir;
  }

  async indexJson(): Promise<IndexJson> {
    return JSON.parse(await readFile(path.join(this.dir, 'index.json'), 'utf8')) as IndexJson;
  }

  /** The index.json entry named `tag`, or the only entry when `tag` is undefined. */
  async resolve(tag?: string): Promise<Descriptor> {
    const { manifests } = await this.indexJson();
    const found = tag === undefined ? (manifests.length === 1 ? manifests[0] : undefined) : manifests.find((d) => d.annotations?.[REF_NAME] === tag);
    if (!found) throw new Error(`${this.dir}: no entry ${tag ?? '(single)'} in index.json: ${JSON.stringify(manifests)}`);
    return found;
  }

  async blob(digest: string): Promise<Buffer> {
    const [algorithm, hex] = digest.split(':');
    return readFile(path.join(this.dir, 'blobs', algorithm!, hex!));
  }

  async json<T>(digest: string): Promise<T> {
    return JSON.parse((await this.blob(digest)).toString('utf8')) as T;
  }

  /** Every blob file in blobs/, as digests. */
  async allBlobs(): Promise<Set<string>> {
    const out = new Set<string>();
    for (const algorithm of await readdir(path.join(this.dir, 'blobs'))) {
      for (const hex of await readdir(path.join(this.dir, 'blobs', algorithm))) out.add(`${algorithm}:${hex}`);
    }
    return out;
  }

  /**
   * The digests reachable from a descriptor (itself, children of indexes,
   * configs and layers), each verified against its content.
   */
  async reachable(desc: Descriptor, into = new Set<string>()): Promise<Set<string>> {
    const data = await this.blob(desc.digest);
    if (sha256(data) !== desc.digest) throw new Error(`${this.dir}: blob ${desc.digest} has digest ${sha256(data)}`);
    if (data.length !== desc.size) throw new Error(`${this.dir}: blob ${desc.digest} has ${data.length} bytes, descriptor says ${desc.size}`);
    into.add(desc.digest);
    if (desc.mediaType === MediaType.index || desc.mediaType === 'application/vnd.docker.distribution.manifest.list.v2+json') {
      const index = JSON.parse(data.toString('utf8')) as IndexJson;
      for (const child of index.manifests) await this.reachable(child, into);
    } else if (desc.mediaType === MediaType.manifest || desc.mediaType === 'application/vnd.docker.distribution.manifest.v2+json') {
      const manifest = JSON.parse(data.toString('utf8')) as ImageManifest;
      for (const child of [manifest.config, ...manifest.layers]) await this.reachable(child, into);
    }
    return into;
  }
}

export interface ToolResult {
  /** Exit status; null when killed (e.g. by the timeout). */
  code: number | null;
  signal: string | null;
  stdout: Buffer;
  stderr: string;
}

/**
 * Runs a tool with an argument array (no shell) and resolves with its exit
 * status and output whatever the status.
 */
export function runTool(
  bin: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {},
): Promise<ToolResult> {
  return new Promise((resolve) => {
    execFile(
      bin,
      args,
      { env: opts.env ?? process.env, cwd: opts.cwd, timeout: opts.timeoutMs ?? 120_000, killSignal: 'SIGKILL', encoding: 'buffer', maxBuffer: 256 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const e = err as (Error & { code?: number | string; signal?: string | null }) | null;
        resolve({
          code: e ? (typeof e.code === 'number' ? e.code : null) : 0,
          signal: e?.signal ?? null,
          stdout,
          stderr: stderr.toString('utf8') + (e && typeof e.code !== 'number' && !e.signal ? `\n[spawn error] ${e.message}` : ''),
        });
      },
    );
  });
}

/** A one-line description of a finished run, for assertion messages. */
export function describeRun(bin: string, args: string[], r: ToolResult): string {
  const stdout = r.stdout.toString('utf8');
  return [
    `${path.basename(bin)} ${args.join(' ')} exited with ${r.code ?? `signal ${r.signal}`}`,
    `stderr:\n${r.stderr.slice(-8000)}`,
    stdout ? `stdout:\n${stdout.slice(-4000)}` : '',
  ].join('\n');
}

/** Runs a tool and throws (with its stderr) unless it exits 0. */
export async function mustRun(bin: string, args: string[], opts: Parameters<typeof runTool>[2] = {}): Promise<ToolResult> {
  const r = await runTool(bin, args, opts);
  if (r.code !== 0) throw new Error(describeRun(bin, args, r));
  return r;
}
