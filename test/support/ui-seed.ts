/**
 * Real amounts for the UI's performance figures (test/e2e/ui-performance.test.ts
 * and `npm run bench:ui`), seeded through Berth's public interfaces only:
 *
 * - artifacts: one config blob and one layer blob pushed once, then N small
 *   image manifests that differ by an annotation (so N distinct digests, each
 *   an artifact with a tag) PUT over /v2 with a bounded number in flight;
 * - applications: N Application documents POSTed to /api/v1/applications.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { OciClient, sha256 } from './oci-client.ts';

export interface SeedResult {
  count: number;
  seconds: number;
  perSecond: number;
}

/** Runs `work(i)` for i in [0, count) with at most `concurrency` in flight. */
export async function pool(count: number, concurrency: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await work(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

/** Retries a request that met a transient condition (429, 503, a reset) a few times. */
async function withRetry<T>(what: string, attempt: () => Promise<T>, retryable: (v: T) => boolean): Promise<T> {
  for (let i = 0; ; i++) {
    let v: T | undefined;
    try {
      v = await attempt();
      if (!retryable(v)) return v;
    } catch (err) {
      if (i >= 4) throw err;
    }
    if (i >= 4) throw new Error(`${what}: still failing after ${i + 1} attempts`);
    await delay(100 * 2 ** i);
  }
}

/**
 * Pushes `count` artifacts into `repo` (`project/name`), tagged
 * `<tagPrefix><i>`. Manifests are ~500 bytes; the two blobs are shared.
 */
export async function seedArtifacts(base: string, auth: string, repo: string, count: number, options: { concurrency?: number; tagPrefix?: string } = {}): Promise<SeedResult> {
  const started = performance.now();
  const client = new OciClient(base, auth);
  const config = JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Entrypoint: ['/app'] }, rootfs: { type: 'layers', diff_ids: [sha256('perf layer')] } });
  const layer = 'perf layer';
  const configDigest = await client.pushBlob(repo, config);
  const layerDigest = await client.pushBlob(repo, layer);
  const tagPrefix = options.tagPrefix ?? 'v';
  await pool(count, options.concurrency ?? 16, async (i) => {
    const body = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: Buffer.byteLength(config) },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layerDigest, size: Buffer.byteLength(layer) }],
      annotations: { 'org.opencontainers.image.version': `${tagPrefix}${i}` },
    });
    const res = await withRetry(`push ${repo}:${tagPrefix}${i}`, async () => {
      const r = await client.pushManifest(repo, `${tagPrefix}${i}`, body);
      const text = await r.text();
      return { status: r.status, text };
    }, (r) => r.status === 429 || r.status >= 500);
    if (res.status !== 201) throw new Error(`push ${repo}:${tagPrefix}${i}: ${res.status} ${res.text.slice(0, 300)}`);
  });
  return done(count, started);
}

export interface AppSeedSpec {
  project: string;
  repoURL: string;
  path: string;
  /** A registered cluster's name. */
  cluster: string;
  namePrefix?: string;
}

/** Creates `count` applications `<namePrefix><i>` (namespace = name) through the API. */
export async function seedApplications(base: string, auth: string, count: number, spec: AppSeedSpec, options: { concurrency?: number } = {}): Promise<SeedResult> {
  const started = performance.now();
  const prefix = spec.namePrefix ?? 'app-';
  await pool(count, options.concurrency ?? 8, async (i) => {
    const name = `${prefix}${String(i).padStart(4, '0')}`;
    const document = {
      metadata: { name },
      spec: {
        project: spec.project,
        source: { repoURL: spec.repoURL, targetRevision: 'main', path: spec.path },
        destination: { name: spec.cluster, namespace: name },
        syncPolicy: { syncOptions: ['CreateNamespace=true'] },
      },
    };
    const res = await withRetry(`create application ${name}`, async () => {
      const r = await fetch(`${base}/api/v1/applications`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify(document) });
      return { status: r.status, text: await r.text() };
    }, (r) => r.status === 429 || r.status >= 500);
    if (res.status !== 201) throw new Error(`create application ${name}: ${res.status} ${res.text.slice(0, 300)}`);
  });
  return done(count, started);
}

function done(count: number, started: number): SeedResult {
  const seconds = (performance.now() - started) / 1000;
  return { count, seconds: Math.round(seconds * 100) / 100, perSecond: Math.round(count / seconds) };
}
