/**
 * The re-match part of `npm run bench:scan`: a real Berth (started in this
 * process as the tests start it: SQLite in a temporary directory, HTTP on a
 * loopback port) holding N scanned images, each a distinct manifest over one
 * shared layer made of the test images' real package databases; then the real
 * OSV files are imported with the vulnerability database's own import (the
 * one its API route calls) and each `vulnerabilities.rematch` job's run time
 * (started → finished, from the job API) is measured.
 */
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { createGunzip, gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { VulnDb } from '../../src/supply-chain/vulndb/store.ts';
import { ADMIN_PASSWORD, startTestBerth } from '../../test/support/berth.ts';
import { findVulndata } from '../../test/support/vulndata.ts';

export interface RematchResult {
  sboms: number;
  packages: number;
  imported: string[];
  /** Run time of each import's re-match job, in import order. */
  rematchJobsMs: number[];
  /** The slowest of them (every job re-matches all stored SBOMs). */
  rematchMs: number;
  scanAllSeconds: number;
}

const auth = { authorization: `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64')}` };
const sha256 = (b: Uint8Array | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** Files of an image layout's layers (later layers win) whose path `want` accepts, as path → bytes. */
async function extract(layout: string, want: (p: string) => boolean): Promise<Map<string, Buffer>> {
  const index = JSON.parse(readFileSync(path.join(layout, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
  const blob = (d: string) => path.join(layout, 'blobs', 'sha256', d.slice(7));
  const manifest = JSON.parse(readFileSync(blob(index.manifests[0]!.digest), 'utf8')) as { layers: { digest: string }[] };
  const files = new Map<string, Buffer>();
  for (const layer of manifest.layers) {
    const ex = tar.extract();
    ex.on('entry', (header, stream, next) => {
      const name = header.name.replace(/^\.?\//, '');
      if (header.type === 'file' && want(name)) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: unknown) => chunks.push(c as Buffer));
        stream.on('end', () => {
          files.set(name, Buffer.concat(chunks));
          next();
        });
      } else {
        stream.on('end', next);
        stream.resume();
      }
    });
    await pipeline(createReadStream(blob(layer.digest)), createGunzip(), ex);
  }
  return files;
}

export async function sharedLayer(images: Map<string, string>): Promise<Buffer> {
  const files = new Map<string, Buffer>();
  const debian = images.get('debian');
  if (debian) for (const [p, b] of await extract(debian, (p) => p === 'var/lib/dpkg/status' || p === 'usr/lib/os-release')) files.set(p, b);
  const python = images.get('python');
  if (python) for (const [p, b] of await extract(python, (p) => /\.dist-info\/METADATA$/.test(p))) files.set(p, b);
  const node = images.get('node');
  if (node) for (const [p, b] of await extract(node, (p) => /^app\/node_modules\/(@[^/]+\/)?[^/]+\/package\.json$/.test(p))) files.set(p, b);
  if (files.has('usr/lib/os-release')) files.set('etc/os-release', files.get('usr/lib/os-release')!);
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => chunks.push(c as Buffer));
  const done = new Promise<void>((resolve) => pack.on('end', () => resolve()));
  for (const [name, data] of [...files].sort()) pack.entry({ name, size: data.length, mode: 0o644, mtime: new Date(0) }, data);
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

async function api(base: string, p: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${base}${p}`, { ...init, headers: { ...auth, ...(init.headers as Record<string, string>) } });
}

async function jobCount(base: string, kind: string, state: string): Promise<number> {
  const res = await api(base, `/api/v1/jobs?kind=${kind}&state=${state}&page_size=1`);
  if (res.status !== 200) throw new Error(`GET /api/v1/jobs: ${res.status} ${await res.text()}`);
  return Number(res.headers.get('x-total-count'));
}

async function waitJob(base: string, id: string): Promise<{ startedAt: number; finishedAt: number }> {
  for (const deadline = Date.now() + 15 * 60_000; Date.now() < deadline; await sleep(100)) {
    const job = (await (await api(base, `/api/v1/jobs/${id}`)).json()) as { state: string; startedAt: number; finishedAt: number; lastError: string | null };
    if (job.state === 'succeeded') return job;
    if (job.state === 'failed' || job.state === 'cancelled') throw new Error(`job ${id} ${job.state}: ${job.lastError}`);
  }
  throw new Error(`job ${id} did not finish in 15 minutes`);
}

export async function rematchBench(opts: { sboms: number; images: Map<string, string>; say: (l: string) => void; repoRoot: string; vulndataDir?: string }): Promise<RematchResult> {
  const { sboms, say } = opts;
  const vulndata = findVulndata(opts.vulndataDir);
  const berth = await startTestBerth();
  const base = berth.url;
  try {
    const layerTar = await sharedLayer(opts.images);
    const layer = gzipSync(layerTar);
    const repo = 'bench/rematch';
    const upload = async (data: Buffer | string) => {
      const digest = sha256(data);
      const res = await api(base, `/v2/${repo}/blobs/uploads/?digest=${digest}`, { method: 'POST', body: data, headers: { 'content-type': 'application/octet-stream' } });
      if (res.status !== 201) throw new Error(`blob upload: ${res.status} ${await res.text()}`);
      return { digest, size: Buffer.byteLength(data) };
    };
    const layerDesc = await upload(layer);
    const t0 = performance.now();
    const pushOne = async (i: number) => {
      const config = JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Labels: { 'bench.n': String(i) } }, rootfs: { type: 'layers', diff_ids: [sha256(layerTar)] } });
      const c = await upload(config);
      const manifest = JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...c },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...layerDesc }],
      });
      const res = await api(base, `/v2/${repo}/manifests/${sha256(manifest)}`, { method: 'PUT', body: manifest, headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' } });
      if (res.status !== 201) throw new Error(`manifest push: ${res.status} ${await res.text()}`);
    };
    for (let i = 0; i < sboms; i += 8) await Promise.all(Array.from({ length: Math.min(8, sboms - i) }, (_, k) => pushOne(i + k)));
    say(`pushed ${sboms} images (one shared ${(layer.length / 1024).toFixed(0)} KiB layer) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const t1 = performance.now();
    const scan = await api(base, `/api/v1/projects/bench/repositories/rematch/scan`, { method: 'POST' });
    if (scan.status !== 202) throw new Error(`scan repository: ${scan.status} ${await scan.text()}`);
    while ((await jobCount(base, 'scan.artifact', 'queued')) + (await jobCount(base, 'scan.artifact', 'running')) > 0) await sleep(500);
    const failed = await jobCount(base, 'scan.artifact', 'failed');
    if (failed) throw new Error(`${failed} scans failed`);
    const scanAllSeconds = Math.round((performance.now() - t1) / 100) / 10;
    const one = (await (await api(base, `/api/v1/projects/bench/repositories/rematch/artifacts?page_size=1`)).json()) as { digest: string }[];
    const packages = Number((await api(base, `/api/v1/projects/bench/repositories/rematch/artifacts/${one[0]!.digest}/packages?page_size=1`)).headers.get('x-total-count'));
    say(`scanned ${sboms} images (${packages} packages each) in ${scanAllSeconds} s`);

    const imported: string[] = [];
    const rematchJobsMs: number[] = [];
    const vulndb = new VulnDb(berth.db, { jobs: berth.jobs });
    for (const eco of ['Go', 'PyPI']) {
      const result = await vulndb.importFile(path.join(vulndata, 'osv', eco, 'all.zip'), { format: 'osv', source: `osv-${eco}` });
      if (!result.rematch_job_id) throw new Error(`import osv-${eco}: no re-match job`);
      const job = await waitJob(base, result.rematch_job_id);
      imported.push(`osv-${eco} (${result.records} records)`);
      rematchJobsMs.push(job.finishedAt - job.startedAt);
      say(`  import osv-${eco}: ${result.records} records in ${result.duration_ms} ms; re-match job ${job.finishedAt - job.startedAt} ms`);
    }
    return { sboms, packages: packages * sboms, imported, rematchJobsMs, rematchMs: Math.max(...rematchJobsMs), scanAllSeconds };
  } finally {
    await berth.stop();
  }
}
