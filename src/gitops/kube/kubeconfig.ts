/**
 * Cluster connections from a kubeconfig (kubectl's file format) or from the
 * pod's service account (in-cluster). The result is a ClusterConnection with
 * PEM strings, never file paths; token files are read once here and also
 * passed on as `bearerTokenFile` so that the client can re-read rotated
 * (bound, expiring) service-account tokens.
 *
 * Unsupported on purpose, with an error naming the user entry: exec and
 * auth-provider credential plugins (they would run arbitrary commands from a
 * user-supplied file inside the server) and basic auth (removed from
 * Kubernetes in 1.19).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { ClusterConnection } from '../types.ts';
import { DomainError } from '../../core/errors.ts';

/** A ClusterConnection plus what only this layer uses. */
export interface KubeConnection extends ClusterConnection {
  /** Re-read (at most every minute) for the bearer token: service-account tokens rotate. */
  bearerTokenFile?: string;
  /** TLS server name to verify instead of the URL's host (kubeconfig `tls-server-name`). */
  tlsServerName?: string;
  /** The context's default namespace, when it names one. */
  namespace?: string;
}

/** A kubeconfig Berth cannot use: always the caller's input, so `invalid`. */
export class KubeconfigError extends DomainError {
  override name = 'KubeconfigError';
  constructor(message: string) {
    super('invalid', message);
  }
}

export const IN_CLUSTER_SERVER = 'https://kubernetes.default.svc';
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';


function asRecord(v: unknown, what: string): Record<string, unknown> {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new KubeconfigError(`kubeconfig: ${what} must be a mapping`);
  return v as Record<string, unknown>;
}

function str(v: unknown, what: string): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw new KubeconfigError(`kubeconfig: ${what} must be a string`);
  return v;
}

function findNamed(list: unknown, field: string, name: string, section: string): Record<string, unknown> {
  if (list !== undefined && list !== null && !Array.isArray(list)) throw new KubeconfigError(`kubeconfig: ${section} must be a list`);
  for (const entry of (list ?? []) as Record<string, unknown>[]) {
    if (entry && typeof entry === 'object' && entry.name === name) return asRecord(entry[field], `${section}[${name}].${field}`);
  }
  throw new KubeconfigError(`kubeconfig: no ${section.replace(/s$/, '')} named "${name}"`);
}

function decodeBase64Pem(data: string, what: string): string {
  const text = Buffer.from(data, 'base64').toString('utf8');
  if (!text.includes('-----BEGIN')) throw new KubeconfigError(`kubeconfig: ${what} is not base64-encoded PEM`);
  return text;
}

function readPem(file: string, baseDir: string | undefined, what: string): string {
  const p = baseDir && !path.isAbsolute(file) ? path.join(baseDir, file) : file;
  try {
    return readFileSync(p, 'utf8');
  } catch (err) {
    throw new KubeconfigError(`kubeconfig: cannot read ${what} file ${p}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}

/**
 * The connection for `context` (default: current-context) of a kubeconfig.
 * Relative file paths resolve against `options.baseDir` (the kubeconfig's
 * directory, as kubectl does), else the working directory.
 */
export function connectionFromKubeconfig(yamlText: string, context?: string, options: { baseDir?: string } = {}): KubeConnection {
  let doc: unknown;
  try {
    doc = parseYaml(yamlText);
  } catch (err) {
    throw new KubeconfigError(`kubeconfig: not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  const root = asRecord(doc, 'document');
  const contextName = context ?? str(root['current-context'], 'current-context');
  if (!contextName) throw new KubeconfigError('kubeconfig: no context given and no current-context set');
  const ctx = findNamed(root.contexts, 'context', contextName, 'contexts');
  const clusterName = str(ctx.cluster, `context ${contextName}.cluster`);
  if (!clusterName) throw new KubeconfigError(`kubeconfig: context "${contextName}" names no cluster`);
  const cluster = findNamed(root.clusters, 'cluster', clusterName, 'clusters');
  const userName = str(ctx.user, `context ${contextName}.user`);
  const user = userName ? findNamed(root.users, 'user', userName, 'users') : {};

  const server = str(cluster.server, `cluster ${clusterName}.server`);
  if (!server) throw new KubeconfigError(`kubeconfig: cluster "${clusterName}" has no server`);
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new KubeconfigError(`kubeconfig: cluster "${clusterName}" server is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new KubeconfigError(`kubeconfig: cluster "${clusterName}" server must be http(s)`);
  if (cluster['proxy-url']) throw new KubeconfigError(`kubeconfig: cluster "${clusterName}" uses proxy-url, which Berth does not support`);

  const conn: KubeConnection = { name: contextName, server: server.replace(/\/+$/, '') };
  const { baseDir } = options;

  const caData = str(cluster['certificate-authority-data'], 'certificate-authority-data');
  const caFile = str(cluster['certificate-authority'], 'certificate-authority');
  if (caData) conn.caData = decodeBase64Pem(caData, `cluster "${clusterName}" certificate-authority-data`);
  else if (caFile) conn.caData = readPem(caFile, baseDir, 'certificate-authority');
  if (cluster['insecure-skip-tls-verify'] === true) conn.insecureSkipTlsVerify = true;
  const tlsServerName = str(cluster['tls-server-name'], 'tls-server-name');
  if (tlsServerName) conn.tlsServerName = tlsServerName;
  const namespace = str(ctx.namespace, 'namespace');
  if (namespace) conn.namespace = namespace;

  if (user.exec !== undefined && user.exec !== null) {
    throw new KubeconfigError(
      `kubeconfig: user "${userName}" uses an exec credential plugin, which Berth does not run; use a service-account token or a client certificate`,
    );
  }
  if (user['auth-provider'] !== undefined && user['auth-provider'] !== null) {
    throw new KubeconfigError(`kubeconfig: user "${userName}" uses an auth-provider plugin, which Berth does not support; use a bearer token or a client certificate`);
  }
  if (user.username !== undefined || user.password !== undefined) {
    throw new KubeconfigError(`kubeconfig: user "${userName}" uses basic auth, which Kubernetes no longer supports`);
  }

  const certData = str(user['client-certificate-data'], 'client-certificate-data');
  const certFile = str(user['client-certificate'], 'client-certificate');
  const keyData = str(user['client-key-data'], 'client-key-data');
  const keyFile = str(user['client-key'], 'client-key');
  if (certData) conn.clientCertData = decodeBase64Pem(certData, `user "${userName}" client-certificate-data`);
  else if (certFile) conn.clientCertData = readPem(certFile, baseDir, 'client-certificate');
  if (keyData) conn.clientKeyData = decodeBase64Pem(keyData, `user "${userName}" client-key-data`);
  else if (keyFile) conn.clientKeyData = readPem(keyFile, baseDir, 'client-key');
  if ((conn.clientCertData === undefined) !== (conn.clientKeyData === undefined)) {
    throw new KubeconfigError(`kubeconfig: user "${userName}" has a client certificate without a key or a key without a certificate`);
  }

  const token = str(user.token, 'token');
  const tokenFile = str(user.tokenFile, 'tokenFile');
  if (token) conn.bearerToken = token;
  else if (tokenFile) {
    const p = baseDir && !path.isAbsolute(tokenFile) ? path.join(baseDir, tokenFile) : tokenFile;
    conn.bearerToken = readPem(p, undefined, 'tokenFile').trim();
    conn.bearerTokenFile = p;
  }
  return conn;
}

/**
 * The connection to the cluster Berth runs in, from the pod's service
 * account; undefined when not running in a pod (no token file).
 */
export function inClusterConnection(dir: string = SERVICE_ACCOUNT_DIR): KubeConnection | undefined {
  const tokenFile = path.join(dir, 'token');
  let token: string;
  try {
    token = readFileSync(tokenFile, 'utf8').trim();
  } catch {
    return undefined;
  }
  const conn: KubeConnection = { name: 'in-cluster', server: IN_CLUSTER_SERVER, bearerToken: token, bearerTokenFile: tokenFile };
  try {
    conn.caData = readFileSync(path.join(dir, 'ca.crt'), 'utf8');
  } catch {
    // no CA bundle: system roots
  }
  try {
    const ns = readFileSync(path.join(dir, 'namespace'), 'utf8').trim();
    if (ns) conn.namespace = ns;
  } catch {
    // optional
  }
  return conn;
}
