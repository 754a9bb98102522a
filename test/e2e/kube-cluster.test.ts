/**
 * The Kubernetes test control plane itself (test/support/kube-cluster.ts):
 * two clusters started at the same time, a Deployment + Service + ConfigMap
 * applied with kubectl whose Pods are scheduled onto kwok's fake Nodes and
 * reach Running/Ready, the bearer token and CA that Berth's own clients will
 * use, and the independence of the two clusters.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import https from 'node:https';
import { after, before, describe, test } from 'node:test';
import { skipUnlessKubePeers, startKubeCluster, type KubeCluster } from '../support/kube-cluster.ts';

const skip = skipUnlessKubePeers();

const MANIFEST = `apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
  namespace: default
data:
  greeting: hello from berth
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: default
spec:
  replicas: 2
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      containers:
      - name: web
        image: registry.invalid/berth/web:1.0.0
        ports: [{ containerPort: 8080 }]
        envFrom: [{ configMapRef: { name: web-config } }]
        readinessProbe:
          httpGet: { path: /healthz, port: 8080 }
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: default
spec:
  selector: { app: web }
  ports: [{ port: 80, targetPort: 8080 }]
`;

interface Pod {
  metadata: { name: string };
  spec: { nodeName?: string };
  status: { phase?: string; conditions?: { type: string; status: string }[]; containerStatuses?: { ready: boolean; started?: boolean }[] };
}

/** GET with the cluster's CA and bearer token (what a Berth client does), no kubectl. */
function get(cluster: KubeCluster, urlPath: string, token = cluster.token): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    https
      .get(`${cluster.server}${urlPath}`, { ca: cluster.caData, headers: { authorization: `Bearer ${token}` } }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('kube test cluster (etcd + kube-apiserver + controller-manager + scheduler + kwok)', { skip, timeout: 300_000 }, () => {
  let alpha: KubeCluster;
  let beta: KubeCluster;
  let bothStartedMs = 0;

  before(async () => {
    const started = Date.now();
    // Two clusters started concurrently.
    const results = await Promise.allSettled([startKubeCluster({ name: 'alpha' }), startKubeCluster({ name: 'beta', nodes: 1 })]);
    for (const r of results) {
      if (r.status !== 'fulfilled') continue;
      if (r.value.name === 'alpha') alpha = r.value;
      else beta = r.value;
    }
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    bothStartedMs = Date.now() - started;
  });

  after(async () => {
    await Promise.all([alpha?.stop(), beta?.stop()]);
  });

  test('both clusters start (timings)', (t) => {
    t.diagnostic(`alpha (2 nodes) ready in ${alpha.startupMs} ms: ${JSON.stringify(alpha.startupSteps)}`);
    t.diagnostic(`beta (1 node) ready in ${beta.startupMs} ms: ${JSON.stringify(beta.startupSteps)}`);
    t.diagnostic(`both, started concurrently: ${bothStartedMs} ms`);
    for (const c of [alpha, beta]) {
      assert.match(c.server, /^https:\/\/127\.0\.0\.1:\d+$/);
      assert.match(c.caData, /^-----BEGIN CERTIFICATE-----/);
      assert.ok(c.kubeconfig.includes(`server: ${c.server}`));
      assert.ok(c.kubeconfig.includes(`token: ${c.token}`));
    }
  });

  test('the bearer token is a cluster admin; the apiserver is v1.33', async () => {
    const version = await get(alpha, '/version');
    assert.equal(version.status, 200);
    assert.match((JSON.parse(version.body) as { gitVersion: string }).gitVersion, /^v1\.33\./);
    // system:masters can do anything, including cluster-scoped writes.
    const review = await alpha.kubectl(['auth', 'can-i', '*', '*', '--all-namespaces']);
    assert.equal(review.trim(), 'yes');
    assert.equal((await get(alpha, '/api/v1/namespaces', 'not-a-token')).status, 401);
  });

  test('the kwok Nodes are Ready and schedulable', async () => {
    const nodes = JSON.parse(await alpha.kubectl(['get', 'nodes', '-o', 'json'])) as {
      items: { metadata: { name: string; annotations: Record<string, string> }; spec: { taints?: unknown[] }; status: { conditions: { type: string; status: string }[] } }[];
    };
    assert.deepEqual(nodes.items.map((n) => n.metadata.name).sort(), ['kwok-node-0', 'kwok-node-1']);
    for (const n of nodes.items) {
      assert.equal(n.metadata.annotations['kwok.x-k8s.io/node'], 'fake');
      assert.equal(n.status.conditions.find((c) => c.type === 'Ready')?.status, 'True');
      assert.deepEqual(n.spec.taints ?? [], []);
    }
  });

  test('a Deployment with 2 replicas, a Service and a ConfigMap: Pods Running and Ready on kwok nodes', async (t) => {
    const started = Date.now();
    const applied = await alpha.kubectl(['apply', '-f', '-'], { input: MANIFEST });
    assert.match(applied, /configmap\/web-config created/);
    assert.match(applied, /deployment.apps\/web created/);
    assert.match(applied, /service\/web created/);

    const deployment = await until('deployment web: availableReplicas 2', 60_000, async () => {
      const d = JSON.parse(await alpha.kubectl(['get', 'deployment', 'web', '-o', 'json'])) as { status: { availableReplicas?: number; readyReplicas?: number; replicas?: number } };
      return d.status.availableReplicas === 2 ? d : undefined;
    });
    t.diagnostic(`deployment available in ${Date.now() - started} ms after kubectl apply`);
    assert.equal(deployment.status.readyReplicas, 2);
    assert.equal(deployment.status.replicas, 2);

    const pods = (JSON.parse(await alpha.kubectl(['get', 'pods', '-l', 'app=web', '-o', 'json'])) as { items: Pod[] }).items;
    assert.equal(pods.length, 2);
    for (const pod of pods) {
      assert.equal(pod.status.phase, 'Running', pod.metadata.name);
      assert.equal(pod.status.conditions?.find((c) => c.type === 'Ready')?.status, 'True', pod.metadata.name);
      assert.ok(pod.status.containerStatuses?.every((c) => c.ready));
      assert.match(pod.spec.nodeName ?? '', /^kwok-node-[01]$/);
    }

    // A ReplicaSet owns them (the controller-manager did its job), the Service got a ClusterIP.
    const rs = JSON.parse(await alpha.kubectl(['get', 'replicasets', '-l', 'app=web', '-o', 'json'])) as { items: { status: { readyReplicas?: number } }[] };
    assert.equal(rs.items.length, 1);
    assert.equal(rs.items[0]?.status.readyReplicas, 2);
    const svc = JSON.parse(await alpha.kubectl(['get', 'service', 'web', '-o', 'json'])) as { spec: { clusterIP: string } };
    assert.match(svc.spec.clusterIP, /^10\.96\./);
    assert.equal((await alpha.kubectl(['get', 'configmap', 'web-config', '-o', 'jsonpath={.data.greeting}'])).trim(), 'hello from berth');

    // ServiceAccount machinery: the Pods were admitted with the default SA's projected token.
    const sa = await get(alpha, '/api/v1/namespaces/default/serviceaccounts/default');
    assert.equal(sa.status, 200);
  });

  test('the two clusters are independent', async () => {
    assert.notEqual(alpha.server, beta.server);
    assert.notEqual(alpha.caData, beta.caData);
    assert.notEqual(alpha.dir, beta.dir);
    // An object of one is absent in the other.
    assert.equal((await get(alpha, '/api/v1/namespaces/default/configmaps/web-config')).status, 200);
    assert.equal((await get(beta, '/api/v1/namespaces/default/configmaps/web-config')).status, 404);
    await beta.kubectl(['create', 'namespace', 'only-in-beta']);
    assert.equal((await get(beta, '/api/v1/namespaces/only-in-beta')).status, 200);
    assert.equal((await get(alpha, '/api/v1/namespaces/only-in-beta')).status, 404);
    // Each has its own nodes and trusts only its own credentials.
    assert.deepEqual((await beta.kubectl(['get', 'nodes', '-o', 'name'])).trim().split('\n'), ['node/kwok-node-0']);
    assert.equal((await get(beta, '/api/v1/namespaces', alpha.token)).status, 401);
  });

  test('stop() removes the cluster', async () => {
    const dir = beta.dir;
    await beta.stop();
    assert.equal(existsSync(dir), false);
    await assert.rejects(get(beta, '/version'));
    await beta.stop(); // idempotent
  });
});
