/**
 * Delivery options end to end on a real control plane: the diff endpoint,
 * ignoreDifferences, retry with backoff, the `berth` CLI against the real
 * engine, and applications loaded from an apps directory at start.
 */
/* eslint-disable @typescript-eslint/no-unsafe-member-access -- kubectl's JSON output is read as untyped objects */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { skipUnlessKubePeers } from '../support/kube-cluster.ts';
import { runCli } from '../support/cli.ts';
import { application, startDeliveryWorld, until, yamlDocs, type DeliveryWorld } from '../support/gitops.ts';

const skip = skipUnlessKubePeers();

const configMap = (name: string, data: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data });
const deployment = (name: string, replicas: number) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name },
  spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'main', image: 'registry.test/x:1' }] } } },
});

/** The CLI with no config file of its own: only BERTH_SERVER and BERTH_TOKEN. */
const cli = (args: string[], env: Record<string, string>) => runCli(args, { BERTH_CLI_CONFIG: path.join(os.tmpdir(), 'berth-cli-none.json'), ...env });

describe('delivery options on a real control plane', { skip }, () => {
  let w: DeliveryWorld;
  before(async () => {
    w = await startDeliveryWorld();
  });
  after(async () => {
    await w?.stop();
  });
  const kget = async (args: string[]) => JSON.parse(await w.cluster.kubectl(['get', ...args, '-o', 'json'])) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const status = async (app: string) => (await w.api<{ status: { sync: { status: string }; health: { status: string } } }>('GET', `/applications/${app}`)).body.status;

  test('the diff endpoint shows a unified diff of what a sync would change', async () => {
    await w.git.createRepo('diff', { 'd/cm.yaml': yamlDocs(configMap('shown', { level: 'one' })) });
    assert.equal((await w.api('POST', '/applications', application('diff', { repo: 'diff', path: 'd', namespace: 'diff' }, w))).status, 201);
    assert.equal((await w.api<{ phase: string }>('POST', '/applications/diff/sync', {})).body.phase, 'Succeeded');
    await w.git.commit('diff', { 'd/cm.yaml': yamlDocs(configMap('shown', { level: 'two' })) });
    const r = await w.api<{ key: { name: string }; state: string; diff: string }[]>('GET', '/applications/diff/diff');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const entry = r.body.find((d) => d.key.name === 'shown');
    assert.equal(entry?.state, 'OutOfSync');
    assert.match(entry?.diff ?? '', /^-\s+level: one$/m);
    assert.match(entry?.diff ?? '', /^\+\s+level: two$/m);
    assert.equal((await kget(['configmap', 'shown', '-n', 'diff'])).data.level, 'one', 'a diff changes nothing');
  });

  test('a dry-run sync changes nothing; a selective sync applies only the named resources', async () => {
    await w.git.createRepo('partial', { 'p/a.yaml': yamlDocs(configMap('pa', { v: '1' })), 'p/b.yaml': yamlDocs(configMap('pb', { v: '1' })) });
    assert.equal((await w.api('POST', '/applications', application('partial', { repo: 'partial', path: 'p', namespace: 'partial' }, w))).status, 201);
    const dry = await w.api<{ phase: string; dryRun: boolean; resources: { status: string; message: string }[] }>('POST', '/applications/partial/sync', { dryRun: true });
    assert.equal(dry.body.phase, 'Succeeded', JSON.stringify(dry.body));
    assert.ok(dry.body.dryRun);
    assert.ok(dry.body.resources.every((r) => /dry run/.test(r.message)));
    assert.equal((await w.cluster.kubectl(['get', 'configmaps', '-n', 'partial', '--ignore-not-found', '-o', 'name'])).includes('configmap/p'), false, 'a dry run creates nothing');
    const only = await w.api<{ phase: string; resources: { key: { name: string } }[] }>('POST', '/applications/partial/sync', { resources: [{ group: '', kind: 'ConfigMap', namespace: 'partial', name: 'pb' }] });
    assert.equal(only.body.phase, 'Succeeded', JSON.stringify(only.body));
    assert.deepEqual(only.body.resources.map((r) => r.key.name), ['pb']);
    assert.equal((await kget(['configmap', 'pb', '-n', 'partial'])).data.v, '1');
    assert.equal((await w.cluster.kubectl(['get', 'configmap', 'pa', '-n', 'partial', '--ignore-not-found', '-o', 'name'])).trim(), '');
  });

  test('ignoreDifferences: a field changed in the cluster neither shows as drift nor is healed', async () => {
    await w.git.createRepo('ignore', { 'i/d.yaml': yamlDocs(deployment('scaled', 1)) });
    const app = application('ignore', { repo: 'ignore', path: 'i', namespace: 'ignore', automated: { selfHeal: true }, extra: { ignoreDifferences: [{ group: 'apps', kind: 'Deployment', jsonPointers: ['/spec/replicas'] }] } }, w);
    assert.equal((await w.api('POST', '/applications', app)).status, 201);
    await until('Synced', async () => (await status('ignore')).sync.status === 'Synced');
    await w.cluster.kubectl(['-n', 'ignore', 'scale', 'deployment', 'scaled', '--replicas', '3']);
    await until('3 replicas ready', async () => (await kget(['deployment', 'scaled', '-n', 'ignore'])).status.readyReplicas === 3);
    await w.api('POST', '/applications/ignore/refresh');
    await new Promise((r) => setTimeout(r, 2500)); // longer than the self-heal delay of the fixture
    assert.equal((await kget(['deployment', 'scaled', '-n', 'ignore'])).spec.replicas, 3);
    assert.equal((await status('ignore')).sync.status, 'Synced');
  });

  test('retry with backoff: a failing sync is tried limit more times, spaced by the backoff', async () => {
    await w.git.createRepo('retry', { 'r/cm.yaml': yamlDocs(configMap('bad', { count: 5 })) }); // a number where the API wants a string
    const app = application('retry', { repo: 'retry', path: 'r', namespace: 'retry', extra: {} }, w) as { spec: { syncPolicy: Record<string, unknown> } };
    app.spec.syncPolicy.retry = { limit: 2, backoff: { duration: '1s', factor: 2, maxDuration: '10s' } };
    assert.equal((await w.api('POST', '/applications', app)).status, 201);
    const started = Date.now();
    const op = await w.api<{ phase: string; retryCount: number; message: string }>('POST', '/applications/retry/sync', {});
    const took = Date.now() - started;
    assert.equal(op.body.phase, 'Failed');
    assert.equal(op.body.retryCount, 2);
    assert.match(op.body.message, /expected string/);
    assert.ok(took >= 3000, `two retries after 1 s and 2 s, took ${took} ms`);
  });

  test('the berth CLI drives the real engine: create, sync, diff, history, rollback', async () => {
    const token = await w.api<{ secret: string }>('POST', '/users/me/tokens', { name: 'gitops-cli' });
    const env = { BERTH_SERVER: w.berth.url, BERTH_TOKEN: token.body.secret };
    const first = await w.git.createRepo('cli', { 'c/cm.yaml': yamlDocs(configMap('from-cli', { v: 'first' })) });
    const dir = await mkdtemp(path.join(os.tmpdir(), 'berth-cli-app-'));
    try {
      await writeFile(path.join(dir, 'app.yaml'), yamlDocs({ apiVersion: 'berth.dev/v1alpha1', kind: 'Application', ...application('cli', { repo: 'cli', path: 'c', namespace: 'cli' }, w) }));
      const created = await cli(['app', 'create', '-f', path.join(dir, 'app.yaml')], env);
      assert.equal(created.code, 0, created.stderr);
      const synced = await cli(['app', 'sync', 'cli', '-o', 'json'], env);
      assert.equal(synced.code, 0, synced.stderr);
      assert.equal((JSON.parse(synced.stdout) as { phase: string }).phase, 'Succeeded');
      await w.git.commit('cli', { 'c/cm.yaml': yamlDocs(configMap('from-cli', { v: 'second' })) });
      const diff = await cli(['app', 'diff', 'cli'], env);
      assert.match(diff.stdout, /second/, diff.stderr);
      assert.equal((await cli(['app', 'sync', 'cli'], env)).code, 0);
      assert.equal((await kget(['configmap', 'from-cli', '-n', 'cli'])).data.v, 'second');
      const history = JSON.parse((await cli(['app', 'history', 'cli', '-o', 'json'], env)).stdout) as { id: number; revision: string }[];
      assert.equal(history.length, 2);
      const firstEntry = history.find((h) => h.revision === first)!;
      const rolled = await cli(['app', 'rollback', 'cli', String(firstEntry.id)], env);
      assert.equal(rolled.code, 0, rolled.stderr);
      assert.equal((await kget(['configmap', 'from-cli', '-n', 'cli'])).data.v, 'first');
      const listed = await cli(['app', 'list'], env);
      assert.match(listed.stdout, /cli/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
  test('an AppProject and an Application from a directory of YAML (the apps directory) are created and synced', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'berth-apps-dir-'));
    try {
      await w.git.createRepo('bootstrap', { 'b/cm.yaml': yamlDocs(configMap('bootstrapped', { v: '1' })) });
      assert.equal((await w.api('POST', '/projects', { name: 'platform' })).status, 201);
      await writeFile(path.join(dir, 'project.yaml'), yamlDocs({ apiVersion: 'argoproj.io/v1alpha1', kind: 'AppProject', metadata: { name: 'platform' }, spec: { sourceRepos: ['*'], destinations: [{ server: '*', namespace: 'boot' }] } }));
      const app = application('boot', { repo: 'bootstrap', path: 'b', namespace: 'boot', automated: {} }, w) as { spec: { project: string } };
      app.spec.project = 'platform';
      await writeFile(path.join(dir, 'apps.yaml'), yamlDocs({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', ...app }));
      // The same call `berth serve` makes at start when appsDir is set.
      await w.berth.delivery!.loadAppsDir(dir);
      await until('boot synced', async () => (await status('boot'))?.sync.status === 'Synced');
      assert.equal((await kget(['configmap', 'bootstrapped', '-n', 'boot'])).data.v, '1');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
  test('a broken kustomization\'s error names repository paths only, never Berth\'s data directory', async () => {
    await w.git.createRepo('broken-kust', { 'apps/web/kustomization.yaml': 'resources: [../base, deploy.yaml]\n', 'apps/base/kustomization.yaml': 'resources: [missing.yaml]\n' });
    const app = application('broken-kust', { repo: 'broken-kust', path: 'apps/web', namespace: 'broken-kust', source: { kustomize: { namePrefix: 'x-', images: ['nginx:1.25'] } } }, w);
    assert.equal((await w.api('POST', '/applications', app)).status, 201);
    const message = await until('the comparison error', async () => {
      const st = (await w.api<{ status?: { conditions: { type: string; message: string }[] } }>('GET', '/applications/broken-kust')).body.status;
      return st?.conditions.find((c) => c.type === 'ComparisonError')?.message;
    });
    assert.match(message, /kustomize failed: .*missing\.yaml/s);
    for (const leak of [w.berth.config.dataDir, 'gitops/git', 'gitops/render', 'berth-render-', '../..']) assert.ok(!message.includes(leak), `the message quotes ${leak}: ${message}`);
    assert.equal((await w.api('DELETE', '/applications/broken-kust?cascade=false')).status < 300, true);
  });

  test('fields another field manager adds are kept and do not make the app OutOfSync; Replace=true removes them (docs/gitops.md)', async () => {
    await w.git.createRepo('fm', { 'f/cm.yaml': yamlDocs(configMap('fm', { a: '1' })) });
    assert.equal((await w.api('POST', '/applications', application('fm', { repo: 'fm', path: 'f', namespace: 'fm' }, w))).status, 201);
    assert.equal((await w.api<{ phase: string }>('POST', '/applications/fm/sync', {})).body.phase, 'Succeeded');
    await w.cluster.kubectl(['patch', 'configmap', 'fm', '-n', 'fm', '--type', 'merge', '-p', '{"metadata":{"labels":{"team":"x"}},"data":{"extra":"y"}}']);
    const refreshed = await w.api<{ sync: { status: string } }>('POST', '/applications/fm/refresh');
    assert.equal(refreshed.body.sync.status, 'Synced', 'a field kubectl-patch owns is not drift');
    const diffs = (await w.api<{ state: string }[]>('GET', '/applications/fm/diff')).body;
    assert.ok(diffs.every((d) => d.state === 'Synced'), JSON.stringify(diffs));
    assert.equal((await w.api<{ phase: string }>('POST', '/applications/fm/sync', {})).body.phase, 'Succeeded');
    let live = await kget(['configmap', 'fm', '-n', 'fm']);
    assert.deepEqual([live.metadata.labels.team, live.data.extra, live.data.a], ['x', 'y', '1'], 'a sync leaves them in place');

    // A field that is in Git and changed by someone else is drift, and a sync takes it back.
    await w.cluster.kubectl(['patch', 'configmap', 'fm', '-n', 'fm', '--type', 'merge', '-p', '{"data":{"a":"2"}}']);
    assert.equal((await w.api<{ sync: { status: string } }>('POST', '/applications/fm/refresh')).body.sync.status, 'OutOfSync');
    assert.equal((await w.api<{ phase: string }>('POST', '/applications/fm/sync', {})).body.phase, 'Succeeded');
    assert.equal((await kget(['configmap', 'fm', '-n', 'fm'])).data.a, '1');

    // Replace=true (once, per request) replaces the object with Git's: the other manager's fields go.
    assert.equal((await w.api<{ phase: string }>('POST', '/applications/fm/sync', { syncOptions: ['Replace=true'] })).body.phase, 'Succeeded');
    live = await kget(['configmap', 'fm', '-n', 'fm']);
    assert.equal(live.metadata.labels?.team, undefined);
    assert.equal(live.data.extra, undefined);
    assert.equal(live.data.a, '1');
  });

  test('a kind the project does not allow stops the comparison and the sync: nothing is applied', async () => {
    assert.equal((await w.api('POST', '/projects', { name: 'narrow' })).status, 201);
    // No clusterResourceWhitelist: cluster-scoped kinds are refused (Argo CD's default).
    assert.equal((await w.api('PUT', '/projects/narrow/delivery', { sourceRepos: ['*'], destinations: [{ server: '*', namespace: '*' }] })).status, 200);
    await w.git.createRepo('narrow', {
      'n/cm.yaml': yamlDocs(configMap('allowed', { v: '1' })),
      'n/role.yaml': yamlDocs({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'too-wide' }, rules: [] }),
    });
    const app = application('narrow', { repo: 'narrow', path: 'n', namespace: 'default', syncOptions: [] }, w) as { spec: { project: string } };
    app.spec.project = 'narrow';
    assert.equal((await w.api('POST', '/applications', app)).status, 201);
    const s = await until('policy condition', async () => {
      const st = (await w.api<{ status?: { sync: { status: string }; conditions: { message: string }[] } }>('GET', '/applications/narrow')).body.status;
      return st?.conditions.some((c) => /does not allow these kinds: rbac.authorization.k8s.io\/ClusterRole/.test(c.message)) ? st : undefined;
    });
    assert.equal(s.sync.status, 'Unknown');
    const op = await w.api<{ phase: string; message: string }>('POST', '/applications/narrow/sync', {});
    assert.equal(op.body.phase, 'Failed');
    assert.match(op.body.message, /nothing was applied/);
    assert.equal((await w.cluster.kubectl(['get', 'configmap', 'allowed', '-n', 'default', '--ignore-not-found', '-o', 'name'])).trim(), '');
    assert.equal((await w.cluster.kubectl(['get', 'clusterrole', 'too-wide', '--ignore-not-found', '-o', 'name'])).trim(), '');
  });
});
