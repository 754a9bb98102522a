/**
 * A real, throwaway Kubernetes control plane for tests: etcd +
 * kube-apiserver + kube-controller-manager + kube-scheduler (v1.33, built by
 * test/peers/kubernetes.sh) with kwok simulating the nodes, all on free
 * loopback ports, rootless, in one temporary directory. No kubelet and no
 * containers: kwok moves Pods bound to its fake Nodes to Running/Ready.
 *
 *   const cluster = await startKubeCluster({ nodes: 2 });
 *   await cluster.kubectl(['apply', '-f', '-'], { input: manifestYaml });
 *   await cluster.stop();
 *
 * Several clusters can run at once (each has its own etcd, ports, CA and
 * directory). See docs/control-plane.md for the flags and why they were
 * chosen, and for measured start times.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, statfsSync, writeFileSync, accessSync, constants } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './net.ts';
import { findPeer } from './peers.ts';

const run = promisify(execFile);

export interface KubeCluster {
  name: string;
  /** https://127.0.0.1:PORT */
  server: string;
  kubeconfigPath: string;
  /** The admin kubeconfig (YAML; CA and bearer token inline). */
  kubeconfig: string;
  /** The cluster CA certificate (PEM). */
  caData: string;
  /** Bearer token of user `berth-admin` in group system:masters. */
  token: string;
  /** The cluster's temporary directory (certificates, kubeconfigs, logs, etcd data). */
  dir: string;
  /** Milliseconds from the call of startKubeCluster() to ready. */
  startupMs: number;
  /** Milliseconds from the call of startKubeCluster() to each startup step (certificates, apiserver ready, ...). */
  startupSteps: Record<string, number>;
  /**
   * Runs kubectl with the admin kubeconfig; resolves to its stdout, rejects
   * with an Error carrying its stderr. `input` is written to its stdin (for
   * `apply -f -`).
   */
  kubectl(args: string[], options?: { input?: string; timeoutMs?: number }): Promise<string>;
  /** Kills every process of the cluster and removes `dir`. Idempotent. */
  stop(): Promise<void>;
}

export interface KubeClusterOptions {
  /** Cluster (and kubeconfig context) name; default berth-1, berth-2, ... */
  name?: string;
  /** Number of kwok fake Nodes, named kwok-node-0..N-1; default 2. */
  nodes?: number;
  /** Milliseconds to wait for the whole cluster; default 120 s. */
  timeoutMs?: number;
}

const TEMP_PREFIX = 'berth-kube-';
const STAGES = path.join(import.meta.dirname, '..', 'peers', 'kwok-stages.yaml');
type Component = 'etcd' | 'kube-apiserver' | 'kube-controller-manager' | 'kube-scheduler' | 'kwok';

interface Peers {
  kubeDir: string;
  kwok: string;
  etcd: string;
}

function findKubePeers(): Peers | Error {
  const kubeDir = findPeer('kubernetes');
  if (kubeDir instanceof Error) return kubeDir;
  for (const bin of ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl']) {
    try {
      accessSync(path.join(kubeDir, bin), constants.X_OK);
    } catch {
      return new Error(`peer kubernetes is incomplete: ${path.join(kubeDir, bin)} is missing`);
    }
  }
  const kwok = findPeer('kwok');
  if (kwok instanceof Error) return kwok;
  const etcd = findPeer('etcd');
  if (etcd instanceof Error) return etcd;
  return { kubeDir, kwok, etcd };
}

/** For node:test `skip`: false when every control-plane peer exists, else why not. Throws in CI. */
export function skipUnlessKubePeers(): false | string {
  const peers = findKubePeers();
  return peers instanceof Error ? peers.message : false;
}

// ---------------------------------------------------------------------------
// Process bookkeeping: every child runs in its own process group; all groups
// are SIGKILLed on stop(), on process exit, and (via a watchdog reading a pipe
// from us) when this process dies without running exit handlers.

const live = new Set<{ killSync(): void }>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const c of live) c.killSync();
  });
}

function killGroup(pid: number | undefined): void {
  if (!pid) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
}

/** Ports handed out by this process: clusters started concurrently must not get the same one. */
const handedOut = new Set<number>();

/** Picks `n` distinct free loopback ports. */
async function freePorts(n: number): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < n) {
    const port = await freePort();
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    ports.push(port);
  }
  return ports;
}

function tail(file: string, lines = 25): string {
  try {
    const text = readFileSync(file, 'utf8').trimEnd().split('\n');
    return text.slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** A temporary directory on tmpfs when there is one (etcd fsyncs; etcd 3.4 has no --unsafe-no-fsync). */
function tempRoot(): string {
  const override = process.env.BERTH_KUBE_TMPDIR;
  if (override) return override;
  try {
    accessSync('/dev/shm', constants.W_OK);
    // A container's default /dev/shm is 64 MiB; etcd preallocates 64 MiB per cluster.
    const fs = statfsSync('/dev/shm');
    if (fs.bavail * fs.bsize >= 1024 ** 3) return '/dev/shm';
  } catch {
    // not there or not writable
  }
  return os.tmpdir();
}

// ---------------------------------------------------------------------------
// Certificates (openssl, ECDSA P-256: key generation is instant).

async function openssl(dir: string, args: string[]): Promise<void> {
  try {
    await run('openssl', args, { cwd: dir, encoding: 'utf8', timeout: 30_000 });
  } catch (err) {
    const e = err as Error & { stderr?: string };
    throw new Error(`openssl ${args.slice(0, 2).join(' ')} failed: ${e.stderr ?? e.message}`, { cause: err });
  }
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

async function makeCertificates(dir: string): Promise<void> {
  await openssl(dir, ['req', '-x509', ...EC, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '30', '-subj', '/CN=berth-test-kubernetes-ca', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature']);
  // Leaf certificates signed by the CA in one `req -x509 -CA` each (OpenSSL ≥ 3.0).
  const leaf = (base: string, subj: string, ext: string[]) =>
    openssl(dir, ['req', '-x509', ...EC, '-keyout', `${base}.key`, '-out', `${base}.crt`, '-days', '30', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-subj', subj, '-addext', 'basicConstraints=critical,CA:FALSE', '-addext', 'keyUsage=critical,digitalSignature,keyEncipherment', ...ext.flatMap((e) => ['-addext', e])]);
  const client = ['extendedKeyUsage=clientAuth'];
  await Promise.all([
    leaf('apiserver', '/CN=kube-apiserver', ['extendedKeyUsage=serverAuth', 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,IP:10.96.0.1']),
    leaf('admin', '/O=system:masters/CN=berth-admin', client),
    leaf('controller-manager', '/CN=system:kube-controller-manager', client),
    leaf('scheduler', '/CN=system:kube-scheduler', client),
    // The ServiceAccount token signing key pair.
    openssl(dir, ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'sa.key']).then(() => openssl(dir, ['pkey', '-in', 'sa.key', '-pubout', '-out', 'sa.pub'])),
  ]);
}

function kubeconfigYaml(name: string, server: string, caPem: string, user: { token: string } | { cert: string; key: string }): string {
  const credentials = 'token' in user ? `    token: ${user.token}\n` : `    client-certificate: ${user.cert}\n    client-key: ${user.key}\n`;
  return `apiVersion: v1
kind: Config
clusters:
- name: ${name}
  cluster:
    server: ${server}
    certificate-authority-data: ${Buffer.from(caPem).toString('base64')}
users:
- name: ${name}-admin
  user:
${credentials}contexts:
- name: ${name}
  context:
    cluster: ${name}
    user: ${name}-admin
current-context: ${name}
`;
}

// ---------------------------------------------------------------------------
// A tiny API client (node:https with the cluster CA and the admin token).

interface ApiResponse {
  status: number;
  body: string;
}

function api(server: string, ca: string, token: string, method: string, urlPath: string, body?: unknown): Promise<ApiResponse> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = https.request(
      `${server}${urlPath}`,
      {
        method,
        ca,
        headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(data ? { 'content-type': 'application/json' } : {}) },
        timeout: 10_000,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${urlPath}: timeout`)));
    req.on('error', reject);
    req.end(data);
  });
}

function fakeNode(name: string): unknown {
  const resources = { cpu: '32', memory: '256Gi', pods: '110', 'ephemeral-storage': '100Gi' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
      labels: {
        'beta.kubernetes.io/arch': 'amd64',
        'beta.kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/role': 'agent',
        'node-role.kubernetes.io/agent': '',
        type: 'kwok',
      },
    },
    spec: {},
    status: {
      allocatable: resources,
      capacity: resources,
      nodeInfo: { architecture: 'amd64', kubeletVersion: 'v1.33.13-kwok', kubeProxyVersion: 'v1.33.13-kwok', operatingSystem: 'linux' },
      phase: 'Running',
    },
  };
}

interface NodeList {
  items: { metadata: { name: string }; spec?: { taints?: { key: string }[] }; status?: { conditions?: { type: string; status: string }[] } }[];
}

// ---------------------------------------------------------------------------

let counter = 0;

export async function startKubeCluster(options: KubeClusterOptions = {}): Promise<KubeCluster> {
  const started = Date.now();
  const name = options.name ?? `berth-${++counter}`;
  const nodeCount = options.nodes ?? 2;
  const deadline = started + (options.timeoutMs ?? 120_000);
  const peers = findKubePeers();
  if (peers instanceof Error) throw peers;
  const bin = (b: string) => path.join(peers.kubeDir, b);
  installExitHook();

  const dir = await mkdtemp(path.join(tempRoot(), TEMP_PREFIX));
  const children = new Map<Component, ChildProcess>();
  let watchdog: ChildProcess | undefined;
  let stopped = false;
  const killAllSync = () => {
    for (const c of children.values()) killGroup(c.pid);
    if (watchdog) killGroup(watchdog.pid);
  };
  const handle = {
    killSync() {
      stopped = true;
      killAllSync();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  live.add(handle);

  const stop = async () => {
    if (stopped) return;
    stopped = true;
    live.delete(handle);
    killAllSync();
    // The children are unref()ed: poll (with a ref()ed timer) until they are reaped.
    const until = Date.now() + 5_000;
    while ([...children.values()].some((c) => c.exitCode === null && c.signalCode === null) && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 20));
    }
    await rm(dir, { recursive: true, force: true });
  };

  const steps: Record<string, number> = {};
  const step = (what: string) => (steps[what] = Date.now() - started);
  const logOf = (c: Component) => path.join(dir, `${c}.log`);
  const failure = (what: string, logs: Component[], cause?: unknown) =>
    new Error(`kube cluster ${name}: ${what}\n${logs.map((c) => `--- ${logOf(c)} (tail) ---\n${tail(logOf(c))}`).join('\n')}`, { cause });

  // The first component to exit during startup aborts it.
  let died: ((err: Error) => void) | undefined;
  const death = new Promise<never>((_, reject) => (died = reject));
  death.catch(() => {});

  const launch = (component: Component, command: string, args: string[]) => {
    const fd = openSync(logOf(component), 'a');
    try {
      writeFileSync(fd, `$ ${command} ${args.join(' ')}\n`);
      const child = spawn(command, args, { cwd: dir, detached: true, stdio: ['ignore', fd, fd], env: { ...process.env, HOME: dir } });
      child.unref();
      children.set(component, child);
      watchdog?.stdin?.write(`${child.pid}\n`);
      child.once('exit', (code, signal) => {
        if (!stopped) died?.(failure(`${component} exited (${signal ?? `code ${code}`}) during startup`, [component]));
      });
      child.once('error', (err) => died?.(failure(`${component} could not be started: ${err.message}`, [component], err)));
    } finally {
      closeSync(fd);
    }
  };

  const withDeath = <T>(p: Promise<T>) => Promise.race([p, death]);

  /** Polls `check` (true = done) until the deadline; on timeout, fails with the logs of `logs`. */
  const waitFor = async (what: string, logs: Component[], check: () => Promise<boolean>) => {
    let lastError: unknown;
    for (;;) {
      try {
        if (await withDeath(check())) return;
      } catch (err) {
        if (err instanceof Error && err.message.startsWith(`kube cluster ${name}:`)) throw err;
        lastError = err;
      }
      if (Date.now() > deadline) throw failure(`timed out waiting for ${what}${lastError ? ` (last error: ${(lastError as Error).message})` : ''}`, logs, lastError);
      await withDeath(new Promise((r) => setTimeout(r, 100)));
    }
  };

  try {
    // Kills every process group we report on its stdin once that pipe closes,
    // i.e. when this process dies, however it dies (SIGKILL included), and
    // removes the directory.
    watchdog = spawn('bash', ['-c', 'pids=(); while read -r p; do pids+=("$p"); done; for p in "${pids[@]}"; do kill -KILL -- "-$p" 2>/dev/null; done; rm -rf -- "$1"', 'berth-kube-watchdog', dir], {
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    watchdog.unref();
    (watchdog.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    watchdog.stdin?.on('error', () => {});

    const token = randomBytes(24).toString('hex');
    const [etcdClientPort, etcdPeerPort, apiPort] = (await freePorts(3)) as [number, number, number];
    const server = `https://127.0.0.1:${apiPort}`;
    await makeCertificates(dir);
    step('certificates');
    const caData = await readFile(path.join(dir, 'ca.crt'), 'utf8');
    const kubeconfig = kubeconfigYaml(name, server, caData, { token });
    const kubeconfigPath = path.join(dir, 'admin.kubeconfig');
    await Promise.all([
      writeFile(kubeconfigPath, kubeconfig, { mode: 0o600 }),
      writeFile(path.join(dir, 'controller-manager.kubeconfig'), kubeconfigYaml(name, server, caData, { cert: path.join(dir, 'controller-manager.crt'), key: path.join(dir, 'controller-manager.key') })),
      writeFile(path.join(dir, 'scheduler.kubeconfig'), kubeconfigYaml(name, server, caData, { cert: path.join(dir, 'scheduler.crt'), key: path.join(dir, 'scheduler.key') })),
      writeFile(path.join(dir, 'tokens.csv'), `${token},berth-admin,berth-admin,"system:masters"\n`, { mode: 0o600 }),
    ]);
    mkdirSync(path.join(dir, 'etcd'), { mode: 0o700 });

    const etcdUrl = `http://127.0.0.1:${etcdClientPort}`;
    const peerUrl = `http://127.0.0.1:${etcdPeerPort}`;
    launch('etcd', peers.etcd, [
      `--name=${name}`,
      `--data-dir=${path.join(dir, 'etcd')}`,
      `--listen-client-urls=${etcdUrl}`,
      `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=${name}=${peerUrl}`,
      '--initial-cluster-state=new',
      '--log-level=warn',
      '--logger=zap',
      '--quota-backend-bytes=1073741824',
      '--auto-compaction-mode=periodic',
      '--auto-compaction-retention=5m',
    ]);
    launch('kube-apiserver', bin('kube-apiserver'), [
      `--etcd-servers=${etcdUrl}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${apiPort}`,
      `--cert-dir=${dir}`,
      `--tls-cert-file=${path.join(dir, 'apiserver.crt')}`,
      `--tls-private-key-file=${path.join(dir, 'apiserver.key')}`,
      `--client-ca-file=${path.join(dir, 'ca.crt')}`,
      `--token-auth-file=${path.join(dir, 'tokens.csv')}`,
      '--authorization-mode=Node,RBAC',
      `--service-account-issuer=${server}`,
      `--service-account-key-file=${path.join(dir, 'sa.pub')}`,
      `--service-account-signing-key-file=${path.join(dir, 'sa.key')}`,
      '--service-cluster-ip-range=10.96.0.0/16',
      '--allow-privileged=true',
      // 127.0.0.1 is not a valid Endpoints address: the default `lease`
      // reconciler would log an error for the `kubernetes` Service every 10 s.
      '--endpoint-reconciler-type=none',
      '--enable-priority-and-fairness=false',
      '--profiling=false',
      '--v=1',
    ]);

    await waitFor('kube-apiserver /readyz', ['kube-apiserver', 'etcd'], async () => (await api(server, caData, token, 'GET', '/readyz')).status === 200);
    step('apiserverReady');

    launch('kube-controller-manager', bin('kube-controller-manager'), [
      `--kubeconfig=${path.join(dir, 'controller-manager.kubeconfig')}`,
      '--secure-port=0',
      '--leader-elect=false',
      '--use-service-account-credentials',
      `--service-account-private-key-file=${path.join(dir, 'sa.key')}`,
      `--root-ca-file=${path.join(dir, 'ca.crt')}`,
      `--cluster-signing-cert-file=${path.join(dir, 'ca.crt')}`,
      `--cluster-signing-key-file=${path.join(dir, 'ca.key')}`,
      '--service-cluster-ip-range=10.96.0.0/16',
      // With per-controller credentials every controller start makes a few
      // requests; the default client rate limit (20 qps) serializes ~40
      // controllers into ~5 s before any informer starts.
      '--kube-api-qps=1000',
      '--kube-api-burst=2000',
      '--profiling=false',
      '--v=1',
    ]);
    launch('kube-scheduler', bin('kube-scheduler'), [`--kubeconfig=${path.join(dir, 'scheduler.kubeconfig')}`, '--secure-port=0', '--leader-elect=false', '--profiling=false', '--v=1']);
    launch('kwok', peers.kwok, [
      `--kubeconfig=${kubeconfigPath}`,
      `--config=${STAGES}`,
      '--manage-all-nodes=false',
      '--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake',
      '--node-lease-duration-seconds=40',
      '--cidr=10.244.0.0/16',
      '--node-ip=127.0.0.1',
    ]);

    const nodeNames = Array.from({ length: nodeCount }, (_, i) => `kwok-node-${i}`);
    for (const node of nodeNames) {
      const res = await withDeath(api(server, caData, token, 'POST', '/api/v1/nodes', fakeNode(node)));
      if (res.status !== 201) throw failure(`creating Node ${node}: HTTP ${res.status} ${res.body}`, ['kube-apiserver']);
    }

    step('nodesCreated');
    await Promise.all([
      waitFor(`${nodeCount} Ready, untainted kwok Nodes`, ['kwok', 'kube-controller-manager'], async () => {
        const res = await api(server, caData, token, 'GET', '/api/v1/nodes');
        if (res.status !== 200) return false;
        const nodes = (JSON.parse(res.body) as NodeList).items.filter((n) => nodeNames.includes(n.metadata.name));
        const ready = nodes.length === nodeCount && nodes.every((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
        if (ready) steps.nodesReady ??= Date.now() - started;
        return ready && nodes.every((n) => !(n.spec?.taints ?? []).some((t) => t.key.startsWith('node.kubernetes.io/')));
      }).then(() => step('nodesUntainted')),
      waitFor('ServiceAccount default/default', ['kube-controller-manager'], async () => (await api(server, caData, token, 'GET', '/api/v1/namespaces/default/serviceaccounts/default')).status === 200).then(() =>
        step('defaultServiceAccount'),
      ),
      waitFor('ConfigMap default/kube-root-ca.crt', ['kube-controller-manager'], async () => (await api(server, caData, token, 'GET', '/api/v1/namespaces/default/configmaps/kube-root-ca.crt')).status === 200).then(() =>
        step('rootCaConfigMap'),
      ),
    ]);

    const kubectlPath = bin('kubectl');
    const cacheDir = path.join(dir, 'kubectl-cache');
    const cluster: KubeCluster = {
      name,
      server,
      kubeconfigPath,
      kubeconfig,
      caData,
      token,
      dir,
      startupMs: Date.now() - started,
      startupSteps: steps,
      kubectl: (args, opts = {}) =>
        new Promise<string>((resolve, reject) => {
          const child = execFile(kubectlPath, [`--kubeconfig=${kubeconfigPath}`, `--cache-dir=${cacheDir}`, ...args], { encoding: 'utf8', maxBuffer: 64 << 20, timeout: opts.timeoutMs ?? 60_000, env: { ...process.env, HOME: dir } }, (err, stdout, stderr) => {
            if (err) reject(new Error(`kubectl ${args.join(' ')} failed (${err.code ?? err.signal ?? 'error'}): ${stderr.trim() || err.message}`, { cause: err }));
            else resolve(stdout);
          });
          child.stdin?.on('error', () => {});
          child.stdin?.end(opts.input ?? '');
        }),
      stop,
    };
    return cluster;
  } catch (err) {
    await stop();
    throw err;
  }
}

