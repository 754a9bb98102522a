/**
 * Server-side applies per second against a local control plane
 * (test/support/kube-cluster.ts): 1,000 ConfigMaps at concurrency 1, 8 and
 * 32, over HTTP/1.1 keep-alive (a pool of 32 connections) and over HTTP/2
 * (one multiplexed connection), rate limiter off; then the default limiter
 * (qps 50, burst 100) for reference. Each run creates new objects; a second
 * pass re-applies them unchanged (the steady state of a sync).
 *
 *   node bench/kube-apply.ts [count]
 */
import os from 'node:os';
import { startKubeCluster } from '../test/support/kube-cluster.ts';
import type { KubeObject } from '../src/gitops/types.ts';
import { createKubeClient, type KubeClientOptions } from '../src/gitops/kube/client.ts';
import { connectionFromKubeconfig } from '../src/gitops/kube/kubeconfig.ts';

const count = Number(process.argv[2] ?? 1000);
const cluster = await startKubeCluster({ name: 'apply-bench', nodes: 1 });
const conn = connectionFromKubeconfig(cluster.kubeconfig);

async function run(label: string, options: KubeClientOptions, concurrency: number, ns: string): Promise<void> {
  const client = createKubeClient(conn, options);
  try {
    await client.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    const objects: KubeObject[] = Array.from({ length: count }, (_, i) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `cm-${i}`, namespace: ns, labels: { 'app.berth.dev/instance': 'bench' } },
      data: { index: String(i), payload: 'x'.repeat(200) },
    }));
    const rates: string[] = [];
    for (const pass of ['create', 'unchanged']) {
      let next = 0;
      const cpu = process.cpuUsage();
      const started = performance.now();
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < objects.length) await client.apply(objects[next++]!);
        }),
      );
      const s = (performance.now() - started) / 1000;
      const used = process.cpuUsage(cpu);
      rates.push(`${pass} ${(count / s).toFixed(0).padStart(5)}/s (client CPU ${((used.user + used.system) / 1000 / count).toFixed(2)} ms/apply)`);
    }
    console.log(`${label.padEnd(28)} concurrency ${String(concurrency).padStart(2)}: ${rates.join('   ')}`);
  } finally {
    await client.close();
  }
}

console.log(`${count} server-side applies (ConfigMaps) against kube-apiserver ${await createKubeClient(conn).version()} on 127.0.0.1; ${os.cpus().length} CPUs, load ${os.loadavg()[0]!.toFixed(2)}`);
try {
  let n = 0;
  for (const [label, options] of [
    ['HTTP/1.1 keep-alive, no limit', { qps: 0 }],
    ['HTTP/2, no limit', { qps: 0, http2: true }],
  ] as const) {
    for (const c of [1, 8, 32]) await run(label, options, c, `bench-${n++}`);
  }
  await run('HTTP/1.1, qps 50 burst 100', {}, 32, `bench-${n++}`);
} finally {
  await cluster.stop();
}
