import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../types.ts';
import { planSync, steps } from './plan.ts';

const obj = (kind: string, name: string, annotations: Record<string, string> = {}, apiVersion = 'v1'): KubeObject => ({
  apiVersion,
  kind,
  metadata: { name, namespace: kind === 'Namespace' || kind === 'CustomResourceDefinition' ? undefined : 'ns', annotations },
});
const names = (tasks: { action: string; key: { kind: string; name: string } }[]) => tasks.map((t) => `${t.action}:${t.key.kind}/${t.key.name}`);

test('orders by phase, then namespaces and CRDs, then wave, then kind, then name', () => {
  const plan = planSync({
    desired: [
      obj('Deployment', 'web', {}, 'apps/v1'),
      obj('ConfigMap', 'b'),
      obj('ConfigMap', 'a'),
      obj('Service', 'late', { 'argocd.argoproj.io/sync-wave': '5' }),
      obj('Secret', 'early', { 'argocd.argoproj.io/sync-wave': '-1' }),
      obj('Namespace', 'ns', { 'argocd.argoproj.io/sync-wave': '3' }),
      obj('CustomResourceDefinition', 'widgets.example.com', {}, 'apiextensions.k8s.io/v1'),
      obj('Job', 'migrate', { 'argocd.argoproj.io/hook': 'PreSync' }, 'batch/v1'),
      obj('Job', 'notify', { 'argocd.argoproj.io/hook': 'PostSync' }, 'batch/v1'),
      obj('Pod', 'cleanup', { 'argocd.argoproj.io/hook': 'SyncFail' }),
      obj('ConfigMap', 'skipped', { 'argocd.argoproj.io/hook': 'Skip' }),
    ],
    live: [],
    prune: false,
    pruneLast: false,
  });
  assert.deepEqual(names(plan.tasks), [
    'hook:Job/migrate',
    'apply:Namespace/ns',
    'apply:CustomResourceDefinition/widgets.example.com',
    'apply:Secret/early',
    'apply:ConfigMap/a',
    'apply:ConfigMap/b',
    'apply:Deployment/web',
    'apply:Service/late',
    'hook:Job/notify',
  ]);
  assert.deepEqual(names(plan.syncFailHooks), ['hook:Pod/cleanup']);
  assert.deepEqual(steps(plan.tasks).map((s) => s.length), [1, 1, 1, 1, 3, 1, 1]);
});

test('prunes only when enabled, never Prune=false, never hooks or controller-owned objects, in reverse wave order', () => {
  const live = [
    obj('ConfigMap', 'keep'),
    obj('ConfigMap', 'gone-w0'),
    obj('Service', 'gone-w2', { 'argocd.argoproj.io/sync-wave': '2' }),
    obj('Secret', 'protected', { 'argocd.argoproj.io/sync-options': 'Prune=false' }),
    obj('Job', 'old-hook', { 'argocd.argoproj.io/hook': 'PreSync' }, 'batch/v1'),
    { ...obj('ReplicaSet', 'web-123', {}, 'apps/v1'), metadata: { name: 'web-123', namespace: 'ns', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'u', controller: true }] } },
  ];
  const desired = [obj('ConfigMap', 'keep'), obj('Deployment', 'web', { 'argocd.argoproj.io/sync-wave': '2' }, 'apps/v1')];
  const off = planSync({ desired, live, prune: false, pruneLast: false });
  assert.deepEqual(names(off.tasks), ['apply:ConfigMap/keep', 'apply:Deployment/web']);
  assert.deepEqual(names(off.pruneSkipped).sort(), ['prune:ConfigMap/gone-w0', 'prune:Secret/protected', 'prune:Service/gone-w2']);

  const on = planSync({ desired, live, prune: true, pruneLast: false });
  // Prune waves swap: what was created in wave 2 is deleted in wave 0 and vice versa.
  assert.deepEqual(names(on.tasks), ['apply:ConfigMap/keep', 'prune:Service/gone-w2', 'apply:Deployment/web', 'prune:ConfigMap/gone-w0']);
  assert.deepEqual(names(on.pruneSkipped), ['prune:Secret/protected']);

  const last = planSync({ desired, live, prune: true, pruneLast: true });
  assert.deepEqual(names(last.tasks).slice(-2).sort(), ['prune:ConfigMap/gone-w0', 'prune:Service/gone-w2']);
});

test('selective sync takes only the named resources and no hooks; ApplyOutOfSyncOnly skips synced ones', () => {
  const desired = [obj('ConfigMap', 'a'), obj('ConfigMap', 'b'), obj('Job', 'h', { 'argocd.argoproj.io/hook': 'PreSync' }, 'batch/v1')];
  const only = planSync({ desired, live: [], prune: true, pruneLast: false, only: new Set(['/ConfigMap/ns/b']) });
  assert.deepEqual(names(only.tasks), ['apply:ConfigMap/b']);
  const outOfSyncOnly = planSync({ desired, live: [], prune: false, pruneLast: false, inSync: new Set(['/ConfigMap/ns/a']) });
  assert.deepEqual(names(outOfSyncOnly.tasks), ['hook:Job/h', 'apply:ConfigMap/b']);
});

test('a malformed wave or hook is an error naming the object', () => {
  assert.throws(() => planSync({ desired: [obj('ConfigMap', 'x', { 'argocd.argoproj.io/sync-wave': 'soon' })], live: [], prune: false, pruneLast: false }), /ConfigMap\/x: sync-wave "soon"/);
  assert.throws(() => planSync({ desired: [obj('Job', 'y', { 'argocd.argoproj.io/hook': 'Later' })], live: [], prune: false, pruneLast: false }), /unknown hook "Later"/);
});
