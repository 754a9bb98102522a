/**
 * The delivery objects' API and CLI against a real Berth HTTP server (the
 * app of src/http/app.ts, real auth, real stores, SQLite and PostgreSQL):
 * RBAC per role on applications (developer syncs but does not create, guest
 * reads, non-member sees 404), delivery policy refusals, secrets never
 * returned, Git webhook signatures, and the CLI round trip.
 *
 * FAKE ENGINE, clearly: the delivery engine is not wired into main.ts yet,
 * so this suite builds the server like startBerth does and registers the
 * delivery routes with `FakeEngine` below, which records calls and returns
 * canned answers. The real engine is tested end to end in its own suites;
 * what is under test here is the API's contract with it (who may call
 * what, what reaches the engine, what comes back).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createAccessServices } from '../../src/access/services.ts';
import { TokenService } from '../../src/access/tokens.ts';
import { AuditLog } from '../../src/audit/audit-log.ts';
import { loadConfig } from '../../src/config/config.ts';
import { openDatabase } from '../../src/db/database.ts';
import type { Db } from '../../src/db/schema.ts';
import { ClusterStore } from '../../src/gitops/apps/clusters.ts';
import { DeliveryPolicyStore } from '../../src/gitops/apps/policy.ts';
import { RepositoryStore } from '../../src/gitops/apps/repositories.ts';
import { ApplicationStore } from '../../src/gitops/apps/store.ts';
import { normalizeRepoUrl } from '../../src/gitops/git/urls.ts';
import type { ApplicationRecord, ApplicationStatus, DeliveryEngine, HistoryEntry, OperationState, ResourceDiff, SyncRequest } from '../../src/gitops/types.ts';
import { buildOpenApi } from '../../src/http/api/openapi.ts';
import { ApiRouter } from '../../src/http/api/router.ts';
import { applicationRoutes } from '../../src/http/api/routes/applications.ts';
import { clusterRoutes } from '../../src/http/api/routes/clusters.ts';
import { deliveryPolicyRoutes } from '../../src/http/api/routes/delivery-policy.ts';
import { gitWebhookRoutes } from '../../src/http/api/routes/git-webhooks.ts';
import { repositoryRoutes } from '../../src/http/api/routes/repositories.ts';
import { buildApp } from '../../src/http/app.ts';
import { createLogger } from '../../src/main.ts';
import { Metrics } from '../../src/observability/metrics.ts';
import { Registry } from '../../src/registry/registry.ts';
import { FilesystemStorage } from '../../src/storage/filesystem.ts';
import { ADMIN_PASSWORD, freePort } from '../support/berth.ts';
import { testDatabases } from '../support/databases.ts';
import { ADMIN, PASSWORD, addMember, createUser, must } from '../support/matrix-fixture.ts';
import { basic, call, firstError, type Res } from '../support/matrix-http.ts';

const ROOT = path.join(import.meta.dirname, '..', '..');
const CLI = path.join(ROOT, 'src', 'cli', 'main.ts');
const GITHUB_SECRET = 'webhook-secret-for-tests';
const CA = '-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n';
const CLUSTER_TOKEN = 'cluster-token-never-returned';
const REPO_PASSWORD = 'repo-password-never-returned';
const SSH_KEY = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAAfake\n-----END OPENSSH PRIVATE KEY-----\n';

/** FAKE delivery engine (see the header): records calls, answers from `statuses`. */
class FakeEngine implements DeliveryEngine {
  readonly calls: { op: string; app: string; args?: unknown }[] = [];
  readonly statuses = new Map<string, ApplicationStatus>();
  readonly records = new Map<string, ApplicationRecord>();

  constructor(apps: ApplicationStore) {
    apps.onChange((name, record) => {
      if (record) this.records.set(name, record);
      else this.records.delete(name);
    });
  }

  status(app: string): ApplicationStatus | undefined {
    return this.statuses.get(app);
  }
  async refresh(app: string, options?: { hard?: boolean }): Promise<ApplicationStatus> {
    this.calls.push({ op: 'refresh', app, args: options });
    return this.statuses.get(app) ?? { sync: { status: 'Unknown' }, health: { status: 'Unknown' }, resources: [], conditions: [], reconciledAt: Date.now() };
  }
  async diff(app: string): Promise<ResourceDiff[]> {
    this.calls.push({ op: 'diff', app });
    return [{ key: { group: 'apps', kind: 'Deployment', namespace: 'web', name: 'web' }, state: 'OutOfSync', reason: 'changed', diff: '-replicas: 1\n+replicas: 2\n' }];
  }
  async sync(app: string, request: SyncRequest, actor: string): Promise<OperationState> {
    this.calls.push({ op: 'sync', app, args: { request, actor } });
    return { phase: 'Succeeded', message: 'successfully synced', trigger: 'manual', actor, revision: request.revision ?? 'abc123', startedAt: 1, finishedAt: 2, retryCount: 0, dryRun: request.dryRun ?? false, resources: [] };
  }
  async rollback(app: string, id: number, actor: string): Promise<OperationState> {
    this.calls.push({ op: 'rollback', app, args: { id, actor } });
    return { phase: 'Succeeded', message: 'rolled back', trigger: 'rollback', actor, revision: 'old', startedAt: 1, finishedAt: 2, retryCount: 0, dryRun: false, resources: [] };
  }
  async history(): Promise<HistoryEntry[]> {
    return [];
  }
  async deleted(app: string, options: { cascade: boolean }): Promise<void> {
    this.calls.push({ op: 'deleted', app, args: options });
  }
  repositoryChanged(url: string, branches: readonly string[]): number {
    this.calls.push({ op: 'repositoryChanged', app: '', args: { url, branches } });
    return [...this.records.values()].filter((r) => normalizeRepoUrl(r.spec.source.repoURL) === normalizeRepoUrl(url)).length;
  }
}

interface DeliveryBerth {
  url: string;
  app: FastifyInstance;
  db: Db;
  engine: FakeEngine;
  apps: ApplicationStore;
  /** The router the delivery routes are declared on. */
  api: ApiRouter;
  stop(): Promise<void>;
}

/** The server as startBerth builds it, plus the delivery routes with the FAKE engine. */
async function startDeliveryBerth(env: Record<string, string>): Promise<DeliveryBerth> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'berth-delivery-test-'));
  const port = await freePort();
  const config = loadConfig({
    env: { BERTH_LISTEN: `127.0.0.1:${port}`, BERTH_DATA_DIR: dataDir, BERTH_ADMIN_PASSWORD: ADMIN_PASSWORD, BERTH_LOG_LEVEL: process.env.BERTH_TEST_LOG_LEVEL ?? 'warn', BERTH_STORAGE_FSYNC: 'false', ...env },
  });
  const logger = createLogger(config);
  const db = await openDatabase(config.database);
  const tokens = await TokenService.open(db, { issuer: config.tokenService, audience: config.tokenService, ttlSeconds: config.tokenTtlSeconds });
  const metrics = new Metrics();
  const audit = AuditLog.fromConfig(db, config, { logger, metrics: metrics.registry });
  const access = createAccessServices(db, tokens, { anonymousPull: config.anonymousPull, audit });
  await access.users.ensureAdmin(config.adminPassword);
  const storage = await FilesystemStorage.open({ root: path.join(dataDir, 'storage'), fsync: false });
  const registry = new Registry(db, storage, { catalogPageSize: config.catalogDefaultPageSize });
  const app = buildApp({ logger, metrics, registry, access, audit, version: 'test', baseUrl: config.baseUrl, tokenService: config.tokenService, accessLog: false, trustProxy: false, ready: () => true });

  const policies = new DeliveryPolicyStore(db, audit);
  const clusters = new ClusterStore(db, audit);
  const repositories = new RepositoryStore(db, audit);
  const apps = new ApplicationStore(db, { policies, clusters, audit });
  const engine = new FakeEngine(apps);
  const api = new ApiRouter(app, access);
  applicationRoutes(api, access, { apps, engine });
  clusterRoutes(api, access, { clusters });
  repositoryRoutes(api, access, { repositories });
  deliveryPolicyRoutes(api, access, { policies });
  gitWebhookRoutes(api, access, { engine, secrets: { github: GITHUB_SECRET }, app });

  await app.listen({ host: '127.0.0.1', port });
  return {
    url: `http://127.0.0.1:${port}`,
    app,
    db,
    engine,
    apps,
    api,
    async stop() {
      await app.close();
      await audit.close();
      await db.destroy();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

function expectError(res: Res, status: number, what: string, mention?: RegExp): void {
  assert.equal(res.status, status, `${what}: expected ${status}, got ${res.status} ${res.text.slice(0, 400)}`);
  const e = firstError(res);
  assert.ok(e, `${what}: no error body`);
  if (mention) assert.match(e.message, mention, what);
}

const APP_SPEC = {
  project: 'shop',
  source: { repoURL: 'https://git.example.com/shop/deploy.git', path: 'web', targetRevision: 'main' },
  destination: { name: 'prod', namespace: 'shop-web' },
};
const POLICY = { sourceRepos: ['https://git.example.com/shop/*'], destinations: [{ name: 'prod', namespace: 'shop-*' }] };

function runCli(args: string[], env: Record<string, string>, input = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const childEnv: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...env };
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: childEnv, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

for (const database of await testDatabases()) {
  describe(`delivery API on ${database.name}`, { skip: database.skip }, () => {
    let b: DeliveryBerth;
    let base: string;
    const as = (user: string) => basic(user, PASSWORD);

    before(async () => {
      b = await startDeliveryBerth(await database.env());
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
    });

    test('clusters and repositories: administrators only, secrets never returned', async () => {
      const cluster = { name: 'prod', server: 'https://prod.example.com:6443', bearerToken: CLUSTER_TOKEN, caData: CA };
      expectError(await call(base, 'POST', '/api/v1/clusters', { auth: as('sadmin'), body: cluster }), 403, 'project admin adds a cluster');
      expectError(await call(base, 'GET', '/api/v1/clusters'), 401, 'anonymous lists clusters');
      const created = must(await call(base, 'POST', '/api/v1/clusters', { auth: ADMIN, body: cluster }), 201, 'add cluster');
      assert.ok(!created.text.includes(CLUSTER_TOKEN) && !created.text.includes('BEGIN CERTIFICATE'), created.text);
      assert.deepEqual(created.body, { ...(created.body as object), name: 'prod', auth: 'token', hasCaData: true });
      const listed = must(await call(base, 'GET', '/api/v1/clusters', { auth: ADMIN }), 200, 'list clusters');
      assert.ok(!listed.text.includes(CLUSTER_TOKEN));
      expectError(await call(base, 'POST', '/api/v1/clusters', { auth: ADMIN, body: { ...cluster, name: 'in-cluster', server: 'https://x:6443' } }), 400, 'reserved name', /in-cluster/);
      expectError(await call(base, 'POST', '/api/v1/clusters', { auth: ADMIN, body: { name: 'x', server: 'ftp://x' } }), 400, 'bad server', /body\.server/);

      const repo = { url: 'https://git.example.com/shop/deploy.git', username: 'bot', password: REPO_PASSWORD };
      expectError(await call(base, 'POST', '/api/v1/repositories', { auth: as('sadmin'), body: repo }), 403, 'project admin adds a repository');
      const r = must(await call(base, 'POST', '/api/v1/repositories', { auth: ADMIN, body: repo }), 201, 'add repository');
      must(await call(base, 'POST', '/api/v1/repositories', { auth: ADMIN, body: { url: 'git@git.example.com:shop/infra.git', sshPrivateKey: SSH_KEY, knownHosts: 'git.example.com ssh-ed25519 AAAA' } }), 201, 'add ssh repository');
      const repos = must(await call(base, 'GET', '/api/v1/repositories', { auth: ADMIN }), 200, 'list repositories');
      for (const text of [r.text, repos.text]) {
        assert.ok(!text.includes(REPO_PASSWORD) && !text.includes('OPENSSH'), text);
      }
      assert.deepEqual((repos.body as { hasPassword: boolean; hasSshPrivateKey: boolean }[]).map((x) => [x.hasPassword, x.hasSshPrivateKey]), [[true, false], [false, true]]);
      must(await call(base, 'DELETE', `/api/v1/repositories?url=${encodeURIComponent('ssh://git@git.example.com/shop/infra')}`, { auth: ADMIN }), 204, 'remove by normalized url');
      expectError(await call(base, 'DELETE', `/api/v1/repositories?url=${encodeURIComponent('ssh://git@git.example.com/shop/infra')}`, { auth: ADMIN }), 404, 'removed twice');
      const auditText = (await call(base, 'GET', '/api/v1/audit-logs?page_size=100', { auth: ADMIN })).text;
      assert.ok(!auditText.includes(CLUSTER_TOKEN) && !auditText.includes(REPO_PASSWORD), 'no secret in the audit log');
    });

    test('delivery policy: read by members, set by project admins; without one no applications', async () => {
      expectError(await call(base, 'POST', '/api/v1/applications', { auth: as('smaint'), body: { metadata: { name: 'web' }, spec: APP_SPEC } }), 412, 'no policy', /no delivery policy.*berth project delivery set shop/);
      expectError(await call(base, 'GET', '/api/v1/projects/shop/delivery', { auth: as('sguest') }), 404, 'none yet', /no delivery policy/);
      expectError(await call(base, 'PUT', '/api/v1/projects/shop/delivery', { auth: as('smaint'), body: POLICY }), 403, 'maintainer sets the policy');
      expectError(await call(base, 'PUT', '/api/v1/projects/shop/delivery', { auth: as('outsider'), body: POLICY }), 404, 'outsider sets the policy');
      expectError(await call(base, 'PUT', '/api/v1/projects/shop/delivery', { auth: as('sadmin'), body: { ...POLICY, sourceRepo: [] } }), 400, 'unknown field', /sourceRepo/);
      const set = must(await call(base, 'PUT', '/api/v1/projects/shop/delivery', { auth: as('sadmin'), body: POLICY }), 200, 'project admin sets the policy');
      assert.equal((set.body as { updatedBy: string }).updatedBy, 'sadmin');
      const got = must(await call(base, 'GET', '/api/v1/projects/shop/delivery', { auth: as('slimited') }), 200, 'limited guest reads the policy');
      assert.deepEqual((got.body as { policy: { sourceRepos: string[] } }).policy.sourceRepos, POLICY.sourceRepos);
      expectError(await call(base, 'GET', '/api/v1/projects/shop/delivery'), 401, 'anonymous on a public project');
      expectError(await call(base, 'GET', '/api/v1/projects/shop/delivery', { auth: as('outsider') }), 404, 'outsider on a public project');
    });

    test('policy refusals: repository, destination, unknown cluster', async () => {
      const post = (spec: object) => call(base, 'POST', '/api/v1/applications', { auth: as('smaint'), body: { metadata: { name: 'web' }, spec: { ...APP_SPEC, ...spec } } });
      expectError(await post({ source: { repoURL: 'https://github.com/evil/x' } }), 403, 'repository not allowed', /source repository https:\/\/github\.com\/evil\/x/);
      expectError(await post({ destination: { name: 'prod', namespace: 'kube-system' } }), 403, 'destination not allowed', /destination prod .*kube-system/);
      expectError(await post({ destination: { name: 'mars', namespace: 'shop-web' } }), 400, 'unknown cluster', /mars is not a registered cluster/);
      expectError(await post({ destination: { server: 'https://nowhere:6443', namespace: 'shop-web' } }), 400, 'unknown server', /not a registered cluster/);
      expectError(await post({ destination: { name: 'prod', server: 'https://prod.example.com:6443', namespace: 'shop-web' } }), 400, 'both server and name', /body\.spec\.destination/);
      expectError(await call(base, 'POST', '/api/v1/applications', { auth: as('smaint'), body: { metadata: { name: 'Bad_Name' }, spec: APP_SPEC } }), 400, 'bad name', /body\.metadata\.name/);
      expectError(await call(base, 'POST', '/api/v1/applications', { auth: as('smaint'), body: { metadata: { name: 'x' }, spec: { ...APP_SPEC, project: 'bare' } } }), 412, 'project without policy', /bare has no delivery policy/);
    });

    test('RBAC: maintainers define, developers sync, guests read, non-members see nothing', async () => {
      expectError(await call(base, 'POST', '/api/v1/applications', { auth: as('sdev'), body: { metadata: { name: 'web' }, spec: APP_SPEC } }), 403, 'developer creates', /application:create/);
      expectError(await call(base, 'POST', '/api/v1/applications', { auth: as('outsider'), body: { metadata: { name: 'web' }, spec: APP_SPEC } }), 404, 'outsider creates');
      const created = must(await call(base, 'POST', '/api/v1/applications', { auth: as('smaint'), body: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'web', namespace: 'argocd' }, spec: APP_SPEC } }), 201, 'maintainer creates');
      assert.equal((created.body as { createdBy: string }).createdBy, 'smaint');
      expectError(await call(base, 'POST', '/api/v1/applications', { auth: as('smaint'), body: { metadata: { name: 'web' }, spec: APP_SPEC } }), 409, 'twice');
      b.engine.statuses.set('web', { sync: { status: 'OutOfSync', revision: 'abc123' }, health: { status: 'Progressing' }, resources: [{ key: { group: 'apps', kind: 'Deployment', namespace: 'shop-web', name: 'web' }, version: 'v1', status: 'OutOfSync', health: { status: 'Progressing' } }], conditions: [], reconciledAt: 1 });

      for (const who of ['sadmin', 'smaint', 'sdev', 'sguest', 'slimited']) {
        const list = must(await call(base, 'GET', '/api/v1/applications', { auth: as(who) }), 200, `${who} lists`);
        assert.deepEqual((list.body as { name: string; sync: string; health: string }[]).map((a) => [a.name, a.sync, a.health]), [['web', 'OutOfSync', 'Progressing']], who);
        must(await call(base, 'GET', '/api/v1/applications/web', { auth: as(who) }), 200, `${who} gets`);
        must(await call(base, 'GET', '/api/v1/applications/web/resources', { auth: as(who) }), 200, `${who} reads resources`);
        must(await call(base, 'GET', '/api/v1/applications/web/history', { auth: as(who) }), 200, `${who} reads history`);
        must(await call(base, 'GET', '/api/v1/applications/web/diff', { auth: as(who) }), 200, `${who} diffs`);
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
      b.engine.calls.length = 0;
      const op = must(await call(base, 'POST', '/api/v1/applications/web/sync', { auth: as('sdev'), body: { prune: true, revision: 'v2', resources: [{ group: 'apps', kind: 'Deployment', namespace: 'shop-web', name: 'web' }] } }), 200, 'developer syncs');
      assert.equal((op.body as OperationState).phase, 'Succeeded');
      assert.deepEqual(b.engine.calls[0], { op: 'sync', app: 'web', args: { request: { prune: true, revision: 'v2', resources: [{ group: 'apps', kind: 'Deployment', namespace: 'shop-web', name: 'web' }] }, actor: 'sdev' } });
      must(await call(base, 'POST', '/api/v1/applications/web/refresh?hard=true', { auth: as('sdev') }), 200, 'developer refreshes');
      assert.deepEqual(b.engine.calls[1], { op: 'refresh', app: 'web', args: { hard: true } });
      expectError(await call(base, 'POST', '/api/v1/applications/web/sync', { auth: as('sdev'), body: { prune: 'yes' } }), 400, 'bad sync body', /body\.prune/);

      // 409 while an operation runs.
      const running = b.engine.statuses.get('web')!;
      b.engine.statuses.set('web', { ...running, operationState: { phase: 'Running', message: '', trigger: 'automated', actor: 'berth', revision: 'x', startedAt: 1, retryCount: 0, dryRun: false, resources: [] } });
      expectError(await call(base, 'POST', '/api/v1/applications/web/sync', { auth: as('sdev'), body: {} }), 409, 'sync while running', /already running/);
      b.engine.statuses.set('web', running);

      // Rollback: needs an existing history entry.
      expectError(await call(base, 'POST', '/api/v1/applications/web/rollback', { auth: as('sdev'), body: { id: 999 } }), 404, 'rollback to nothing');
      const entry = await b.apps.appendHistory({ app: 'web', revision: 'old', manifestDigest: 'sha256:x', source: { ...APP_SPEC.source, directory: undefined }, trigger: 'manual', actor: 'sdev', startedAt: 1, finishedAt: 2, phase: 'Succeeded', message: 'ok' });
      must(await call(base, 'POST', '/api/v1/applications/web/rollback', { auth: as('sdev'), body: { id: entry.id } }), 200, 'developer rolls back');
      const history = must(await call(base, 'GET', '/api/v1/applications/web/history', { auth: as('sguest') }), 200, 'history');
      assert.deepEqual((history.body as HistoryEntry[]).map((h) => h.revision), ['old']);

      // Update and delete: maintainer and up.
      const newSpec = { ...APP_SPEC, source: { ...APP_SPEC.source, targetRevision: 'v3' } };
      expectError(await call(base, 'PUT', '/api/v1/applications/web', { auth: as('sdev'), body: { spec: newSpec } }), 403, 'developer updates');
      expectError(await call(base, 'PUT', '/api/v1/applications/web', { auth: as('smaint'), body: { metadata: { name: 'other' }, spec: newSpec } }), 400, 'rename', /cannot be renamed/);
      expectError(await call(base, 'PUT', '/api/v1/applications/web', { auth: as('smaint'), body: { spec: { ...newSpec, destination: { name: 'prod', namespace: 'default' } } } }), 403, 'update to a refused destination');
      const updated = must(await call(base, 'PUT', '/api/v1/applications/web', { auth: as('smaint'), body: { spec: newSpec } }), 200, 'maintainer updates');
      assert.equal((updated.body as ApplicationRecord).spec.source.targetRevision, 'v3');
      expectError(await call(base, 'DELETE', '/api/v1/applications/web', { auth: as('sdev') }), 403, 'developer deletes');
      expectError(await call(base, 'DELETE', '/api/v1/clusters/prod', { auth: ADMIN }), 412, 'cluster in use', /destination of applications web/);
      b.engine.calls.length = 0;
      must(await call(base, 'DELETE', '/api/v1/applications/web?cascade=false', { auth: as('smaint') }), 204, 'maintainer deletes');
      assert.deepEqual(b.engine.calls, [{ op: 'deleted', app: 'web', args: { cascade: false } }]);
      expectError(await call(base, 'GET', '/api/v1/applications/web', { auth: as('smaint') }), 404, 'gone');
    });

    test('Git webhook: a valid GitHub signature refreshes the apps of the repository; a bad one is 401', async () => {
      must(await call(base, 'POST', '/api/v1/applications', { auth: ADMIN, body: { metadata: { name: 'hooked' }, spec: APP_SPEC } }), 201, 'app for the webhook');
      const payload = JSON.stringify({
        ref: 'refs/heads/main',
        repository: { html_url: 'https://git.example.com/shop/deploy', clone_url: 'https://git.example.com/shop/deploy.git', ssh_url: 'git@git.example.com:shop/deploy.git' },
      });
      const signature = `sha256=${createHmac('sha256', GITHUB_SECRET).update(payload).digest('hex')}`;
      const headers = { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': 'd-1' };
      b.engine.calls.length = 0;
      const ok = must(await call(base, 'POST', '/api/v1/webhooks/git', { raw: payload, headers: { ...headers, 'x-hub-signature-256': signature } }), 200, 'signed webhook');
      assert.deepEqual(ok.body, { apps: 1 });
      assert.ok(b.engine.calls.some((c) => c.op === 'repositoryChanged' && (c.args as { branches: string[] }).branches.includes('main')));
      // The same bytes re-encoded (spaces) no longer match the signature: the raw body is what counts.
      const reencoded = JSON.stringify(JSON.parse(payload), null, 1);
      expectError(await call(base, 'POST', '/api/v1/webhooks/git', { raw: reencoded, headers: { ...headers, 'x-hub-signature-256': signature } }), 401, 're-encoded body');
      expectError(await call(base, 'POST', '/api/v1/webhooks/git', { raw: payload, headers: { ...headers, 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` } }), 401, 'bad signature');
      expectError(await call(base, 'POST', '/api/v1/webhooks/git', { raw: payload, headers }), 401, 'no signature');
      must(await call(base, 'DELETE', '/api/v1/applications/hooked', { auth: ADMIN }), 204, 'cleanup');
    });

    test('the OpenAPI document describes the delivery routes', async () => {
      // Built from the router the delivery routes are declared on (a second one here, see FAKE ENGINE).
      const doc = buildOpenApi(b.api, 'test') as { paths: Record<string, Record<string, { requestBody?: unknown; security?: unknown[]; 'x-berth-auth': string }>> };
      const paths = doc.paths;
      for (const p of ['/api/v1/applications', '/api/v1/applications/{name}', '/api/v1/applications/{name}/sync', '/api/v1/applications/{name}/rollback', '/api/v1/clusters', '/api/v1/repositories', '/api/v1/projects/{project}/delivery', '/api/v1/webhooks/git']) {
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
        const conn = await new ClusterStore(b.db).connection('staging-admin');
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
        assert.equal((await b.apps.get('guestbook'))?.spec.source.targetRevision, 'v2');

        const del = await runCli(['app', 'delete', 'guestbook'], env);
        assert.equal(del.code, 0, del.stderr);
        assert.match(del.stdout, /Deleted application guestbook and its resources/);
        assert.equal(await b.apps.get('guestbook'), undefined);
        const rm2 = await runCli(['cluster', 'rm', 'staging-admin'], env);
        assert.equal(rm2.code, 0, rm2.stderr);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });
}
