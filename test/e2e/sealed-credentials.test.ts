/**
 * Cluster and Git credentials stored in plain text by a release before
 * migration 0012 are sealed when Berth starts, and the delivery engine still
 * reaches the cluster (a real control plane, bearer token) and the Git server
 * (Basic authentication) with them: an application from the private
 * repository is compared and synced. On SQLite and PostgreSQL, with a real
 * Berth restarted on the same database.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { normalizeRepoUrl } from '../../src/gitops/git/urls.ts';
import type { ApplicationStatus } from '../../src/gitops/types.ts';
import { startTestBerth, type TestBerth } from '../support/berth.ts';
import { testDatabases } from '../support/databases.ts';
import { startGitServer, type GitServer } from '../support/git-server.ts';
import { until, yamlDocs } from '../support/gitops.ts';
import { skipUnlessKubePeers, startKubeCluster, type KubeCluster } from '../support/kube-cluster.ts';
import { ADMIN, must } from '../support/matrix-fixture.ts';
import { call } from '../support/matrix-http.ts';

const GIT_USER = 'deployer';
const GIT_PASSWORD = `pw-${randomBytes(12).toString('hex')}`;
const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'sealed-config' }, data: { greeting: 'hello' } };

for (const database of await testDatabases()) {
  describe(`credentials stored in plain text are sealed at start on ${database.name}`, { skip: database.skip || skipUnlessKubePeers() }, () => {
    let cluster: KubeCluster;
    let git: GitServer;
    let dataDir: string;
    let env: Record<string, string>;
    let b: TestBerth | undefined;
    let head: string;

    before(async () => {
      [cluster, git] = await Promise.all([startKubeCluster(), startGitServer({ username: GIT_USER, password: GIT_PASSWORD })]);
      head = await git.createRepo('ops/deploy', { 'app/cm.yaml': yamlDocs(configMap) });
      dataDir = await mkdtemp(path.join(os.tmpdir(), 'berth-sealed-'));
      env = { ...(await database.env()), BERTH_DATA_DIR: dataDir, BERTH_GITOPS_IN_CLUSTER: 'false' };
    });
    after(async () => {
      await b?.stop();
      await git?.stop();
      await cluster?.stop();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    });

    test('legacy rows are sealed at the next start, and the engine compares and syncs with them', async () => {
      // The rows as an older Berth wrote them: credentials in plain text (credentials_sealed is 0 after migration 0012).
      const first = await startTestBerth(env);
      const url = git.url('ops/deploy');
      await first.db
        .insertInto('clusters')
        .values({ name: 'prod', server: cluster.server, bearer_token: cluster.token, ca_data: cluster.caData, client_cert_data: null, client_key_data: null, created_by: 'admin', created_at: Date.now() })
        .execute();
      await first.db
        .insertInto('git_repositories')
        .values({ normalized_url: normalizeRepoUrl(url), url, username: GIT_USER, password: GIT_PASSWORD, ssh_private_key: null, known_hosts: null, created_by: 'admin', created_at: Date.now() })
        .execute();
      await first.stop();

      b = await startTestBerth(env);
      const clusterRow = await b.db.selectFrom('clusters').selectAll().where('name', '=', 'prod').executeTakeFirstOrThrow();
      assert.equal(Number(clusterRow.credentials_sealed), 1);
      assert.ok(!JSON.stringify(clusterRow).includes(cluster.token), 'no plaintext token in the cluster row');
      const repoRow = await b.db.selectFrom('git_repositories').selectAll().executeTakeFirstOrThrow();
      assert.equal(Number(repoRow.credentials_sealed), 1);
      assert.ok(!JSON.stringify(repoRow).includes(GIT_PASSWORD), 'no plaintext password in the repository row');

      const base = b.url;
      const listed = must(await call(base, 'GET', '/api/v1/clusters', { auth: ADMIN }), 200, 'list clusters');
      assert.ok(!listed.text.includes(cluster.token) && !listed.text.includes('v1.'), listed.text);
      must(await call(base, 'POST', '/api/v1/projects', { auth: ADMIN, body: { name: 'ops' } }), 201, 'project');
      must(await call(base, 'PUT', '/api/v1/projects/ops/delivery', { auth: ADMIN, body: { sourceRepos: [url], destinations: [{ name: 'prod', namespace: 'sealed-*' }] } }), 200, 'policy');
      const spec = { project: 'ops', source: { repoURL: url, path: 'app', targetRevision: 'main' }, destination: { name: 'prod', namespace: 'sealed-web' }, syncPolicy: { syncOptions: ['CreateNamespace=true'] } };
      must(await call(base, 'POST', '/api/v1/applications', { auth: ADMIN, body: { metadata: { name: 'web' }, spec } }), 201, 'application');
      const statusOf = async () => (must(await call(base, 'GET', '/api/v1/applications/web', { auth: ADMIN }), 200, 'get web').body as { status?: ApplicationStatus }).status;
      // Compared: the engine fetched the private repository and read the cluster.
      const compared = await until('web compared', async () => {
        const s = await statusOf();
        return s?.sync.status === 'OutOfSync' ? s : undefined;
      });
      assert.equal(compared.sync.revision, head);
      must(await call(base, 'POST', '/api/v1/applications/web/sync', { auth: ADMIN, body: {} }), 200, 'sync');
      await until('web synced', async () => (await statusOf())?.sync.status === 'Synced');
      const cm = JSON.parse(await cluster.kubectl(['get', 'configmap', 'sealed-config', '-n', 'sealed-web', '-o', 'json'])) as { data: { greeting: string } };
      assert.equal(cm.data.greeting, 'hello');
    });
  });
}
