/** berth cluster …: clusters applications deploy to (administrators). */
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ClusterInfo } from '../../gitops/apps/clusters.ts';
import { seg } from '../client.ts';
import { type CommandSpec, CliError, UsageError, bool, str } from '../framework.ts';
import { type Column, time } from '../output.ts';
import { passwordFromStdin } from '../prompt.ts';
import { showList } from './common.ts';

const COLUMNS: Column<ClusterInfo>[] = [
  { header: 'NAME', value: (c) => c.name },
  { header: 'SERVER', value: (c) => c.server },
  { header: 'AUTH', value: (c) => c.auth },
  { header: 'CA', value: (c) => (c.insecureSkipTlsVerify ? 'insecure' : c.hasCaData ? 'given' : 'system') },
  { header: 'ADDED', value: (c) => `${time(c.createdAt)} by ${c.createdBy}` },
];

async function readFileText(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** Kubernetes names are DNS subdomains; kubeconfig context names often are not (kind-x, user@cluster). */
function clusterNameFrom(context: string): string {
  return context
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 253);
}

const clusterAdd: CommandSpec = {
  words: ['cluster', 'add'],
  args: '[NAME] (--kubeconfig FILE [--context CONTEXT] | --api-server URL (--token-stdin | --token TOKEN) [--ca-file FILE] [--insecure-skip-tls-verify])',
  summary: 'Register a cluster applications can deploy to',
  details: [
    'From a kubeconfig, the credentials of CONTEXT (default: current-context) are read here',
    'and sent to Berth: a bearer token or a client certificate and key (exec and',
    'auth-provider plugins are not supported). NAME defaults to the context name.',
    'Prefer --token-stdin to --token: command lines are visible to other local users.',
    "--api-server is the cluster's Kubernetes API server; the global --server stays Berth's address.",
  ].join('\n'),
  options: {
    kubeconfig: { type: 'string', value: 'FILE', help: 'kubeconfig file (default: KUBECONFIG, then ~/.kube/config, when --api-server is not given)' },
    context: { type: 'string', value: 'CONTEXT', help: 'kubeconfig context (default: its current-context)' },
    'api-server': { type: 'string', value: 'URL', help: "the cluster's Kubernetes API server URL (not Berth's: that is --server)" },
    token: { type: 'string', value: 'TOKEN', help: 'bearer token (visible in the process list: prefer --token-stdin)' },
    'token-stdin': { type: 'boolean', help: 'read the bearer token from stdin' },
    'ca-file': { type: 'string', value: 'FILE', help: "PEM file of the API server's CA" },
    'insecure-skip-tls-verify': { type: 'boolean', help: "do not verify the API server's certificate (testing only)" },
  },
  positionals: [0, 1],
  examples: [
    'berth cluster add prod --kubeconfig ~/.kube/config --context prod-admin',
    'berth cluster add staging --api-server https://staging.example.com:6443 --ca-file ca.pem --token-stdin < token',
    'berth --server https://berth.example.com cluster add prod --kubeconfig prod.kubeconfig',
  ],
  async run(ctx) {
    const server = str(ctx.values, 'api-server');
    let kubeconfig = str(ctx.values, 'kubeconfig');
    let body: Record<string, unknown>;
    if (server === undefined) {
      if (str(ctx.values, 'token') !== undefined || bool(ctx.values, 'token-stdin') || str(ctx.values, 'ca-file') !== undefined) throw new UsageError("--token, --token-stdin and --ca-file go with --api-server (the cluster's API server; --server is Berth's address)", ctx.spec);
      kubeconfig ??= process.env.KUBECONFIG?.split(path.delimiter)[0] || path.join(os.homedir(), '.kube', 'config');
      const { KubeconfigError, connectionFromKubeconfig } = await import('../../gitops/kube/kubeconfig.ts');
      let conn;
      try {
        conn = connectionFromKubeconfig(await readFileText(kubeconfig, 'kubeconfig'), str(ctx.values, 'context'), { baseDir: path.dirname(path.resolve(kubeconfig)) });
      } catch (err) {
        if (err instanceof KubeconfigError) throw new CliError(`${kubeconfig}: ${err.message}`);
        throw err;
      }
      const name = ctx.positionals[0] ?? clusterNameFrom(conn.name);
      body = {
        name,
        server: conn.server,
        ...(conn.bearerToken !== undefined ? { bearerToken: conn.bearerToken } : {}),
        ...(conn.caData !== undefined ? { caData: conn.caData } : {}),
        ...(conn.clientCertData !== undefined ? { clientCertData: conn.clientCertData, clientKeyData: conn.clientKeyData } : {}),
        ...(conn.insecureSkipTlsVerify || bool(ctx.values, 'insecure-skip-tls-verify') ? { insecureSkipTlsVerify: true } : {}),
      };
      if (conn.bearerTokenFile !== undefined) ctx.out.warn(`The token was read from ${conn.bearerTokenFile} once; Berth does not re-read rotated tokens of registered clusters.`);
    } else {
      if (kubeconfig !== undefined || str(ctx.values, 'context') !== undefined) throw new UsageError('give --kubeconfig or --api-server, not both', ctx.spec);
      const name = ctx.positionals[0];
      if (name === undefined) throw new UsageError('give the cluster NAME', ctx.spec);
      const flagToken = str(ctx.values, 'token');
      if (flagToken !== undefined && bool(ctx.values, 'token-stdin')) throw new UsageError('give --token or --token-stdin, not both', ctx.spec);
      const token = bool(ctx.values, 'token-stdin') ? await passwordFromStdin('token') : flagToken;
      const caFile = str(ctx.values, 'ca-file');
      body = {
        name,
        server,
        ...(token !== undefined ? { bearerToken: token } : {}),
        ...(caFile !== undefined ? { caData: await readFileText(caFile, 'CA file') } : {}),
        ...(bool(ctx.values, 'insecure-skip-tls-verify') ? { insecureSkipTlsVerify: true } : {}),
      };
    }
    const res = await ctx.client().post<ClusterInfo>('/clusters', body);
    if (ctx.out.json) return ctx.out.printJson(res.data);
    ctx.out.line(`Added cluster ${res.data.name} (${res.data.server}, ${res.data.auth}).`);
  },
};

const clusterList: CommandSpec = {
  words: ['cluster', 'list'],
  args: '',
  summary: 'List registered clusters',
  positionals: [0, 0],
  examples: ['berth cluster list', 'berth cluster list -o json'],
  async run(ctx) {
    showList(ctx, await ctx.client().get<ClusterInfo[]>('/clusters'), COLUMNS, 'clusters');
  },
};

const clusterRemove: CommandSpec = {
  words: ['cluster', 'rm'],
  args: 'NAME',
  summary: 'Remove a cluster (refused while applications deploy to it)',
  positionals: [1, 1],
  examples: ['berth cluster rm staging'],
  async run(ctx) {
    const name = ctx.positionals[0]!;
    await ctx.client().delete(`/clusters/${seg(name)}`);
    if (!ctx.out.json) ctx.out.line(`Removed cluster ${name}.`);
  },
};

export const clusterCommands: CommandSpec[] = [clusterAdd, clusterList, clusterRemove];
