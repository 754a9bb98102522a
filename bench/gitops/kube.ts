/**
 * The Kubernetes side of `npm run bench:gitops`: the benchmark's objects, the
 * raw baseline (a minimal parallel server-side-apply loop, no rate limit) and
 * watches that time when the cluster has done its own work (every Deployment
 * Available, a ConfigMap carrying a new value).
 *
 * Everything speaks plain HTTP/1.1 to the apiserver through undici pools with
 * the cluster CA and the admin bearer token: no Berth code is involved, so the
 * baseline measures the apiserver (and the cluster's controllers), not a
 * client library.
 */
import { Pool } from 'undici';

export interface ClusterAccess {
  server: string;
  token: string;
  caData: string;
}

/** A label on every object of the benchmark (in Git and in the raw loop). */
export const BENCH_LABEL = 'bench.berth.dev/app';
/** The image of the benchmark's Deployments (never pulled: kwok runs no containers). */
export const BENCH_IMAGE = 'registry.test/bench/web:1.0';

export type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> } } & Record<string, unknown>;

/** Three ConfigMaps and a Deployment (1 replica) of application `app-<i>`; `value` goes into ConfigMap `-a`. */
export function appObjects(i: number, value = 'v0'): Manifest[] {
  const app = `app-${i}`;
  const labels = { [BENCH_LABEL]: app };
  const cm = (suffix: string, data: Record<string, string>): Manifest => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${app}-${suffix}`, labels }, data });
  return [
    cm('a', { value, greeting: 'hello' }),
    cm('b', { 'app.properties': `app=${app}\nlevel=info\nreplicas=1\n`, payload: 'x'.repeat(256) }),
    cm('c', { 'feature-flags': 'alpha=false\nbeta=true\n' }),
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: app, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: { [BENCH_LABEL]: app } },
        template: {
          metadata: { labels: { [BENCH_LABEL]: app } },
          spec: { containers: [{ name: 'web', image: BENCH_IMAGE, ports: [{ containerPort: 8080 }], env: [{ name: 'APP', value: app }] }] },
        },
      },
    },
  ];
}

/** The REST path of a namespaced object of the benchmark's kinds (or a Namespace). */
export function objectPath(obj: Manifest, namespace: string): string {
  const name = encodeURIComponent(obj.metadata.name);
  switch (obj.kind) {
    case 'Namespace':
      return `/api/v1/namespaces/${name}`;
    case 'ConfigMap':
      return `/api/v1/namespaces/${namespace}/configmaps/${name}`;
    case 'Deployment':
      return `/apis/apps/v1/namespaces/${namespace}/deployments/${name}`;
    default:
      throw new Error(`no path for kind ${obj.kind}`);
  }
}

export function kubePool(c: ClusterAccess, connections: number): Pool {
  return new Pool(c.server, { connections, connect: { ca: c.caData }, pipelining: 1, keepAliveTimeout: 30_000 });
}

function headers(c: ClusterAccess, extra: Record<string, string> = {}): Record<string, string> {
  return { authorization: `Bearer ${c.token}`, accept: 'application/json', ...extra };
}

/** One server-side apply: PATCH application/apply-patch+yaml, fieldManager=raw, force. */
async function applyRaw(pool: Pool, c: ClusterAccess, obj: Manifest, namespace: string): Promise<void> {
  const body = JSON.stringify(obj.kind === 'Namespace' ? obj : { ...obj, metadata: { ...obj.metadata, namespace } });
  const res = await pool.request({
    path: `${objectPath(obj, namespace)}?fieldManager=raw&force=true`,
    method: 'PATCH',
    headers: headers(c, { 'content-type': 'application/apply-patch+yaml' }),
    body,
  });
  const text = await res.body.text();
  if (res.statusCode >= 300) throw new Error(`apply ${obj.kind} ${namespace}/${obj.metadata.name}: HTTP ${res.statusCode} ${text.slice(0, 300)}`);
}

export interface RawResult {
  apps: number;
  concurrency: number;
  requests: number;
  /** Seconds from the first request to the last apply answered. */
  appliedSeconds: number;
  /** Seconds from the first request to every Deployment Available (watch). */
  availableSeconds: number;
  errors: number;
}

/**
 * The baseline: `concurrency` workers take applications in turn; each applies
 * the Namespace `raw-<i>`, then its four objects at once. Times until the last
 * apply is answered and until a watch has seen every Deployment Available.
 */
export async function rawApplyLoop(c: ClusterAccess, apps: number, concurrency: number, timeoutMs: number): Promise<RawResult> {
  const pool = kubePool(c, concurrency * 4);
  const avail = await watchDeploymentsAvailable(c, apps);
  let next = 0;
  let requests = 0;
  let errors = 0;
  const started = performance.now();
  try {
    const worker = async () => {
      for (;;) {
        const i = next++;
        if (i >= apps) return;
        const ns = `raw-${i}`;
        const attempt = async (obj: Manifest, namespace: string) => {
          // A retry or two for 409/429/5xx from an overloaded apiserver; counted.
          for (let tries = 0; ; tries++) {
            requests++;
            try {
              await applyRaw(pool, c, obj, namespace);
              return;
            } catch (err) {
              errors++;
              if (tries >= 4) throw err;
              await new Promise((r) => setTimeout(r, 200 * (tries + 1)));
            }
          }
        };
        await attempt({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }, ns);
        await Promise.all(appObjects(i).map((o) => attempt(o, ns)));
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, apps) }, worker));
    const appliedSeconds = (performance.now() - started) / 1000;
    await avail.done(timeoutMs);
    const availableSeconds = (avail.allAt! - started) / 1000;
    return { apps, concurrency, requests, appliedSeconds, availableSeconds, errors };
  } finally {
    avail.close();
    await pool.close();
  }
}

// ---------------------------------------------------------------------------
// watches

export interface WatchEvent<T> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T;
}

/**
 * A streaming watch (`?watch=1`, no resourceVersion: the current state first
 * as ADDED). `onEvent` sees every event; resolves once the stream is open.
 */
export async function watch<T>(c: ClusterAccess, path: string, onEvent: (e: WatchEvent<T>) => void): Promise<{ close(): void; ended: Promise<void> }> {
  const pool = new Pool(c.server, { connections: 1, connect: { ca: c.caData } });
  const abort = new AbortController();
  const sep = path.includes('?') ? '&' : '?';
  const res = await pool.request({ path: `${path}${sep}watch=1&timeoutSeconds=3600`, method: 'GET', headers: headers(c), signal: abort.signal, headersTimeout: 30_000, bodyTimeout: 0 });
  if (res.statusCode !== 200) {
    const text = await res.body.text();
    await pool.close();
    throw new Error(`watch ${path}: HTTP ${res.statusCode} ${text.slice(0, 300)}`);
  }
  const ended = (async () => {
    let buf = '';
    try {
      for await (const chunk of res.body) {
        buf += (chunk as Buffer).toString('utf8');
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (line.trim()) onEvent(JSON.parse(line) as WatchEvent<T>);
        }
      }
    } catch (err) {
      if (!abort.signal.aborted) throw err;
    }
  })();
  ended.catch(() => {});
  return {
    close: () => {
      abort.abort();
      void pool.destroy().catch(() => {});
    },
    ended,
  };
}

interface DeploymentLike {
  metadata: { name: string; namespace: string; generation?: number };
  status?: { observedGeneration?: number; availableReplicas?: number; conditions?: { type: string; status: string }[] };
}

const isAvailable = (d: DeploymentLike) =>
  (d.status?.availableReplicas ?? 0) >= 1 && (d.status?.observedGeneration ?? 0) >= (d.metadata.generation ?? 1) && !!d.status?.conditions?.some((x) => x.type === 'Available' && x.status === 'True');

/**
 * Watches every Deployment carrying BENCH_LABEL across the cluster and
 * records when `expected` of them are Available at once.
 */
export async function watchDeploymentsAvailable(c: ClusterAccess, expected: number): Promise<{ count(): number; allAt?: number; done(timeoutMs: number): Promise<void>; close(): void }> {
  const available = new Set<string>();
  let resolveAll!: () => void;
  const all = new Promise<void>((r) => (resolveAll = r));
  const state: { allAt?: number } = {};
  const w = await watch<DeploymentLike>(c, `/apis/apps/v1/deployments?labelSelector=${encodeURIComponent(BENCH_LABEL)}`, (e) => {
    if (e.type === 'ERROR' || e.type === 'BOOKMARK') return;
    const key = `${e.object.metadata.namespace}/${e.object.metadata.name}`;
    if (e.type !== 'DELETED' && isAvailable(e.object)) available.add(key);
    else available.delete(key);
    if (available.size >= expected && state.allAt === undefined) {
      state.allAt = performance.now();
      resolveAll();
    }
  });
  return {
    count: () => available.size,
    get allAt() {
      return state.allAt;
    },
    async done(timeoutMs: number) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`only ${available.size} of ${expected} Deployments Available after ${timeoutMs / 1000} s`)), timeoutMs);
      });
      const streamEnd = w.ended.then(() => {
        throw new Error('the Deployment watch ended early');
      });
      try {
        await Promise.race([all, timeout, streamEnd]);
      } finally {
        clearTimeout(timer);
      }
    },
    close: () => w.close(),
  };
}

interface ConfigMapLike {
  metadata: { name: string; namespace: string };
  data?: Record<string, string>;
}

/**
 * Watches one ConfigMap; `until(value)` resolves with performance.now() when
 * the watch has delivered data.value === value (at once if it already has).
 */
export async function watchConfigMapValue(c: ClusterAccess, namespace: string, name: string): Promise<{ until(value: string, timeoutMs: number): Promise<number>; close(): void }> {
  const seen = new Map<string, number>();
  const waiters = new Map<string, (t: number) => void>();
  let opened!: () => void;
  const first = new Promise<void>((r) => (opened = r));
  const w = await watch<ConfigMapLike>(c, `/api/v1/namespaces/${namespace}/configmaps?fieldSelector=${encodeURIComponent(`metadata.name=${name}`)}`, (e) => {
    if (e.type === 'ADDED' || e.type === 'MODIFIED') {
      const t = performance.now();
      const v = e.object.data?.value;
      if (v !== undefined && !seen.has(v)) seen.set(v, t);
      if (v !== undefined) waiters.get(v)?.(t);
      opened();
    }
  });
  // The initial ADDED event: the watch is in place and current.
  await Promise.race([first, new Promise((r) => setTimeout(r, 5000))]);
  return {
    until: (value, timeoutMs) =>
      new Promise<number>((resolve, reject) => {
        const at = seen.get(value);
        if (at !== undefined) return resolve(at);
        const timer = setTimeout(() => {
          waiters.delete(value);
          reject(new Error(`ConfigMap ${namespace}/${name} did not get value ${value} within ${timeoutMs / 1000} s`));
        }, timeoutMs);
        waiters.set(value, (t) => {
          clearTimeout(timer);
          waiters.delete(value);
          resolve(t);
        });
      }),
    close: () => w.close(),
  };
}
