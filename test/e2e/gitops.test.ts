/**
 * The delivery engine end to end: applications from a real Git server,
 * rendered, diffed and synced into a real Kubernetes control plane whose
 * Pods kwok moves to Running; everything asserted from the cluster itself.
 */
/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument -- kubectl's JSON output is read as untyped objects */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { skipUnlessKubePeers, startKubeCluster } from '../support/kube-cluster.ts';
import { application, startDeliveryWorld, until, yamlDocs, type DeliveryWorld } from '../support/gitops.ts';

const skip = skipUnlessKubePeers();

const deployment = (name: string, image: string, replicas = 2, annotations: Record<string, string> = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, annotations },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'main', image }] } },
  },
});
const service = (name: string) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { selector: { app: name }, ports: [{ port: 80, targetPort: 8080 }] } });
const configMap = (name: string, data: Record<string, string>, annotations: Record<string, string> = {}) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, annotations }, data });
const job = (name: string, annotations: Record<string, string>, podAnnotations: Record<string, string> = {}) => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name, annotations },
  spec: { backoffLimit: 0, template: { metadata: { annotations: podAnnotations }, spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'registry.test/tool:1' }] } } },
});

interface Status { sync: { status: string; revision?: string }; health: { status: string }; resources: { key: { kind: string; name: string }; status: string; requiresPruning?: boolean }[]; operationState?: { phase: string; message: string; resources: { key: { kind: string; name: string }; status: string; hookPhase?: string }[] }; conditions: { type: string; message: string }[] }

describe('delivery engine on a real control plane', { skip }, () => {
  let w: DeliveryWorld;
  before(async () => {
    w = await startDeliveryWorld();
  });
  after(async () => {
    await w?.stop();
  });

  const status = async (app: string) => {
    const r = await w.api<{ status?: Status }>('GET', `/applications/${app}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body.status!;
  };
  const kget = async (args: string[]) => JSON.parse(await w.cluster.kubectl(['get', ...args, '-o', 'json'])) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const exists = async (args: string[]) => (await w.cluster.kubectl(['get', ...args, '--ignore-not-found', '-o', 'name'])).trim() !== '';
  const synced = async (app: string, health = 'Healthy') => {
    let last: Status | undefined;
    try {
      return await until(`${app} Synced and ${health}`, async () => {
        last = await status(app);
        return last.sync.status === 'Synced' && last.health.status === health ? last : undefined;
      });
    } catch (err) {
      throw new Error(`${(err as Error).message}; last status: ${JSON.stringify(last)}`, { cause: err });
    }
  };

  test('a Deployment + Service + ConfigMap app reaches Synced and Healthy; a commit is applied on a webhook; drift is self-healed', async () => {
    const sha1 = await w.git.createRepo('guestbook', {
      'app/deploy.yaml': yamlDocs(deployment('web', 'registry.test/web:1.0')),
      'app/svc.yaml': yamlDocs(service('web')),
      'app/cm.yaml': yamlDocs(configMap('web-config', { greeting: 'hello' })),
      'README.md': 'not a manifest directory file',
    });
    const created = await w.api('POST', '/applications', application('guestbook', { repo: 'guestbook', path: 'app', namespace: 'guestbook', automated: { prune: true, selfHeal: true } }, w));
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const s = await synced('guestbook');
    assert.equal(s.sync.revision, sha1);
    const pods = await kget(['pods', '-n', 'guestbook', '-l', 'app=web']);
    assert.equal(pods.items.length, 2);
    for (const p of pods.items) assert.equal(p.status.phase, 'Running');
    assert.equal((await kget(['deployment', 'web', '-n', 'guestbook'])).status.availableReplicas, 2);

    // A new image in Git, announced by a webhook, reaches the cluster.
    const sha2 = await w.git.commit('guestbook', { 'app/deploy.yaml': yamlDocs(deployment('web', 'registry.test/web:1.1')) }, 'web 1.1');
    const started = Date.now();
    const hook = await w.pushWebhook('guestbook');
    assert.equal(hook.status, 200, JSON.stringify(hook.body));
    await until('image 1.1 in the cluster', async () => (await kget(['deployment', 'web', '-n', 'guestbook'])).spec.template.spec.containers[0].image === 'registry.test/web:1.1', 20_000);
    const webhookToCluster = Date.now() - started;
    const after2 = await synced('guestbook');
    assert.equal(after2.sync.revision, sha2);
    process.stderr.write(`webhook to cluster: ${webhookToCluster} ms\n`);

    // Drift: a changed ConfigMap and a scaled Deployment are put back.
    await w.cluster.kubectl(['-n', 'guestbook', 'patch', 'configmap', 'web-config', '--type', 'merge', '-p', '{"data":{"greeting":"tampered"}}']);
    await w.cluster.kubectl(['-n', 'guestbook', 'scale', 'deployment', 'web', '--replicas', '5']);
    await until('self-heal', async () => {
      const cm = await kget(['configmap', 'web-config', '-n', 'guestbook']);
      const d = await kget(['deployment', 'web', '-n', 'guestbook']);
      return cm.data.greeting === 'hello' && d.spec.replicas === 2;
    }, 20_000);
    const history = await w.api<{ trigger: string; revision: string; phase: string }[]>('GET', '/applications/guestbook/history');
    assert.equal(history.status, 200);
    assert.ok(history.body.some((h) => h.trigger === 'self-heal' && h.phase === 'Succeeded'), JSON.stringify(history.body));
    assert.ok(history.body.some((h) => h.revision === sha1) && history.body.some((h) => h.revision === sha2));

    // Right after self-heal the Deployment may still be Progressing (5 → 2 replicas): wait for the status the metric mirrors.
    const appInfo = /berth_app_info\{name="guestbook",project="team",dest="[^"]+",sync_status="Synced",health_status="Healthy"\} 1/;
    let metrics = '';
    await until('berth_app_info Synced and Healthy', async () => appInfo.test((metrics = await (await fetch(`${w.berth.url}/metrics`)).text())), 20_000);
    assert.match(metrics, appInfo);
    assert.match(metrics, /berth_app_sync_total\{name="guestbook",project="team",phase="Succeeded",trigger="self-heal"\} [1-9]/);
  });

  test('a removed manifest is pruned only with prune on, never with Prune=false; rollback restores an earlier revision', async () => {
    await w.git.createRepo('prune', {
      'm/cm-a.yaml': yamlDocs(configMap('a', { v: '1' })),
      'm/cm-b.yaml': yamlDocs(configMap('b', { v: '1' })),
      'm/cm-keep.yaml': yamlDocs(configMap('keep', { v: '1' }, { 'argocd.argoproj.io/sync-options': 'Prune=false' })),
    });
    assert.equal((await w.api('POST', '/applications', application('prune', { repo: 'prune', path: 'm', namespace: 'prune' }, w))).status, 201);
    const first = await w.api<{ phase: string }>('POST', '/applications/prune/sync', {});
    assert.equal(first.body.phase, 'Succeeded', JSON.stringify(first.body));
    await synced('prune');

    await w.git.commit('prune', { 'm/cm-b.yaml': null, 'm/cm-keep.yaml': null }, 'drop b and keep');
    await w.api('POST', '/applications/prune/refresh');
    const out = await until('b requires pruning', async () => {
      const s = await status('prune');
      return s.resources.some((r) => r.key.name === 'b' && r.requiresPruning) ? s : undefined;
    });
    assert.equal(out.sync.status, 'OutOfSync');
    const noPrune = await w.api<{ phase: string; resources: { key: { name: string }; status: string }[] }>('POST', '/applications/prune/sync', {});
    assert.equal(noPrune.body.phase, 'Succeeded');
    assert.ok(await exists(['configmap', 'b', '-n', 'prune']), 'b must survive a sync without prune');
    const withPrune = await w.api<{ phase: string; resources: { key: { name: string }; status: string }[] }>('POST', '/applications/prune/sync', { prune: true });
    assert.equal(withPrune.body.phase, 'Succeeded', JSON.stringify(withPrune.body));
    assert.deepEqual(withPrune.body.resources.filter((r) => r.key.name !== 'a').map((r) => `${r.key.name}:${r.status}`).sort(), ['b:Pruned', 'keep:PruneSkipped']);
    await until('b gone', async () => !(await exists(['configmap', 'b', '-n', 'prune'])));
    assert.ok(await exists(['configmap', 'keep', '-n', 'prune']), 'Prune=false must never be pruned');

    // Rollback to the first sync brings b back.
    const history = await w.api<{ id: number; trigger: string }[]>('GET', '/applications/prune/history');
    const oldest = history.body.at(-1)!;
    const rolled = await w.api<{ phase: string }>('POST', '/applications/prune/rollback', { id: oldest.id });
    assert.equal(rolled.status, 200, JSON.stringify(rolled.body));
    assert.equal(rolled.body.phase, 'Succeeded');
    assert.ok(await exists(['configmap', 'b', '-n', 'prune']));
    const afterRollback = await w.api<{ trigger: string }[]>('GET', '/applications/prune/history');
    assert.equal(afterRollback.body[0]!.trigger, 'rollback');
  });

  test('rollback is refused while automated sync is on', async () => {
    const history = await w.api<{ id: number }[]>('GET', '/applications/guestbook/history');
    const r = await w.api<{ message?: string; errors?: { message: string }[] }>('POST', '/applications/guestbook/rollback', { id: history.body.at(-1)!.id });
    assert.equal(r.status, 412, JSON.stringify(r.body));
    assert.match(JSON.stringify(r.body), /automated sync/);
  });

  test('waves and hooks run in order, each wave healthy before the next', async () => {
    await w.git.createRepo('waves', {
      'w/pre.yaml': yamlDocs(job('pre', { 'argocd.argoproj.io/hook': 'PreSync' })),
      'w/db.yaml': yamlDocs(deployment('db', 'registry.test/db:1', 1, { 'argocd.argoproj.io/sync-wave': '-1' })),
      'w/config.yaml': yamlDocs(configMap('after-db', { ok: 'ready' }, { 'argocd.argoproj.io/sync-wave': '1' })),
      'w/post.yaml': yamlDocs(job('post', { 'argocd.argoproj.io/hook': 'PostSync', 'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation' })),
    });
    assert.equal((await w.api('POST', '/applications', application('waves', { repo: 'waves', path: 'w', namespace: 'waves' }, w))).status, 201);
    const op = await w.api<{ phase: string; message: string; resources: { key: { name: string }; phase: string; wave: number; status: string }[] }>('POST', '/applications/waves/sync', {});
    assert.equal(op.body.phase, 'Succeeded', op.body.message);
    assert.deepEqual(op.body.resources.map((r) => `${r.phase}:${r.wave}:${r.key.name}:${r.status}`), ['PreSync:0:pre:Succeeded', 'Sync:-1:db:Synced', 'Sync:1:after-db:Synced', 'PostSync:0:post:Succeeded']);
    const pre = await kget(['job', 'pre', '-n', 'waves']);
    const db = await kget(['deployment', 'db', '-n', 'waves']);
    const cm = await kget(['configmap', 'after-db', '-n', 'waves']);
    const post = await kget(['job', 'post', '-n', 'waves']);
    const t = (s: string) => Date.parse(s);
    const available = db.status.conditions.find((c: { type: string }) => c.type === 'Available');
    assert.ok(t(pre.status.completionTime) <= t(db.metadata.creationTimestamp), 'PreSync hook complete before wave -1');
    assert.ok(t(available.lastTransitionTime) <= t(cm.metadata.creationTimestamp), 'wave -1 Available before wave 1 starts');
    assert.ok(t(cm.metadata.creationTimestamp) <= t(post.metadata.creationTimestamp), 'PostSync after the last wave');
  });

  test('a failing PreSync hook runs SyncFail and stops the sync', async () => {
    await w.git.createRepo('failing', {
      'f/pre.yaml': yamlDocs(job('pre-fails', { 'argocd.argoproj.io/hook': 'PreSync' }, { 'kwok.berth.test/fail': 'true' })),
      'f/cm.yaml': yamlDocs(configMap('never', { v: '1' })),
      'f/onfail.yaml': yamlDocs(configMap('sync-failed', { v: '1' }, { 'argocd.argoproj.io/hook': 'SyncFail' })),
    });
    assert.equal((await w.api('POST', '/applications', application('failing', { repo: 'failing', path: 'f', namespace: 'failing' }, w))).status, 201);
    const op = await w.api<{ phase: string; message: string }>('POST', '/applications/failing/sync', {});
    assert.equal(op.body.phase, 'Failed');
    assert.match(op.body.message, /PreSync hook .*pre-fails/);
    assert.ok(!(await exists(['configmap', 'never', '-n', 'failing'])), 'nothing of the Sync phase may be applied');
    assert.ok(await exists(['configmap', 'sync-failed', '-n', 'failing']), 'the SyncFail hook ran');
  });

  test('a broken render and an unreachable repository prune nothing', async () => {
    await w.git.createRepo('safety', { 's/a.yaml': yamlDocs(configMap('a', { v: '1' })), 's/b.yaml': yamlDocs(configMap('b', { v: '1' })) });
    assert.equal((await w.api('POST', '/applications', application('safety', { repo: 'safety', path: 's', namespace: 'safety', automated: { prune: true, selfHeal: true } }, w))).status, 201);
    await synced('safety');

    await w.git.commit('safety', { 's/b.yaml': 'kind: [unclosed' }, 'broken yaml');
    await w.api('POST', '/applications/safety/refresh');
    const broken = await until('render error', async () => {
      const s = await status('safety');
      return s.conditions.some((c) => c.type === 'ComparisonError') ? s : undefined;
    });
    assert.match(broken.conditions[0]!.message, /render/);
    const manual = await w.api<{ phase: string; message: string }>('POST', '/applications/safety/sync', { prune: true });
    assert.equal(manual.body.phase, 'Failed');
    assert.match(manual.body.message, /nothing was applied or pruned/);
    assert.ok(await exists(['configmap', 'a', '-n', 'safety']) && (await exists(['configmap', 'b', '-n', 'safety'])));

    await w.git.commit('safety', { 's/b.yaml': null, 's/a.yaml': null, 's/empty.txt': '' }, 'everything removed');
    await w.api('POST', '/applications/safety/refresh');
    const empty = await until('empty render refused', async () => {
      const s = await status('safety');
      return s.conditions.some((c) => /zero resources/.test(c.message)) ? s : undefined;
    });
    assert.equal(empty.sync.status, 'OutOfSync');
    assert.ok(await exists(['configmap', 'a', '-n', 'safety']) && (await exists(['configmap', 'b', '-n', 'safety'])), 'an empty render prunes nothing without allowEmpty');

    w.git.setAvailable(false);
    try {
      await w.api('POST', '/applications/safety/refresh');
      const down = await until('unreachable', async () => {
        const s = await status('safety');
        return s.conditions.some((c) => /unreachable/.test(c.message)) ? s : undefined;
      });
      assert.equal(down.sync.status, 'Unknown');
      const op = await w.api<{ phase: string; message: string }>('POST', '/applications/safety/sync', { prune: true });
      assert.equal(op.body.phase, 'Failed');
      assert.ok(await exists(['configmap', 'a', '-n', 'safety']) && (await exists(['configmap', 'b', '-n', 'safety'])), 'an unreachable repository prunes nothing');
    } finally {
      w.git.setAvailable(true);
    }
  });

  test('a Kustomize app and a Helm app', async () => {
    await w.git.createRepo('tools', {
      'kust/kustomization.yaml': 'resources:\n  - deploy.yaml\n',
      'kust/deploy.yaml': yamlDocs(deployment('kweb', 'registry.test/kweb:1.0', 1)),
      'chart/Chart.yaml': 'apiVersion: v2\nname: hweb\nversion: 0.1.0\n',
      'chart/values.yaml': 'image: registry.test/hweb:1.0\nreplicas: 1\n',
      'chart/templates/deploy.yaml': [
        'apiVersion: apps/v1', 'kind: Deployment', 'metadata:', '  name: {{ .Release.Name }}-web', 'spec:', '  replicas: {{ .Values.replicas }}',
        '  selector:', '    matchLabels: {app: {{ .Release.Name }}}', '  template:', '    metadata:', '      labels: {app: {{ .Release.Name }}}',
        '    spec:', '      containers:', '        - name: main', '          image: {{ .Values.image }}', '',
      ].join('\n'),
    });
    const k = application('kust', { repo: 'tools', path: 'kust', namespace: 'kust', automated: {}, source: { kustomize: { images: ['registry.test/kweb:2.0'], namePrefix: 'p-', commonLabels: { team: 'blue' } } } }, w);
    const h = application('helm', { repo: 'tools', path: 'chart', namespace: 'helm', automated: {}, source: { helm: { releaseName: 'rel', parameters: [{ name: 'replicas', value: '2' }], values: 'image: registry.test/hweb:3.0\n' } } }, w);
    assert.equal((await w.api('POST', '/applications', k)).status, 201);
    assert.equal((await w.api('POST', '/applications', h)).status, 201);
    await synced('kust');
    await synced('helm');
    const kd = await kget(['deployment', 'p-kweb', '-n', 'kust']);
    assert.equal(kd.spec.template.spec.containers[0].image, 'registry.test/kweb:2.0');
    assert.equal(kd.metadata.labels.team, 'blue');
    const hd = await kget(['deployment', 'rel-web', '-n', 'helm']);
    assert.equal(hd.spec.template.spec.containers[0].image, 'registry.test/hweb:3.0');
    assert.equal(hd.status.readyReplicas, 2);
  });

  test('deleting an application deletes its resources (cascade), or leaves them (cascade=false)', async () => {
    await w.git.createRepo('cascade', { 'c/a.yaml': yamlDocs(configMap('ca', { v: '1' })) });
    for (const name of ['cascade-on', 'cascade-off']) {
      assert.equal((await w.api('POST', '/applications', application(name, { repo: 'cascade', path: 'c', namespace: name, automated: {} }, w))).status, 201);
      await synced(name);
    }
    assert.equal((await w.api('DELETE', '/applications/cascade-on')).status, 204);
    assert.equal((await w.api('DELETE', '/applications/cascade-off?cascade=false')).status, 204);
    await until('cascade delete', async () => !(await exists(['configmap', 'ca', '-n', 'cascade-on'])));
    assert.ok(await exists(['configmap', 'ca', '-n', 'cascade-off']));
    assert.equal((await w.api('GET', '/applications/cascade-on')).status, 404);
  });

  test('a project holding applications is deleted only with force, which deletes their resources too', async () => {
    assert.equal((await w.api('POST', '/projects', { name: 'doomed' })).status, 201);
    assert.equal((await w.api('PUT', '/projects/doomed/delivery', { sourceRepos: ['*'], destinations: [{ server: '*', namespace: '*' }], clusterResourceWhitelist: [{ group: '*', kind: '*' }] })).status, 200);
    await w.git.createRepo('doomed', { 'd/cm.yaml': yamlDocs(configMap('doomed', { v: '1' })) });
    const app = application('doomed-app', { repo: 'doomed', path: 'd', namespace: 'doomed', automated: {} }, w) as { spec: { project: string } };
    app.spec.project = 'doomed';
    assert.equal((await w.api('POST', '/applications', app)).status, 201);
    await synced('doomed-app');
    const refused = await w.api('DELETE', '/projects/doomed');
    assert.equal(refused.status, 412, JSON.stringify(refused.body));
    assert.match(JSON.stringify(refused.body), /doomed-app/);
    assert.ok(await exists(['configmap', 'doomed', '-n', 'doomed']));
    const forced = await w.api('DELETE', '/projects/doomed?force=true');
    assert.ok(forced.status < 300, JSON.stringify(forced.body));
    assert.equal((await w.api('GET', '/applications/doomed-app')).status, 404);
    await until('resources of the force-deleted project gone', async () => !(await exists(['configmap', 'doomed', '-n', 'doomed'])));
  });

  test('two clusters served by one Berth', async () => {
    const second = await startKubeCluster({ name: 'second' });
    try {
      const added = await w.api('POST', '/clusters', { name: 'second', server: second.server, bearerToken: second.token, caData: second.caData });
      assert.equal(added.status, 201, JSON.stringify(added.body));
      await w.git.createRepo('multi', { 'm/cm.yaml': yamlDocs(configMap('where', { v: '1' })) });
      assert.equal((await w.api('POST', '/applications', application('multi-one', { repo: 'multi', path: 'm', namespace: 'multi-one', automated: {} }, w))).status, 201);
      assert.equal((await w.api('POST', '/applications', application('multi-two', { repo: 'multi', path: 'm', namespace: 'multi-two', cluster: 'second', automated: {} }, w))).status, 201);
      await synced('multi-one');
      await synced('multi-two');
      assert.ok(await exists(['configmap', 'where', '-n', 'multi-one']));
      assert.ok(!(await exists(['namespace', 'multi-two'])));
      assert.equal(JSON.parse(await second.kubectl(['get', 'configmap', 'where', '-n', 'multi-two', '-o', 'json'])).data.v, '1');
      assert.equal((await second.kubectl(['get', 'namespace', 'multi-one', '--ignore-not-found', '-o', 'name'])).trim(), '');
    } finally {
      await w.api('DELETE', '/applications/multi-two?cascade=false');
      await w.api('DELETE', '/clusters/second');
      await second.stop();
    }
  });

  test('every delivery operation is recorded, audited (who, what, which revision) and published as an application event', async () => {
    const sha1 = await w.git.createRepo('audited', { 'a/cm.yaml': yamlDocs(configMap('audited', { v: '1' })) });
    assert.equal((await w.api('POST', '/applications', application('audited-app', { repo: 'audited', path: 'a', namespace: 'audited-app' }, w))).status, 201);
    assert.equal((await w.api('POST', '/applications', application('audited-auto', { repo: 'audited', path: 'a', namespace: 'audited-auto', automated: {} }, w))).status, 201);
    const since = Date.now() - 60_000;
    const manual = await w.api<{ phase: string; revision: string }>('POST', '/applications/audited-app/sync', {});
    assert.deepEqual([manual.status, manual.body.phase, manual.body.revision], [200, 'Succeeded', sha1]);
    const sha2 = await w.git.commit('audited', { 'a/cm.yaml': yamlDocs(configMap('audited', { v: '2' })) }, 'v2');
    assert.equal((await w.api<{ phase: string }>('POST', '/applications/audited-app/sync', {})).body.phase, 'Succeeded');
    const failed = await w.api<{ phase: string }>('POST', '/applications/audited-app/sync', { revision: 'no-such-branch' });
    assert.equal(failed.body.phase, 'Failed');
    const history = await w.api<{ id: number; revision: string }[]>('GET', '/applications/audited-app/history');
    const first = history.body.find((h) => h.revision === sha1)!;
    assert.equal((await w.api<{ phase: string }>('POST', '/applications/audited-app/rollback', { id: first.id })).body.phase, 'Succeeded');
    await synced('audited-auto');

    const ops = await w.api<{ id: string; kind: string; trigger: string; state: string; resolvedRevision?: string; actor: { kind: string; name: string } }[]>('GET', '/applications/audited-app/operations');
    assert.deepEqual(ops.body.map((o) => [o.kind, o.trigger, o.state, o.actor.name]), [
      ['rollback', 'rollback', 'Succeeded', 'admin'],
      ['sync', 'manual', 'Failed', 'admin'],
      ['sync', 'manual', 'Succeeded', 'admin'],
      ['sync', 'manual', 'Succeeded', 'admin'],
    ]);
    type AuditRow = { actor: { kind: string; name: string }; resource: string; action: string; outcome: string; detail: string };
    const audit = async (action: string) => (await w.api<AuditRow[]>('GET', `/audit-logs?action=${action}&page_size=100`)).body;
    const syncs = (await audit('sync')).filter((r) => r.resource === 'team/audited-app');
    assert.equal(syncs.length, 3);
    assert.ok(syncs.some((r) => r.outcome === 'success' && r.actor.name === 'admin' && r.detail.includes(sha2.slice(0, 12)) && r.detail.includes(ops.body[2]!.id)), JSON.stringify(syncs));
    assert.ok(syncs.some((r) => r.outcome === 'failure' && r.detail.includes('no-such-branch')), JSON.stringify(syncs));
    const rollbacks = (await audit('rollback')).filter((r) => r.resource === 'team/audited-app');
    assert.equal(rollbacks.length, 1);
    assert.ok(rollbacks[0]!.detail.includes(sha1.slice(0, 12)));
    const automated = (await audit('sync')).filter((r) => r.resource === 'team/audited-auto');
    // One automated sync per commit: sha1, and sha2 too when the app noticed that commit (same repository) before this check.
    assert.ok(automated.length >= 1 && automated.length <= 2, JSON.stringify(automated));
    for (const r of automated) assert.deepEqual([r.actor.kind, r.actor.name, r.outcome], ['system', 'system', 'success']);

    const events = w.berth.events;
    const of = async (type: 'application.synced' | 'application.sync_failed' | 'application.deployed' | 'application.health_changed', app: string) =>
      (await events.list({ type, since }, 1000)).filter((e) => (e.data as { application: string }).application === app);
    assert.equal((await of('application.synced', 'audited-app')).length, 3);
    const failure = await of('application.sync_failed', 'audited-app');
    assert.equal(failure.length, 1);
    assert.match((failure[0]!.data as { message: string }).message, /no-such-branch/);
    await until('deployed events', async () => (await of('application.deployed', 'audited-app')).length >= 2 && (await of('application.deployed', 'audited-auto')).length >= 1, 20_000);
    const health = await of('application.health_changed', 'audited-auto');
    assert.ok(health.some((e) => (e.data as { to: string }).to === 'Healthy'), JSON.stringify(health));
  });
});
