/**
 * Runs a throwaway Kubernetes control plane (test/support/kube-cluster.ts:
 * etcd + kube-apiserver + kube-controller-manager + kube-scheduler + kwok fake
 * nodes, all on 127.0.0.1) in the foreground, for trying Berth against by hand.
 *
 *   node scripts/kube-cluster.ts up [--name NAME] [--nodes K]
 *
 * Prints the admin kubeconfig's path on stdout (one line; details go to
 * stderr), then stays up until SIGINT (Ctrl-C) or SIGTERM, and removes
 * everything it started. Needs the peers built by test/peers/kubernetes.sh,
 * kwok.sh and etcd.sh (built on demand, slow when cold).
 *
 *   export KUBECONFIG="$(node scripts/kube-cluster.ts up | head -n1)"   # in another shell, or:
 *   node scripts/kube-cluster.ts up > /tmp/kc & ... ; kubectl --kubeconfig "$(cat /tmp/kc)" get nodes
 */
import { parseArgs } from 'node:util';
import { startKubeCluster } from '../test/support/kube-cluster.ts';

const usage = 'usage: node scripts/kube-cluster.ts up [--name NAME] [--nodes K]';

function fail(message: string): never {
  process.stderr.write(`${message}\n${usage}\n`);
  process.exit(2);
}

let parsed;
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: { name: { type: 'string' }, nodes: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
} catch (err) {
  fail((err as Error).message);
}
const { values, positionals } = parsed;
if (values.help) {
  process.stdout.write(`${usage}\n`);
  process.exit(0);
}
if (positionals.length !== 1 || positionals[0] !== 'up') fail(`unknown command: ${positionals.join(' ') || '(none)'}`);
const nodes = values.nodes === undefined ? 2 : Number(values.nodes);
if (!Number.isInteger(nodes) || nodes < 0 || nodes > 100) fail(`--nodes must be an integer from 0 to 100, not ${values.nodes}`);

process.stderr.write('starting the control plane (etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok)...\n');
const cluster = await startKubeCluster({ nodes, ...(values.name ? { name: values.name } : {}) }).catch((err: unknown) => {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
});

// The cluster's processes are unref()ed: keep this one alive until told to stop.
const keepAlive = setInterval(() => {}, 1 << 30);
let stopping = false;
const shutdown = (signal: NodeJS.Signals) => {
  if (stopping) return;
  stopping = true;
  process.stderr.write(`${signal}: stopping cluster ${cluster.name}...\n`);
  cluster.stop().then(
    () => {
      clearInterval(keepAlive);
      process.stderr.write('stopped\n');
      process.exit(0);
    },
    (err: unknown) => {
      process.stderr.write(`stop failed: ${(err as Error).message}\n`);
      process.exit(1);
    },
  );
};
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, shutdown);

process.stdout.write(`${cluster.kubeconfigPath}\n`);
process.stderr.write(
  [
    `cluster ${cluster.name} is up in ${(cluster.startupMs / 1000).toFixed(1)} s`,
    `  server:     ${cluster.server}`,
    `  kubeconfig: ${cluster.kubeconfigPath}   (admin, bearer token, group system:masters)`,
    `  logs:       ${cluster.dir}/*.log`,
    `  try:        kubectl --kubeconfig ${cluster.kubeconfigPath} get nodes`,
    'Ctrl-C (SIGINT) or SIGTERM stops it and removes the directory.',
    '',
  ].join('\n'),
);
