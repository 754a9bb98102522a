/**
 * The delivery objects' API and CLI against a real Berth (startTestBerth:
 * the server `berth serve` runs, with the delivery engine of
 * src/gitops/delivery.ts, on SQLite and PostgreSQL), a real Kubernetes
 * control plane (test/support/kube-cluster.ts) and a real Git server
 * (test/support/git-server.ts), one of each per database: RBAC per role on
 * applications (developer syncs but does not create, guest reads,
 * non-member sees 404), delivery policy refusals, secrets never returned,
 * Git webhook signatures, the OpenAPI document, and the CLI round trip;
 * the resource tree, list filters, live status events over /api/v1/stream
 * and the connection state of clusters and Git repositories.
 * What the engine does (sync, diff, refresh, rollback, delete, webhook
 * refresh) is asserted from the cluster and the API, never from a fake.
 */
/* eslint-disable @typescript-eslint/no-unsafe-member-access -- kubectl's JSON output is read as untyped objects */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Delivery } from '../../src/gitops/delivery.ts';
import type { ApplicationRecord, ApplicationStatus, HistoryEntry, OperationState, ResourceDiff } from '../../src/gitops/types.ts';
import { startTestBerth, type TestBerth } from '../support/berth.ts';
import { testDatabases } from '../support/databases.ts';
import { runCli } from '../support/cli.ts';
import { startGitServer, type GitServer } from '../support/git-server.ts';
import { until, yamlDocs } from '../support/gitops.ts';
import { skipUnlessKubePeers, startKubeCluster, type KubeCluster } from '../support/kube-cluster.ts';
import { ADMIN, PASSWORD, addMember, createUser, must } from '../support/matrix-fixture.ts';
import { basic, call, firstError, type Res } from '../support/matrix-http.ts';
import { openStream } from '../support/sse.ts';

const GITHUB_SECRET = 'webhook-secret-for-tests';
const CA = '-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n';
const REPO_PASSWORD = 'repo-password-never-returned';
const SSH_KEY = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAAfake\n-----END OPENSSH PRIVATE KEY-----\n';
/** The Git repository (on the test Git server) the applications of project shop deploy from. */
const REPO = 'shop/deploy';
const kubeSkip = skipUnlessKubePeers();

function expectError(res: Res, status: number, what: string, mention?: RegExp): void {
  assert.equal(res.status, status, `${what}: expected ${status}, got ${res.status} ${res.text.slice(0, 400)}`);
  const e = firstError(res);
  assert.ok(e, `${what}: no error body`);
  if (mention) assert.match(e.message, mention, what);
}

const deployment = (image: string, nodeSelector?: Record<string, string>) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web' },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { ...(nodeSelector ? { nodeSelector } : {}), containers: [{ name: 'main', image }] } },
  },
});
const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web-config' }, data: { greeting: 'hello' } };
/** A PreSync hook whose Pod is scheduled only once a Node carries berth.test/hold=release: keeps a sync Running until then. */
const heldHook = {
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name: 'hold', annotations: { 'argocd.argoproj.io/hook': 'PreSync' } },
  spec: { backoffLimit: 0, template: { spec: { restartPolicy: 'Never', nodeSelector: { 'berth.test/hold': 'release' }, containers: [{ name: 'main', image: 'registry.test/tool:1' }] } } },
};
const DEPLOYMENT_KEY = { group: 'apps', kind: 'Deployment', namespace: 'shop-web', name: 'web' };

for (const database of await testDatabases()) {
  describe(`delivery API on ${database.name}`, { skip: database.skip || kubeSkip }, () => {
    let b: TestBerth;
    let delivery: Delivery;
    let base: string;
    let cluster: KubeCluster;
    let git: GitServer;
    /** Commits of REPO: main at first (image 1), tag v2 (image 2), main (image 3), branch held (main + the held PreSync hook). */
    const sha: Record<'first' | 'v2' | 'main' | 'held', string> = { first: '', v2: '', main: '', held: '' };
    let repoURL: string;
    let appSpec: (namespace?: string) => { project: string; source: { repoURL: string; path: string; targetRevision: string }; destination: { name: string; namespace: string }; syncPolicy: { syncOptions: string[] } };
    let policy: { sourceRepos: string[]; destinations: { name: string; namespace: string }[] };
    const as = (user: string) => basic(user, PASSWORD);
    const kget = async (args: string[]) => JSON.parse(await cluster.kubectl(['get', ...args, '-o', 'json'])) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    const exists = async (args: string[]) => (await cluster.kubectl(['get', ...args, '--ignore-not-found', '-o', 'name'])).trim() !== '';
    const statusOf = async (app: string): Promise<ApplicationStatus | undefined> => (must(await call(base, 'GET', `/api/v1/applications/${app}`, { auth: ADMIN }), 200, `get ${app}`).body as { status?: ApplicationStatus }).status;

    before(async () => {
      [cluster, git] = await Promise.all([startKubeCluster(), startGitServer()]);
      sha.first = await git.createRepo(REPO, { 'web/deploy.yaml': yamlDocs(deployment('registry.test/web:1')), 'web/cm.yaml': yamlDocs(configMap), 'README.md': 'not a manifest' });
      sha.v2 = await git.commit(REPO, { 'web/deploy.yaml': yamlDocs(deployment('registry.test/web:2')) }, 'web 2', { tag: 'v2' });
      sha.main = await git.commit(REPO, { 'web/deploy.yaml': yamlDocs(deployment('registry.test/web:3')) }, 'web 3');
      sha.held = await git.commit(REPO, { 'web/hold.yaml': yamlDocs(heldHook) }, 'a hook that waits', { branch: 'held' });
      repoURL = git.url(REPO);
      const gitBase = repoURL.slice(0, -`/${REPO}.git`.length);
      appSpec = (namespace = 'shop-web') => ({
        project: 'shop',
        source: { repoURL, path: 'web', targetRevision: 'main' },
        destination: { name: 'prod', namespace },
        syncPolicy: { syncOptions: ['CreateNamespace=true'] },
      });
      policy = { sourceRepos: [`${gitBase}/shop/*`], destinations: [{ name: 'prod', namespace: 'shop-*' }] };

      b = await startTestBerth({ ...(await database.env()), BERTH_GIT_WEBHOOK_SECRET_GITHUB: GITHUB_SECRET, BERTH_GITOPS_IN_CLUSTER: 'false', BERTH_GITOPS_STEP_TIMEOUT_SECONDS: '60' });
      assert.ok(b.delivery, 'the delivery engine is wired into Berth');
      delivery = b.delivery;
      base = b.url;
      for (const u of ['sadmin', 'smaint', 'sdev', 'sguest', 'slimited', 'outsider']) await createUser(base, u);
      must(await call(base, 'POST', '/api/v1/projects', { auth: ADMIN, body: { name: 'shop', public: true } }), 201, 'project shop');
      must(await call(base, 'POST', '/api/v1/projects', { auth: ADMIN, body: { name: 'bare' } }), 201, 'project bare');
      await addMember(base, 'shop', 'sadmin', 'projectAdmin');
      await addMember(base, 'shop', 'smaint', 'maintainer');
      await addMember(base, 'shop', 'sdev', 'developer');
      await addMember(base, 'shop', 'sguest', 'guest');
      await addMember(base, 'shop', 'slimited', 'limitedGuest');
      await addMember(base, 'bare', 'smaint', 'maintainer');
    });
    after(async () => {
      await b?.stop();
      await git?.stop();
      await cluster?.stop();
    });

    test('clusters and repositories: administrators only, secrets never returned', async () => {
      // The real control plane, registered as "prod": the destination of the applications below.
      const prod = { name: 'prod', server: cluster.server, bearerToken: cluster.token, caData: cluster.caData };
      expectError(await call(base, 'POST', '/api/v1/clusters', { auth: as('sadmin'), body: prod }), 403, 'project admin adds a cluster');
      expectError(await call(base, 'GET', '/api/v1/clusters'), 401, 'anonymous lists clusters');
      const created = must(await call(base, 'POST', '/api/v1/clusters', { auth: ADMIN, body: prod }), 201, 'add cluster');
      assert.ok(!created.text.includes(cluster.token) && !created.text.includes('BEGIN CERTIFICATE'), created.text);
      assert.deepEqual(created.body, { ...(created.body as object), name: 'prod', auth: 'token', hasCaData: true });
      const listed = must(await call(base, 'GET', '/api/v1/clusters', { auth: ADMIN }), 200, 'list clusters');
      assert.ok(!listed.text.includes(cluster.token) && !listed.text.includes('BEGIN CERTIFICATE'));
      expectError(await call(base, 'POST', '/api/v1/clusters', { auth: ADMIN, body: { ...prod, name: 'in-cluster', server: 'https://x:6443' } }), 400, 'reserved name', /in-cluster/);
      expectError(await call(base, 'POST', '/api/v1/clusters', { auth: ADMIN, body: { name: 'x', server: 'ftp://x' } }), 400, 'bad server', /body\.server/);

      const repo = { url: 'https://git.example.com/shop/deploy.git', username: 'bot', password: REPO_PASSWORD };
      expectError(await call(base, 'POST', '/api/v1/git-repositories', { auth: as('sadmin'), body: repo }), 403, 'project admin adds a repository');
      const r = must(await call(base, 'POST', '/api/v1/git-repositories', { auth: ADMIN, body: repo }), 201, 'add repository');
      must(await call(base, 'POST', '/api/v1/git-repositories', { auth: ADMIN, body: { url: 'git@git.example.com:shop/infra.git', sshPrivateKey: SSH_KEY, knownHosts: 'git.example.com ssh-ed25519 AAAA' } }), 201, 'add ssh repository');
      const repos = must(await call(base, 'GET', '/api/v1/git-repositories', { auth: ADMIN }), 200, 'list repositories');
      for (const text of [r.text, repos.text]) {
        assert.ok(!text.includes(REPO_PASSWORD) && !text.includes('OPENSSH'), text);
      }
      assert.deepEqual((repos.body as { hasPassword: boolean; hasSshPrivateKey: boolean }[]).map((x) => [x.hasPassword, x.hasSshPrivateKey]), [[true, false], [false, true]]);
      must(await call(base, 'DELETE', `/api/v1/git-repositories?url=${encodeURIComponent('ssh://git@git.example.com/shop/infra')}`, { auth: ADMIN }), 204, 'remove by normalized url');
      expectError(await call(base, 'DELETE', `/api/v1/git-repositories?url=${encodeURIComponent('ssh://git@git.example.com/shop/infra')}`, { auth: ADMIN }), 404, 'removed twice');
      const auditText = (await call(base, 'GET', '/api/v1/audit-logs?page_size=100', { auth: ADMIN })).text;
      assert.ok(!auditText.includes(cluster.token) && !auditText.includes(REPO_PASSWORD), 'no secret in the audit log');
    });

    test('delivery policy: read by members, set by project admins; without one no applications', async () => {
      expectError(await call(base, 'POST', '/api/v1/applications', { auth: as('smaint'), body: { metadata: { name: 'web' }, spec: appSpec() } }), 412, 'no policy', /no delivery policy.*berth project delivery set shop/);
      expectError(await call(base, 'GET', '/api/v1/projects/shop/delivery', { auth: as('sguest') }), 404, 'none yet', /no delivery policy/);
      expectError(await call(base, 'PUT', '/api/v1/projects/shop/delivery', { auth: as('smaint'), body: policy }), 403, 'maintainer sets the policy');
      expectError(await call(base, 'PUT', '/api/v1/projects/shop/delivery', { auth: as('outsider'), body: policy }), 404, 'outsider sets the policy');
      expectError(await call(base, 'PUT', '/api/v1/projects/shop/delivery', { auth: as('sadmin'), body: { ...policy, sourceRepo: [] } }), 400, 'unknown field', /sourceRepo/);
      const set = must(await call(base, 'PUT', '/api/v1/projects/shop/delivery', { auth: as('sadmin'), body: policy }), 200, 'project admin sets the policy');
      assert.equal((set.body as { updatedBy: string }).updatedBy, 'sadmin');
      const got = must(await call(base, 'GET', '/api/v1/projects/shop/delivery', { auth: as('slimited') }), 200, 'limited guest reads the policy');
      assert.deepEqual((got.body as { policy: { sourceRepos: string[] } }).policy.sourceRepos, policy.sourceRepos);
      expectError(await call(base, 'GET', '/api/v1/projects/shop/delivery'), 401, 'anonymous on a public project');
      expectError(await call(base, 'GET', '/api/v1/projects/shop/delivery', { auth: as('outsider') }), 404, 'outsider on a public project');
    });

    test('policy refusals: repository, destination, unknown cluster', async () => {
      const post = (spec: object) => call(base, 'POST', '/api/v1/applications', { auth: as('smaint'), body: { metadata: { name: 'web' }, spec: { ...appSpec(), ...spec } } });
      expectError(await post({ source: { repoURL: 'https://github.com/evil/x' } }), 403, 'repository not allowed', /source repository https:\/\/github\.com\/evil\/x/);
      expectError(await post({ destination: { name: 'prod', namespace: 'kube-system' } }), 403, 'destination not allowed', /destination prod .*kube-system/);
      expectError(await post({ destination: { name: 'mars', namespace: 'shop-web' } }), 400, 'unknown cluster', /mars is not a registered cluster/);
      expectError(await post({ destination: { server: 'https://nowhere:6443', namespace: 'shop-web' } }), 400, 'unknown server', /not a registered cluster/);
      expectError(await post({ destination: { name: 'prod', server: cluster.server, namespace: 'shop-web' } }), 400, 'both server and name', /body\.spec\.destination/);
      expectError(await call(base, 'POST', '/api/v1/applications', { auth: as('smaint'), body: { metadata: { name: 'Bad_Name' }, spec: appSpec() } }), 400, 'bad name', /body\.metadata\.name/);
      expectError(await call(base, 'POST', '/api/v1/applications', { auth: as('smaint'), body: { metadata: { name: 'x' }, spec: { ...appSpec(), project: 'bare' } } }), 412, 'project without policy', /bare has no delivery policy/);
    });

    test('RBAC: maintainers define, developers sync, guests read, non-members see nothing', async () => {
      expectError(await call(base, 'POST', '/api/v1/applications', { auth: as('sdev'), body: { metadata: { name: 'web' }, spec: appSpec() } }), 403, 'developer creates', /application:create/);
      expectError(await call(base, 'POST', '/api/v1/applications', { auth: as('outsider'), body: { metadata: { name: 'web' }, spec: appSpec() } }), 404, 'outsider creates');
      const created = must(await call(base, 'POST', '/api/v1/applications', { auth: as('smaint'), body: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'web', namespace: 'argocd' }, spec: appSpec() } }), 201, 'maintainer creates');
      assert.equal((created.body as { createdBy: string }).createdBy, 'smaint');
      expectError(await call(base, 'POST', '/api/v1/applications', { auth: as('smaint'), body: { metadata: { name: 'web' }, spec: appSpec() } }), 409, 'twice');
      // The engine compares the new application (main) with the cluster, where nothing is deployed yet.
      const compared = await until('web compared', async () => {
        const s = await statusOf('web');
        return s?.sync.status === 'OutOfSync' ? s : undefined;
      });
      assert.equal(compared.sync.revision, sha.main);
      assert.equal(compared.health.status, 'Missing');
      assert.deepEqual(compared.resources.map((r) => `${r.key.kind}/${r.key.name}:${r.status}`).sort(), ['ConfigMap/web-config:OutOfSync', 'Deployment/web:OutOfSync']);

      for (const who of ['sadmin', 'smaint', 'sdev', 'sguest', 'slimited']) {
        const list = must(await call(base, 'GET', '/api/v1/applications', { auth: as(who) }), 200, `${who} lists`);
        assert.deepEqual((list.body as { name: string; sync: string; health: string }[]).map((a) => [a.name, a.sync, a.health]), [['web', 'OutOfSync', 'Missing']], who);
        must(await call(base, 'GET', '/api/v1/applications/web', { auth: as(who) }), 200, `${who} gets`);
        const resources = must(await call(base, 'GET', '/api/v1/applications/web/resources', { auth: as(who) }), 200, `${who} reads resources`);
        assert.equal((resources.body as unknown[]).length, 2, resources.text);
        must(await call(base, 'GET', '/api/v1/applications/web/history', { auth: as(who) }), 200, `${who} reads history`);
        const diff = must(await call(base, 'GET', '/api/v1/applications/web/diff', { auth: as(who) }), 200, `${who} diffs`);
        assert.ok((diff.body as ResourceDiff[]).some((d) => d.key.kind === 'Deployment' && d.key.name === 'web' && d.state === 'OutOfSync' && d.reason === 'missing' && d.diff.includes('registry.test/web:3')), `${who}: ${diff.text.slice(0, 400)}`);
      }
      const outsiderList = must(await call(base, 'GET', '/api/v1/applications', { auth: as('outsider') }), 200, 'outsider lists');
      assert.deepEqual(outsiderList.body, [], 'public project, but applications are not public');
      assert.equal(outsiderList.headers.get('x-total-count'), '0');
      expectError(await call(base, 'GET', '/api/v1/applications/web', { auth: as('outsider') }), 404, 'outsider gets', /application web not found/);
      expectError(await call(base, 'GET', '/api/v1/applications?project=shop', { auth: as('outsider') }), 404, 'outsider lists the project');
      expectError(await call(base, 'GET', '/api/v1/applications'), 401, 'anonymous lists');
      expectError(await call(base, 'POST', '/api/v1/applications/web/sync', { auth: as('outsider'), body: {} }), 404, 'outsider syncs');

      // Sync and refresh: developer and up.
      for (const who of ['sguest', 'slimited']) {
        expectError(await call(base, 'POST', '/api/v1/applications/web/sync', { auth: as(who), body: {} }), 403, `${who} syncs`, /application:sync/);
        expectError(await call(base, 'POST', '/api/v1/applications/web/refresh', { auth: as(who) }), 403, `${who} refreshes`);
      }
      assert.ok(!(await exists(['namespace', 'shop-web'])), 'refused syncs deploy nothing');
      const op = must(await call(base, 'POST', '/api/v1/applications/web/sync', { auth: as('sdev'), body: { prune: true, revision: 'v2', resources: [DEPLOYMENT_KEY] } }), 200, 'developer syncs');
      const synced = op.body as OperationState;
      assert.equal(synced.phase, 'Succeeded', synced.message);
      // The request reached the cluster as asked: revision v2, the Deployment alone, by sdev.
      assert.deepEqual([synced.revision, synced.trigger, synced.actor, synced.dryRun], [sha.v2, 'manual', 'sdev', false]);
      assert.deepEqual(synced.resources.map((r) => `${r.key.kind}/${r.key.name}:${r.status}`), ['Deployment/web:Synced']);
      assert.equal((await kget(['deployment', 'web', '-n', 'shop-web'])).spec.template.spec.containers[0].image, 'registry.test/web:2');
      assert.ok(!(await exists(['configmap', 'web-config', '-n', 'shop-web'])), 'a sync of selected resources applies those only');
      const refreshed = must(await call(base, 'POST', '/api/v1/applications/web/refresh?hard=true', { auth: as('sdev') }), 200, 'developer refreshes');
      // Compared again with main (image 3) against the cluster (image 2, no ConfigMap).
      const fresh = refreshed.body as ApplicationStatus;
      assert.deepEqual([fresh.sync.status, fresh.sync.revision], ['OutOfSync', sha.main]);
      assert.deepEqual(fresh.resources.map((r) => `${r.key.kind}/${r.key.name}:${r.status}`).sort(), ['ConfigMap/web-config:OutOfSync', 'Deployment/web:OutOfSync']);
      expectError(await call(base, 'POST', '/api/v1/applications/web/sync', { auth: as('sdev'), body: { prune: 'yes' } }), 400, 'bad sync body', /body\.prune/);

      // 409 while an operation runs: a sync of branch held waits on its PreSync hook until a Node may run the hook's Pod.
      const heldSync = call(base, 'POST', '/api/v1/applications/web/sync', { auth: as('sdev'), body: { revision: 'held' } });
      await until('the held sync running', async () => (await statusOf('web'))?.operationState?.phase === 'Running');
      expectError(await call(base, 'POST', '/api/v1/applications/web/sync', { auth: as('sdev'), body: {} }), 409, 'sync while running', /already running/);
      await cluster.kubectl(['label', 'node', 'kwok-node-0', 'berth.test/hold=release', '--overwrite']);
      const held = must(await heldSync, 200, 'the held sync');
      assert.deepEqual([(held.body as OperationState).phase, (held.body as OperationState).revision], ['Succeeded', sha.held], held.text.slice(0, 400));
      assert.equal((await kget(['deployment', 'web', '-n', 'shop-web'])).spec.template.spec.containers[0].image, 'registry.test/web:3');

      // Rollback: needs an existing history entry.
      expectError(await call(base, 'POST', '/api/v1/applications/web/rollback', { auth: as('sdev'), body: { id: 999 } }), 404, 'rollback to nothing');
      const v2Entry = (must(await call(base, 'GET', '/api/v1/applications/web/history', { auth: as('sdev') }), 200, 'history').body as HistoryEntry[]).find((h) => h.revision === sha.v2);
      assert.ok(v2Entry, 'the sync of v2 is in the history');
      const rolled = must(await call(base, 'POST', '/api/v1/applications/web/rollback', { auth: as('sdev'), body: { id: v2Entry.id } }), 200, 'developer rolls back');
      assert.equal((rolled.body as OperationState).phase, 'Succeeded', rolled.text.slice(0, 400));
      assert.equal((await kget(['deployment', 'web', '-n', 'shop-web'])).spec.template.spec.containers[0].image, 'registry.test/web:2');
      const history = must(await call(base, 'GET', '/api/v1/applications/web/history', { auth: as('sguest') }), 200, 'history');
      assert.deepEqual((history.body as HistoryEntry[]).map((h) => [h.trigger, h.revision, h.actor, h.phase]), [
        ['rollback', sha.v2, 'sdev', 'Succeeded'],
        ['manual', sha.held, 'sdev', 'Succeeded'],
        ['manual', sha.v2, 'sdev', 'Succeeded'],
      ]);

      // Update and delete: maintainer and up.
      const newSpec = { ...appSpec(), source: { ...appSpec().source, targetRevision: 'v3' } };
      expectError(await call(base, 'PUT', '/api/v1/applications/web', { auth: as('sdev'), body: { spec: newSpec } }), 403, 'developer updates');
      expectError(await call(base, 'PUT', '/api/v1/applications/web', { auth: as('smaint'), body: { metadata: { name: 'other' }, spec: newSpec } }), 400, 'rename', /cannot be renamed/);
      expectError(await call(base, 'PUT', '/api/v1/applications/web', { auth: as('smaint'), body: { spec: { ...newSpec, destination: { name: 'prod', namespace: 'default' } } } }), 403, 'update to a refused destination');
      const updated = must(await call(base, 'PUT', '/api/v1/applications/web', { auth: as('smaint'), body: { spec: newSpec } }), 200, 'maintainer updates');
      assert.equal((updated.body as ApplicationRecord).spec.source.targetRevision, 'v3');
      expectError(await call(base, 'DELETE', '/api/v1/applications/web', { auth: as('sdev') }), 403, 'developer deletes');
      expectError(await call(base, 'DELETE', '/api/v1/clusters/prod', { auth: ADMIN }), 412, 'cluster in use', /destination of applications web/);
      must(await call(base, 'DELETE', '/api/v1/applications/web?cascade=false', { auth: as('smaint') }), 204, 'maintainer deletes');
      expectError(await call(base, 'GET', '/api/v1/applications/web', { auth: as('smaint') }), 404, 'gone');
      assert.ok((await exists(['deployment', 'web', '-n', 'shop-web'])) && (await exists(['configmap', 'web-config', '-n', 'shop-web'])), 'cascade=false leaves the resources in the cluster');
    });

    test('resource tree (Deployment → ReplicaSet → Pods with health), list filters, live status events, connection state, no secret in any GET', async () => {
      const guestStream = await openStream(`${base}/api/v1/stream?types=application.*`, { authorization: as('sguest') });
      const outsiderStream = await openStream(`${base}/api/v1/stream?types=application.*`, { authorization: as('outsider') });
      try {
        must(await call(base, 'POST', '/api/v1/git-repositories', { auth: ADMIN, body: { url: repoURL } }), 201, 'register the test repository (no credentials)');
        must(await call(base, 'POST', '/api/v1/applications', { auth: as('smaint'), body: { metadata: { name: 'tree' }, spec: { ...appSpec('shop-tree'), source: { ...appSpec().source, targetRevision: sha.main } } } }), 201, 'create tree');
        await until('tree compared', async () => (await statusOf('tree'))?.sync.status === 'OutOfSync');
        const op = must(await call(base, 'POST', '/api/v1/applications/tree/sync', { auth: as('sdev'), body: {} }), 200, 'sync tree');
        assert.equal((op.body as OperationState).phase, 'Succeeded', op.text.slice(0, 300));

        type Node = { group: string; version: string; kind: string; namespace: string; name: string; uid?: string; parentRefs: { kind: string; name: string; uid?: string }[]; managed: boolean; sync?: string; health?: { status: string }; info: { images?: string[]; replicas?: { ready: number; desired: number }; podPhase?: string; ready?: string; restarts?: number; createdAt?: string } };
        const tree = await until('the tree shows Deployment → ReplicaSet → Pod, Healthy', async () => {
          const t = must(await call(base, 'GET', '/api/v1/applications/tree/resource-tree', { auth: as('sguest') }), 200, 'tree').body as { nodes: Node[]; truncated: boolean };
          const pod = t.nodes.find((n) => n.kind === 'Pod');
          const dep = t.nodes.find((n) => n.kind === 'Deployment');
          const replicaSet = t.nodes.find((n) => n.kind === 'ReplicaSet');
          return pod?.health?.status === 'Healthy' && dep?.health?.status === 'Healthy' && replicaSet?.health?.status === 'Healthy' ? t : undefined;
        }, 90_000, 500);
        assert.equal(tree.truncated, false);
        const dep = tree.nodes.find((n) => n.kind === 'Deployment')!;
        assert.deepEqual([dep.group, dep.version, dep.namespace, dep.name, dep.managed, dep.sync], ['apps', 'v1', 'shop-tree', 'web', true, 'Synced']);
        assert.deepEqual(dep.info.replicas, { ready: 1, desired: 1 });
        assert.deepEqual(dep.info.images, ['registry.test/web:3']);
        assert.ok(dep.uid && dep.parentRefs.length === 0);
        const cm = tree.nodes.find((n) => n.kind === 'ConfigMap')!;
        assert.deepEqual([cm.managed, cm.sync, cm.health?.status], [true, 'Synced', 'Healthy']);
        const rs = tree.nodes.find((n) => n.kind === 'ReplicaSet')!;
        assert.deepEqual([rs.managed, rs.sync, rs.parentRefs.map((p) => [p.kind, p.name, p.uid])], [false, undefined, [['Deployment', 'web', dep.uid]]]);
        assert.equal(rs.health?.status, 'Healthy');
        const pods = tree.nodes.filter((n) => n.kind === 'Pod');
        assert.equal(pods.length, 1);
        assert.deepEqual(pods[0]!.parentRefs.map((p) => [p.kind, p.uid]), [['ReplicaSet', rs.uid]]);
        assert.deepEqual([pods[0]!.info.podPhase, pods[0]!.info.ready, pods[0]!.info.restarts, pods[0]!.info.images], ['Running', '1/1', 0, ['registry.test/web:3']]);
        assert.ok(pods[0]!.info.createdAt);
        expectError(await call(base, 'GET', '/api/v1/applications/tree/resource-tree', { auth: as('outsider') }), 404, 'outsider reads the tree');

        const cliToken = (must(await call(base, 'POST', '/api/v1/users/me/tokens', { auth: as('sguest'), body: { name: 'tree-cli' } }), 201, 'token').body as { secret: string }).secret;
        const cli = await runCli(['app', 'tree', 'tree'], { BERTH_SERVER: base, BERTH_TOKEN: cliToken, BERTH_CLI_CONFIG: path.join(os.tmpdir(), `berth-tree-${process.pid}.json`) });
        assert.equal(cli.code, 0, cli.stderr);
        assert.match(cli.stdout, /^Deployment shop-tree\/web {2}Synced {2}Healthy {2}1\/1 ready/m);
        assert.match(cli.stdout, /^└─ ReplicaSet shop-tree\/web-\S+ {2}Healthy/m);
        assert.match(cli.stdout, /^ {3}└─ Pod shop-tree\/web-\S+ {2}Healthy {2}Running {2}1\/1 containers ready/m);

        // Live status over the stream: the guest (application:read) hears the app change, the outsider nothing.
        type StatusData = { application: string; sync: string; health: string; operationPhase?: string };
        await until('status events', () => guestStream.of<StatusData>('application.status_changed').some((e) => e.data.application === 'tree' && e.data.sync === 'Synced' && e.data.health === 'Healthy') || undefined, 30_000, 200);
        const changes = guestStream.of<StatusData>('application.status_changed').filter((e) => e.data.application === 'tree').map((e) => `${e.data.sync}|${e.data.health}|${e.data.operationPhase ?? ''}`);
        assert.ok(changes.includes('OutOfSync|Missing|'), changes.join(' '));
        for (let i = 1; i < changes.length; i++) assert.notEqual(changes[i], changes[i - 1], `announced only on a change: ${changes.join(' ')}`);
        const opEvents = guestStream.of<{ application: string; operationId: string; phase: string }>('application.operation_updated').filter((e) => e.data.application === 'tree');
        const phases = new Set(opEvents.map((e) => e.data.phase));
        assert.ok(phases.has('Pending') && phases.has('Running') && phases.has('Succeeded'), JSON.stringify(opEvents.map((e) => e.data)));
        assert.equal(new Set(opEvents.map((e) => e.data.operationId)).size, 1, 'one operation');
        assert.ok(guestStream.of<{ application: string }>('application.synced').some((e) => e.data.application === 'tree'));
        assert.equal(outsiderStream.events.length, 0, 'no event of a project the caller cannot read');

        // Server-side filters on the saved status and destination.
        const names = async (query: string) => (must(await call(base, 'GET', `/api/v1/applications?${query}`, { auth: as('sguest') }), 200, query).body as { name: string }[]).map((a) => a.name);
        await until('tree listed as Synced and Healthy', async () => (await names('sync=Synced&health=Healthy')).includes('tree'));
        assert.deepEqual(await names('namespace=shop-tree'), ['tree']);
        assert.ok((await names(`cluster=prod`)).includes('tree'));
        assert.ok((await names(`cluster=${encodeURIComponent(cluster.server)}&namespace=shop-tree`)).includes('tree'));
        assert.ok(!(await names('health=Degraded,Missing')).includes('tree'));
        expectError(await call(base, 'GET', '/api/v1/applications?sync=Fine', { auth: ADMIN }), 400, 'bad sync filter', /query\.sync/);

        // Connection state: the cluster and the registered repository were reached.
        const prod = must(await call(base, 'GET', '/api/v1/clusters/prod', { auth: ADMIN }), 200, 'cluster').body as { connection: { lastSuccessAt: number | null; lastError: unknown } };
        assert.ok(prod.connection.lastSuccessAt !== null && prod.connection.lastSuccessAt > Date.now() - 600_000, JSON.stringify(prod));
        assert.equal(prod.connection.lastError, null);
        const repos = must(await call(base, 'GET', '/api/v1/git-repositories', { auth: ADMIN }), 200, 'repositories').body as { url: string; connection: { lastSuccessAt: number | null; lastError: unknown } }[];
        const ours = repos.find((r) => r.url === repoURL)!;
        assert.ok(ours.connection.lastSuccessAt !== null, JSON.stringify(ours));
        assert.deepEqual(repos.find((r) => r.url.includes('git.example.com'))!.connection, { lastSuccessAt: null, lastError: null }, 'never contacted');

        // No secret in any GET answer: cluster token and CA, Git password and SSH key, webhook secret.
        for (const p of ['/clusters', '/clusters/prod', '/git-repositories', '/applications', '/applications/tree', '/applications/tree/resource-tree', '/applications/tree/resources', '/applications/tree/operations', '/applications/tree/history', '/projects/shop/delivery', '/audit-logs?page_size=100']) {
          const res = must(await call(base, 'GET', `/api/v1${p}`, { auth: ADMIN }), 200, p);
          for (const secret of [cluster.token, REPO_PASSWORD, 'OPENSSH', 'PRIVATE KEY', GITHUB_SECRET, 'BEGIN CERTIFICATE']) assert.ok(!res.text.includes(secret), `${p} carries a secret`);
        }
        must(await call(base, 'DELETE', '/api/v1/applications/tree', { auth: as('smaint') }), 204, 'delete tree (cascade)');
      } finally {
        await guestStream.close();
        await outsiderStream.close();
      }
    });

    test('Git webhook: a valid GitHub signature refreshes the apps of the repository; a bad one is 401', async () => {
      must(await call(base, 'POST', '/api/v1/applications', { auth: ADMIN, body: { metadata: { name: 'hooked' }, spec: appSpec('shop-hooked') } }), 201, 'app for the webhook');
      await until('hooked compared', async () => (await statusOf('hooked'))?.sync.revision === sha.main);
      // A push the engine cannot know of: polling is every 180 s and the Git cache is that fresh.
      const pushed = await git.commit(REPO, { 'web/cm.yaml': yamlDocs({ ...configMap, data: { greeting: 'pushed' } }) }, 'greeting');
      const payload = JSON.stringify({
        ref: 'refs/heads/main',
        repository: { html_url: repoURL.replace(/\.git$/, ''), clone_url: repoURL, ssh_url: `git@127.0.0.1:${REPO}.git` },
      });
      const signature = `sha256=${createHmac('sha256', GITHUB_SECRET).update(payload).digest('hex')}`;
      const headers = { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': 'd-1' };
      const ok = must(await call(base, 'POST', '/api/v1/webhooks/git', { raw: payload, headers: { ...headers, 'x-hub-signature-256': signature } }), 200, 'signed webhook');
      assert.deepEqual(ok.body, { apps: 1 });
      await until('hooked compared with the pushed commit', async () => (await statusOf('hooked'))?.sync.revision === pushed, 20_000);
      // The same bytes re-encoded (spaces) no longer match the signature: the raw body is what counts.
      const reencoded = JSON.stringify(JSON.parse(payload), null, 1);
      expectError(await call(base, 'POST', '/api/v1/webhooks/git', { raw: reencoded, headers: { ...headers, 'x-hub-signature-256': signature } }), 401, 're-encoded body');
      expectError(await call(base, 'POST', '/api/v1/webhooks/git', { raw: payload, headers: { ...headers, 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` } }), 401, 'bad signature');
      expectError(await call(base, 'POST', '/api/v1/webhooks/git', { raw: payload, headers }), 401, 'no signature');
      must(await call(base, 'DELETE', '/api/v1/applications/hooked', { auth: ADMIN }), 204, 'cleanup');
    });

    test('the OpenAPI document describes the delivery routes', async () => {
      // The document Berth serves, built from the router every route (delivery ones included) is declared on.
      const doc = must(await call(base, 'GET', '/api/v1/openapi.json'), 200, 'openapi.json').body as { paths: Record<string, Record<string, { requestBody?: unknown; security?: unknown[]; 'x-berth-auth': string }>> };
      const paths = doc.paths;
      for (const p of ['/api/v1/applications', '/api/v1/applications/{name}', '/api/v1/applications/{name}/sync', '/api/v1/applications/{name}/rollback', '/api/v1/clusters', '/api/v1/git-repositories', '/api/v1/projects/{project}/delivery', '/api/v1/webhooks/git']) {
        assert.ok(paths[p], `${p} documented`);
      }
      assert.ok(paths['/api/v1/applications']!.post!.requestBody);
      assert.equal(paths['/api/v1/clusters']!.post!['x-berth-auth'], 'admin');
      assert.deepEqual(paths['/api/v1/webhooks/git']!.post!.security, []);
    });

    test('CLI: cluster add from a kubeconfig, app create/list/get/delete, project delivery', async () => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'berth-delivery-cli-'));
      try {
        const tokenRes = must(await call(base, 'POST', '/api/v1/users/me/tokens', { auth: ADMIN, body: { name: 'cli' } }), 201, 'admin token');
        const env = { BERTH_SERVER: base, BERTH_TOKEN: (tokenRes.body as { secret: string }).secret, BERTH_CLI_CONFIG: path.join(dir, 'cli.json') };
        const kubeconfig = path.join(dir, 'kubeconfig');
        await writeFile(
          kubeconfig,
          [
            'apiVersion: v1',
            'kind: Config',
            'current-context: staging-admin',
            'clusters:',
            '- name: staging',
            '  cluster:',
            '    server: https://staging.example.com:6443',
            `    certificate-authority-data: ${Buffer.from(CA).toString('base64')}`,
            'users:',
            '- name: admin',
            '  user:',
            '    token: kube-token-from-file',
            'contexts:',
            '- name: staging-admin',
            '  context: { cluster: staging, user: admin }',
            '',
          ].join('\n'),
        );
        const add = await runCli(['cluster', 'add', '--kubeconfig', kubeconfig], env);
        assert.equal(add.code, 0, add.stderr);
        assert.match(add.stdout, /Added cluster staging-admin \(https:\/\/staging\.example\.com:6443, token\)/);
        const conn = await delivery.clusters.connection('staging-admin');
        assert.equal(conn?.bearerToken, 'kube-token-from-file');
        assert.equal(conn?.caData, CA);
        const clusters = await runCli(['cluster', 'list'], env);
        assert.equal(clusters.code, 0, clusters.stderr);
        assert.match(clusters.stdout, /staging-admin\s+https:\/\/staging\.example\.com:6443\s+token/);
        assert.ok(!clusters.stdout.includes('kube-token-from-file'));

        const policyFile = path.join(dir, 'policy.yaml');
        await writeFile(policyFile, 'apiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata: { name: bare }\nspec:\n  sourceRepos: ["*"]\n  destinations:\n  - { name: staging-admin, namespace: "*" }\n');
        const setPolicy = await runCli(['project', 'delivery', 'set', 'bare', '-f', policyFile], env);
        assert.equal(setPolicy.code, 0, setPolicy.stderr);
        const getPolicy = await runCli(['project', 'delivery', 'get', 'bare', '-o', 'json'], env);
        assert.deepEqual((JSON.parse(getPolicy.stdout) as { policy: { sourceRepos: string[] } }).policy.sourceRepos, ['*']);

        const create = await runCli(
          ['app', 'create', 'guestbook', '--project', 'bare', '--repo', 'https://git.example.com/bare/gb.git', '--path', 'guestbook', '--dest-name', 'staging-admin', '--dest-namespace', 'gb', '--sync-policy', 'automated', '--self-heal', '--sync-option', 'CreateNamespace=true'],
          env,
        );
        assert.equal(create.code, 0, create.stderr);
        assert.match(create.stdout, /Created application guestbook in project bare/);
        const refused = await runCli(['app', 'create', 'nope', '--project', 'bare', '--repo', 'https://x/y', '--dest-name', 'mars', '--dest-namespace', 'gb'], env);
        assert.equal(refused.code, 1);
        assert.match(refused.stderr, /mars is not a registered cluster/);

        const list = await runCli(['app', 'list'], env);
        assert.equal(list.code, 0, list.stderr);
        assert.match(list.stdout, /^NAME\s+PROJECT\s+CLUSTER/m);
        assert.match(list.stdout, /guestbook\s+bare\s+staging-admin\s+gb\s+Unknown\s+Unknown\s+Auto/);
        const get = await runCli(['app', 'get', 'guestbook', '-o', 'json'], env);
        assert.equal(get.code, 0, get.stderr);
        const got = JSON.parse(get.stdout) as ApplicationRecord;
        assert.deepEqual([got.spec.syncPolicy.automated?.selfHeal, got.spec.syncPolicy.syncOptions], [true, ['CreateNamespace=true']]);
        const getTable = await runCli(['app', 'get', 'guestbook'], env);
        assert.match(getTable.stdout, /sync policy\s+automated \(prune no, self-heal yes\)/);

        const appFile = path.join(dir, 'apps.yaml');
        await writeFile(appFile, `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: { name: guestbook }\nspec:\n  project: bare\n  source: { repoURL: "https://git.example.com/bare/gb.git", path: guestbook, targetRevision: v2 }\n  destination: { name: staging-admin, namespace: gb }\n`);
        const apply = await runCli(['app', 'apply', '-f', appFile], env);
        assert.equal(apply.code, 0, apply.stderr);
        assert.match(apply.stdout, /application\/guestbook updated/);
        assert.equal((await delivery.apps.get('guestbook'))?.spec.source.targetRevision, 'v2');

        const del = await runCli(['app', 'delete', 'guestbook'], env);
        assert.equal(del.code, 0, del.stderr);
        assert.match(del.stdout, /Deleted application guestbook and its resources/);
        assert.equal(await delivery.apps.get('guestbook'), undefined);
        const rm2 = await runCli(['cluster', 'rm', 'staging-admin'], env);
        assert.equal(rm2.code, 0, rm2.stderr);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });
}
