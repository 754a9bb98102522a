/**
 * Fixture for delivery end-to-end tests: a real Berth, a real Kubernetes
 * control plane (test/support/kube-cluster.ts), a real Git server over HTTP
 * (test/support/git-server.ts), and a small admin client for /api/v1.
 */
import { createHmac } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { stringify } from 'yaml';
import { startGitServer, type GitServer } from './git-server.ts';
import { startKubeCluster, type KubeCluster } from './kube-cluster.ts';
import { basicAuth, startTestBerth, type TestBerth } from './berth.ts';
import { findPeer } from './peers.ts';

export const WEBHOOK_SECRET = 'github-webhook-secret-for-tests';

export interface ApiAnswer<T = any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  status: number;
  body: T;
}

export interface DeliveryWorld {
  berth: TestBerth;
  git: GitServer;
  cluster: KubeCluster;
  api<T = any>(method: string, path: string, body?: unknown): Promise<ApiAnswer<T>>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Posts a GitHub push webhook for `repo` and branch `main`, signed with WEBHOOK_SECRET. */
  pushWebhook(repo: string, branch?: string): Promise<ApiAnswer>;
  stop(): Promise<void>;
}

export async function until<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 60_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await delay(everyMs);
  }
}

export function yamlDocs(...objects: object[]): string {
  return objects.map((o) => stringify(o)).join('---\n');
}

export async function startDeliveryWorld(options: { env?: Record<string, string>; cluster?: KubeCluster } = {}): Promise<DeliveryWorld> {
  const kustomize = findPeer('kustomize');
  const helm = findPeer('helm');
  const cluster = options.cluster ?? (await startKubeCluster());
  const git = await startGitServer();
  const berth = await startTestBerth({
    BERTH_GIT_WEBHOOK_SECRET_GITHUB: WEBHOOK_SECRET,
    BERTH_GITOPS_SELF_HEAL_SECONDS: '1',
    BERTH_GITOPS_STEP_TIMEOUT_SECONDS: '60',
    BERTH_GITOPS_IN_CLUSTER: 'false',
    ...(kustomize instanceof Error ? {} : { BERTH_KUSTOMIZE_PATH: kustomize }),
    ...(helm instanceof Error ? {} : { BERTH_HELM_PATH: helm }),
    ...options.env,
  });
  const api = async (method: string, path: string, body?: unknown): Promise<ApiAnswer> => {
    const res = await fetch(`${berth.url}/api/v1${path}`, {
      method,
      headers: { authorization: basicAuth(), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
  };
  const must = async (method: string, path: string, body?: unknown) => {
    const r = await api(method, path, body);
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r;
  };
  await must('POST', '/clusters', { name: cluster.name, server: cluster.server, bearerToken: cluster.token, caData: cluster.caData });
  await must('POST', '/projects', { name: 'team' });
  await must('PUT', '/projects/team/delivery', {
    sourceRepos: ['*'],
    destinations: [{ server: '*', namespace: '*' }],
    clusterResourceWhitelist: [{ group: '*', kind: '*' }],
  });
  return {
    berth,
    git,
    cluster,
    api,
    async pushWebhook(repo, branch = 'main') {
      const payload = Buffer.from(JSON.stringify({ ref: `refs/heads/${branch}`, repository: { html_url: git.url(repo).replace(/\.git$/, ''), clone_url: git.url(repo) } }));
      const res = await fetch(`${berth.url}/api/v1/webhooks/git`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-github-event': 'push',
          'x-hub-signature-256': `sha256=${createHmac('sha256', WEBHOOK_SECRET).update(payload).digest('hex')}`,
        },
        body: payload,
      });
      const text = await res.text();
      return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
    },
    async stop() {
      await berth.stop();
      await git.stop();
      if (!options.cluster) await cluster.stop();
    },
  };
}

/** An Application document for the API. */
export function application(name: string, spec: { repo: string; path: string; namespace: string; cluster?: string; automated?: { prune?: boolean; selfHeal?: boolean; allowEmpty?: boolean }; syncOptions?: string[]; extra?: Record<string, unknown>; source?: Record<string, unknown> }, world: DeliveryWorld): object {
  return {
    metadata: { name },
    spec: {
      project: 'team',
      source: { repoURL: world.git.url(spec.repo), targetRevision: 'main', path: spec.path, ...spec.source },
      destination: { name: spec.cluster ?? world.cluster.name, namespace: spec.namespace },
      syncPolicy: { ...(spec.automated ? { automated: spec.automated } : {}), syncOptions: spec.syncOptions ?? ['CreateNamespace=true'] },
      ...spec.extra,
    },
  };
}
