import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { connectionFromKubeconfig, inClusterConnection, IN_CLUSTER_SERVER, KubeconfigError } from './kubeconfig.ts';

const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n';
const b64 = (s: string) => Buffer.from(s).toString('base64');
const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-kubeconfig-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function kubeconfig(user: string, cluster = `server: https://127.0.0.1:6443/\n    certificate-authority-data: ${b64(CA)}`): string {
  return `apiVersion: v1
kind: Config
current-context: main
clusters:
- name: c1
  cluster:
    ${cluster}
users:
- name: u1
  user:
${user}
contexts:
- name: main
  context: {cluster: c1, user: u1, namespace: team-a}
- name: other
  context: {cluster: c1, user: u1}
`;
}

describe('connectionFromKubeconfig', () => {
  test('token and inline CA; trailing slash trimmed; context namespace', () => {
    const c = connectionFromKubeconfig(kubeconfig('    token: abc'));
    assert.deepEqual(c, { name: 'main', server: 'https://127.0.0.1:6443', caData: CA, bearerToken: 'abc', namespace: 'team-a' });
  });
  test('named context', () => {
    assert.equal(connectionFromKubeconfig(kubeconfig('    token: abc'), 'other').name, 'other');
    assert.throws(() => connectionFromKubeconfig(kubeconfig('    token: abc'), 'nope'), /no context named "nope"/);
  });
  test('client certificate data', () => {
    const c = connectionFromKubeconfig(kubeconfig(`    client-certificate-data: ${b64(CA)}\n    client-key-data: ${b64(KEY)}`));
    assert.equal(c.clientCertData, CA);
    assert.equal(c.clientKeyData, KEY);
  });
  test('files resolve against baseDir; tokenFile is kept for rotation', () => {
    writeFileSync(path.join(dir, 'ca.crt'), CA);
    writeFileSync(path.join(dir, 'tls.crt'), CA);
    writeFileSync(path.join(dir, 'tls.key'), KEY);
    writeFileSync(path.join(dir, 'token'), 'from-file\n');
    const c = connectionFromKubeconfig(
      kubeconfig('    client-certificate: tls.crt\n    client-key: tls.key\n    tokenFile: token', 'server: https://k.example:6443\n    certificate-authority: ca.crt\n    tls-server-name: api.internal'),
      undefined,
      { baseDir: dir },
    );
    assert.equal(c.caData, CA);
    assert.equal(c.clientKeyData, KEY);
    assert.equal(c.bearerToken, 'from-file');
    assert.equal(c.bearerTokenFile, path.join(dir, 'token'));
    assert.equal(c.tlsServerName, 'api.internal');
  });
  test('insecure-skip-tls-verify', () => {
    assert.equal(connectionFromKubeconfig(kubeconfig('    token: t', 'server: https://h:1\n    insecure-skip-tls-verify: true')).insecureSkipTlsVerify, true);
  });
  test('plugins and basic auth are refused with a clear error, without echoing secrets', () => {
    assert.throws(() => connectionFromKubeconfig(kubeconfig('    exec:\n      command: aws\n      apiVersion: client.authentication.k8s.io/v1')), (e: Error) => e instanceof KubeconfigError && /exec credential plugin/.test(e.message));
    assert.throws(() => connectionFromKubeconfig(kubeconfig('    auth-provider:\n      name: gcp')), /auth-provider/);
    assert.throws(
      () => connectionFromKubeconfig(kubeconfig('    username: admin\n    password: hunter2')),
      (e: Error) => /basic auth/.test(e.message) && !e.message.includes('hunter2'),
    );
  });
  test('broken documents', () => {
    assert.throws(() => connectionFromKubeconfig('::: nope'), KubeconfigError);
    assert.throws(() => connectionFromKubeconfig('kind: Config\n'), /no current-context/);
    assert.throws(() => connectionFromKubeconfig(kubeconfig('    token: t', 'certificate-authority-data: eA==')), /has no server/);
    assert.throws(() => connectionFromKubeconfig(kubeconfig('    client-key-data: ' + b64(KEY))), /without/);
    assert.throws(() => connectionFromKubeconfig(kubeconfig('    token: t', 'server: https://h:1\n    certificate-authority: /does/not/exist')), /cannot read certificate-authority/);
  });
});

describe('inClusterConnection', () => {
  test('absent outside a pod', () => assert.equal(inClusterConnection(path.join(dir, 'missing')), undefined));
  test('service-account files', () => {
    const saDir = mkdtempSync(path.join(dir, 'sa-'));
    writeFileSync(path.join(saDir, 'token'), 'sa-token\n');
    writeFileSync(path.join(saDir, 'ca.crt'), CA);
    writeFileSync(path.join(saDir, 'namespace'), 'berth');
    assert.deepEqual(inClusterConnection(saDir), {
      name: 'in-cluster',
      server: IN_CLUSTER_SERVER,
      bearerToken: 'sa-token',
      bearerTokenFile: path.join(saDir, 'token'),
      caData: CA,
      namespace: 'berth',
    });
  });
});
