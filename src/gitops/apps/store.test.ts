/**
 * Application, cluster, repository and policy stores on SQLite and
 * PostgreSQL: policy checks, visibility filtering, listeners, audit records
 * written with the change, history trimming, secrets kept out of lists,
 * refusals to remove what is in use, and project deletion.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { testDatabases } from '../../../test/support/databases.ts';
import { AccessError } from '../../access/errors.ts';
import { ProjectService } from '../../access/projects.ts';
import type { AuditContext } from '../../audit/audited.ts';
import type { AuditEvent, AuditRecorder } from '../../audit/types.ts';
import { openDatabase } from '../../platform/db/database.ts';
import type { Db } from '../../platform/db/schema.ts';
import type { ApplicationRecord, HistoryEntry } from '../types.ts';
import { ClusterStore } from './clusters.ts';
import { applyManifests, loadManifests, ManifestError } from './loader.ts';
import { DeliveryPolicyStore } from './policy.ts';
import { RepositoryStore } from './repositories.ts';
import { ApplicationStore, guardProjectDeletion } from './store.ts';

const ACTOR: AuditContext = { actor: { kind: 'user', name: 'alice' }, sourceIp: '127.0.0.1' };
const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3Bl\n-----END OPENSSH PRIVATE KEY-----\n';

function spec(over: Record<string, unknown> = {}) {
  return {
    project: 'team',
    source: { repoURL: 'https://git.example.com/team/apps.git', path: 'guestbook', targetRevision: 'main' },
    destination: { name: 'prod', namespace: 'team-web' },
    ...over,
  };
}

async function rejects(p: Promise<unknown>, code: AccessError['code'], re: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof AccessError, String(err));
    assert.equal(err.code, code, err.message);
    assert.match(err.message, re);
    return true;
  });
}

const databases = await testDatabases();
for (const kind of databases) {
  describe(`delivery stores on ${kind.name}`, { skip: kind.skip }, () => {
    let dir: string;
    let db: Db;
    let events: AuditEvent[];
    let projects: ProjectService;
    let policies: DeliveryPolicyStore;
    let clusters: ClusterStore;
    let repos: RepositoryStore;
    let apps: ApplicationStore;

    before(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'berth-apps-test-'));
      db = await openDatabase(await kind.createUrl(dir));
      events = [];
      const audit: AuditRecorder = {
        record: (e) => events.push(e),
        recordIn: async (_trx, e) => {
          events.push(e);
        },
      };
      projects = new ProjectService(db, audit);
      policies = new DeliveryPolicyStore(db, audit);
      clusters = new ClusterStore(db, audit);
      repos = new RepositoryStore(db, audit);
      apps = new ApplicationStore(db, { policies, clusters, audit }, { historyLimit: 3 });
      for (const p of ['team', 'other', 'empty']) await projects.create({ name: p, createdBy: 'admin' });
      await clusters.add({ name: 'prod', server: 'https://prod.example.com:6443/', bearerToken: 'tok-secret', caData: CA }, ACTOR);
    });
    after(async () => {
      await db.destroy();
      await rm(dir, { recursive: true, force: true });
    });

    test('clusters: secrets only through connection(), reserved and duplicate names refused', async () => {
      const listed = await clusters.list();
      assert.deepEqual(listed.map((c) => [c.name, c.server, c.auth, c.hasCaData]), [['prod', 'https://prod.example.com:6443', 'token', true]]);
      assert.ok(!JSON.stringify(listed).includes('tok-secret'));
      assert.equal((await clusters.connection('prod'))?.bearerToken, 'tok-secret');
      assert.equal((await clusters.connection('https://prod.example.com:6443'))?.name, 'prod');
      assert.equal(await clusters.connection('nope'), undefined);
      await rejects(clusters.add({ name: 'in-cluster', server: 'https://x:6443' }, ACTOR), 'BAD_REQUEST', /in-cluster/);
      await rejects(clusters.add({ name: 'again', server: 'https://PROD.example.com:6443' }, ACTOR), 'CONFLICT', /already registered as cluster prod/);
      await rejects(clusters.add({ name: 'bad', server: 'prod' }, ACTOR), 'BAD_REQUEST', /cluster\.server/);
      await rejects(clusters.add({ name: 'half', server: 'https://h:6443', clientCertData: CA }, ACTOR), 'BAD_REQUEST', /together/);
      assert.ok(!JSON.stringify(events).includes('tok-secret'), 'audit records carry no secret');
    });

    test('repositories: matched on the normalized URL, secrets only through access()', async () => {
      await repos.add({ url: 'https://git.example.com/team/apps.git', username: 'bot', password: 'pw-secret' }, ACTOR);
      await repos.add({ url: 'git@git.example.com:team/infra.git', sshPrivateKey: KEY, knownHosts: 'git.example.com ssh-ed25519 AAAA' }, ACTOR);
      const listed = await repos.list();
      assert.equal(listed.length, 2);
      assert.ok(!JSON.stringify(listed).includes('pw-secret') && !JSON.stringify(listed).includes('OPENSSH'));
      assert.deepEqual(await repos.access('https://GIT.example.com/team/apps/'), { url: 'https://GIT.example.com/team/apps/', username: 'bot', password: 'pw-secret' });
      assert.equal((await repos.access('ssh://git@git.example.com/team/infra')).sshPrivateKey, KEY);
      assert.deepEqual(await repos.access('https://public.example.com/x'), { url: 'https://public.example.com/x' });
      await rejects(repos.add({ url: 'https://git.example.com/team/apps' }, ACTOR), 'CONFLICT', /already registered/);
      await rejects(repos.add({ url: 'https://u:p@h.example/x' }, ACTOR), 'BAD_REQUEST', /must not contain a password/);
      await rejects(repos.add({ url: 'https://h.example/x', sshPrivateKey: KEY }, ACTOR), 'BAD_REQUEST', /SSH repository URLs only/);
      await repos.remove('git@git.example.com:team/infra', ACTOR);
      await rejects(repos.remove('git@git.example.com:team/infra', ACTOR), 'NOT_FOUND', /not found/);
    });

    test('a project without a delivery policy holds no applications', async () => {
      await rejects(apps.create({ name: 'web', spec: spec() }, ACTOR), 'PRECONDITION_FAILED', /no delivery policy.*berth project delivery set team/);
    });

    test('policy refusals name what is refused', async () => {
      await policies.set('team', { sourceRepos: ['https://git.example.com/team/*'], destinations: [{ name: 'prod', namespace: 'team-*' }] }, ACTOR);
      await rejects(apps.create({ name: 'web', spec: spec({ source: { repoURL: 'https://evil.example.com/x' } }) }, ACTOR), 'FORBIDDEN', /source repository https:\/\/evil/);
      await rejects(apps.create({ name: 'web', spec: spec({ destination: { name: 'prod', namespace: 'kube-system' } }) }, ACTOR), 'FORBIDDEN', /destination prod.*kube-system/);
      await rejects(apps.create({ name: 'web', spec: spec({ destination: { name: 'staging', namespace: 'team-web' } }) }, ACTOR), 'BAD_REQUEST', /cluster staging is not a registered cluster/);
      await rejects(apps.create({ name: 'web', spec: spec({ destination: { name: 'in-cluster', namespace: 'team-web' } }) }, ACTOR), 'BAD_REQUEST', /not a registered cluster/);
      await rejects(apps.create({ name: 'Web', spec: spec() }, ACTOR), 'BAD_REQUEST', /metadata\.name/);
      await rejects(apps.create({ name: 'web', spec: { ...spec(), source: { path: 'x' } } }, ACTOR), 'BAD_REQUEST', /spec\.source\.repoURL/);
      await rejects(apps.create({ name: 'web', spec: { ...spec(), sourceX: 1 } }, ACTOR), 'BAD_REQUEST', /sourceX/);
      await rejects(apps.create({ name: 'web', spec: spec({ project: 'nosuch' }) }, ACTOR), 'PRECONDITION_FAILED', /nosuch has no delivery policy/);
    });

    test('create, get, update, list with visibility, listeners after commit, audit in the transaction', async () => {
      const seen: [string, ApplicationRecord | undefined][] = [];
      const off = apps.onChange((n, r) => seen.push([n, r]));
      const before = events.length;
      const created = await apps.create({ name: 'web', spec: spec() }, ACTOR);
      assert.equal(created.project, 'team');
      assert.equal(created.createdBy, 'alice');
      assert.equal(created.spec.syncPolicy.syncOptions.length, 0, 'defaults applied');
      assert.deepEqual(events.slice(before).map((e) => [e.resourceType, e.resource, e.action, e.project]), [['application', 'team/web', 'create', 'team']]);
      await rejects(apps.create({ name: 'web', spec: spec() }, ACTOR), 'CONFLICT', /already exists/);
      // Destination by server resolves to the same registered cluster.
      await apps.create({ name: 'api', spec: spec({ destination: { server: 'https://prod.example.com:6443', namespace: 'team-api' } }) }, ACTOR);
      await policies.set('other', { sourceRepos: ['*'], destinations: [{ server: '*', namespace: '*' }] }, ACTOR);
      await apps.create({ name: 'ops', spec: spec({ project: 'other', destination: { name: 'prod', namespace: 'ops' } }) }, ACTOR);

      const updated = await apps.update('web', spec({ source: { repoURL: 'https://git.example.com/team/apps', targetRevision: 'v2', path: 'guestbook' } }), ACTOR);
      assert.equal(updated.spec.source.targetRevision, 'v2');
      assert.equal((await apps.get('web'))?.spec.source.targetRevision, 'v2');
      await rejects(apps.update('nope', spec(), ACTOR), 'NOT_FOUND', /application nope/);
      await rejects(apps.update('web', spec({ destination: { name: 'prod', namespace: 'elsewhere' } }), ACTOR), 'FORBIDDEN', /elsewhere/);

      const all = await apps.list({ page: 1, pageSize: 10 });
      assert.deepEqual(all.items.map((a) => a.record.name), ['api', 'ops', 'web']);
      assert.equal(all.total, 3);
      assert.deepEqual((await apps.list({ projects: ['other'], page: 1, pageSize: 10 })).items.map((a) => a.record.name), ['ops']);
      assert.equal((await apps.list({ projects: [], page: 1, pageSize: 10 })).total, 0);
      assert.deepEqual((await apps.list({ project: 'team', q: 'W', page: 1, pageSize: 10 })).items.map((a) => a.record.name), ['web']);
      const page2 = await apps.list({ page: 2, pageSize: 2 });
      assert.deepEqual([page2.items.map((a) => a.record.name), page2.total], [['web'], 3]);
      // Filters in SQL: the destination (cluster by name or server), and the saved status (Unknown when never saved).
      await apps.saveStatus('web', { sync: { status: 'Synced', revision: 'abc' }, health: { status: 'Degraded' }, resources: [], conditions: [], reconciledAt: 1, operationState: { phase: 'Succeeded', message: '', trigger: 'manual', actor: 'a', revision: 'abc', startedAt: 1, retryCount: 0, dryRun: false, resources: [] } });
      const names = async (f: Parameters<typeof apps.list>[0] extends infer F ? Omit<F, 'page' | 'pageSize'> : never) => (await apps.list({ ...f, page: 1, pageSize: 10 })).items.map((a) => a.record.name);
      assert.deepEqual(await names({ sync: ['Synced'] }), ['web']);
      assert.deepEqual(await names({ health: ['Degraded', 'Missing'] }), ['web']);
      assert.deepEqual(await names({ sync: ['Unknown'] }), ['api', 'ops']);
      assert.deepEqual(await names({ namespace: 'ops' }), ['ops']);
      assert.deepEqual(await names({ cluster: 'prod' }), ['api', 'ops', 'web'], 'by name: every app of the cluster, however its destination named it');
      assert.deepEqual(await names({ cluster: 'https://prod.example.com:6443', namespace: 'team-api' }), ['api']);
      assert.deepEqual(await names({ cluster: 'staging' }), []);
      const web = (await apps.list({ name: 'web', page: 1, pageSize: 1 })).items[0]!;
      assert.equal(web.status?.health.status, 'Degraded', 'the page carries the saved status');
      assert.deepEqual((await apps.listAll()).map((a) => a.name), ['api', 'ops', 'web']);
      off();
      assert.deepEqual(seen.map(([n, r]) => [n, r?.spec.source.targetRevision]), [['web', 'main'], ['api', 'main'], ['ops', 'main'], ['web', 'v2']]);
    });

    test('status round trip; history newest first, trimmed to the limit', async () => {
      await apps.saveStatus('web', { sync: { status: 'Synced', revision: 'abc' }, health: { status: 'Healthy' }, resources: [], conditions: [], reconciledAt: 5 });
      assert.equal((await apps.loadStatus('web'))?.sync.revision, 'abc');
      await apps.saveStatus('web', { sync: { status: 'OutOfSync' }, health: { status: 'Degraded' }, resources: [], conditions: [], reconciledAt: 6 });
      assert.equal((await apps.loadStatus('web'))?.health.status, 'Degraded');
      await apps.saveStatus('ghost', { sync: { status: 'Unknown' }, health: { status: 'Unknown' }, resources: [], conditions: [], reconciledAt: 0 });
      assert.equal(await apps.loadStatus('ghost'), undefined);

      const entries: HistoryEntry[] = [];
      for (let i = 1; i <= 5; i++) {
        entries.push(
          await apps.appendHistory({
            app: 'web',
            revision: `rev${i}`,
            manifestDigest: `sha256:${i}`,
            source: { repoURL: 'https://git.example.com/team/apps', targetRevision: 'main', path: 'guestbook' },
            trigger: 'manual',
            actor: 'alice',
            startedAt: i,
            finishedAt: i + 1,
            phase: 'Succeeded',
            message: 'ok',
          }),
        );
      }
      await apps.appendHistory({ ...entries[0]!, app: 'api', revision: 'x' });
      const history = await apps.listHistory('web');
      assert.deepEqual(history.map((h) => h.revision), ['rev5', 'rev4', 'rev3'], 'kept the last 3');
      assert.deepEqual((await apps.listHistory('web', 1)).map((h) => h.revision), ['rev5']);
      assert.equal((await apps.getHistory('web', entries[3]!.id))?.revision, 'rev4');
      assert.equal(await apps.getHistory('web', entries[0]!.id), undefined, 'trimmed');
      assert.equal(await apps.getHistory('api', entries[4]!.id), undefined, 'another app’s entry');
      assert.equal((await apps.listHistory('api')).length, 1);
      await rejects(apps.appendHistory({ ...entries[0]!, app: 'ghost' }), 'NOT_FOUND', /ghost/);
    });

    test('a cluster in use cannot be removed; a project with applications is deleted only when forced', async () => {
      await rejects(clusters.remove('prod', ACTOR), 'PRECONDITION_FAILED', /api, ops, web/);
      await rejects(clusters.remove('nope', ACTOR), 'NOT_FOUND', /nope/);
      await rejects(db.transaction().execute((trx) => guardProjectDeletion(trx, 'other', false)), 'PRECONDITION_FAILED', /holds 1 applications \(ops\)/);
      const removed = await db.transaction().execute((trx) => guardProjectDeletion(trx, 'other', true));
      assert.deepEqual(removed, ['ops']);
      assert.equal(await apps.get('ops'), undefined);
      assert.deepEqual(await db.transaction().execute((trx) => guardProjectDeletion(trx, 'empty', false)), []);
      // Without the hook in ProjectService.delete, the foreign key still refuses to orphan applications.
      await assert.rejects(projects.delete('team', true));
      assert.ok(await apps.get('web'));
    });

    test('delete removes status and history and tells listeners', async () => {
      const seen: [string, unknown][] = [];
      const off = apps.onChange((n, r) => seen.push([n, r]));
      await apps.delete('web', ACTOR);
      off();
      assert.deepEqual(seen, [['web', undefined]]);
      assert.equal(await apps.get('web'), undefined);
      assert.equal(await apps.loadStatus('web'), undefined);
      assert.deepEqual(await apps.listHistory('web'), []);
      await rejects(apps.delete('web', ACTOR), 'NOT_FOUND', /web/);
    });

    test('manifests: loaded from a directory with errors naming file and field, applied create-or-update', async () => {
      const m = path.join(dir, 'manifests');
      await mkdir(path.join(m, 'apps'), { recursive: true });
      await writeFile(
        path.join(m, '00-project.yaml'),
        'apiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata: { name: empty }\nspec:\n  sourceRepos: ["*"]\n  destinations: [{ name: prod, namespace: "*" }]\n',
      );
      const app = (name: string, rev: string) =>
        `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: ${name}\n  namespace: argocd\nspec:\n  project: empty\n  source: { repoURL: "https://git.example.com/x", path: ".", targetRevision: ${rev} }\n  destination: { name: prod, namespace: boot }\n`;
      await writeFile(path.join(m, 'apps', 'a.yml'), `${app('boot-a', 'main')}---\n${app('boot-b', 'main')}`);
      await writeFile(path.join(m, 'README.md'), 'not yaml');
      const docs = await loadManifests(m);
      assert.deepEqual(docs.map((d) => `${d.kind}/${d.doc.metadata.name}`), ['AppProject/empty', 'Application/boot-a', 'Application/boot-b']);
      assert.deepEqual(await applyManifests(docs, { apps, policies }, ACTOR), [
        { kind: 'AppProject', name: 'empty', action: 'created' },
        { kind: 'Application', name: 'boot-a', action: 'created' },
        { kind: 'Application', name: 'boot-b', action: 'created' },
      ]);
      await writeFile(path.join(m, 'apps', 'a.yml'), app('boot-a', 'v9'));
      const again = await applyManifests(await loadManifests(m), { apps, policies }, ACTOR);
      assert.deepEqual(again.map((r) => r.action), ['updated', 'updated']);
      assert.equal((await apps.get('boot-a'))?.spec.source.targetRevision, 'v9');

      await writeFile(path.join(m, 'apps', 'bad.yaml'), `${app('ok', 'main')}---\nkind: Application\nmetadata: { name: bad }\nspec:\n  project: empty\n  source: { repoURL: x }\n  destination: { name: prod, namespace: a, cluster: b }\n`);
      await assert.rejects(loadManifests(m), (err: unknown) => {
        assert.ok(err instanceof ManifestError);
        assert.match(err.message, /bad\.yaml \(document 2\): .*spec\.destination.*cluster/);
        return true;
      });
      await writeFile(path.join(m, 'apps', 'bad.yaml'), 'kind: Deployment\nmetadata: { name: x }\n');
      await assert.rejects(loadManifests(m), /bad\.yaml: kind "Deployment" is not Application or AppProject/);
    });
  });
}
