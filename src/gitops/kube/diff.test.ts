import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { IgnoreDifference, KubeObject } from '../types.ts';
import { canonicalJson, deepEqual, diffObjects, keyString, matchingIgnores, normalize, parsePointer, removeFieldsV1, removePointer, resourceKeyOf, specFingerprint } from './diff.ts';

const ig = (i: Partial<IgnoreDifference> & { kind: string }): IgnoreDifference => ({ group: '', jsonPointers: [], managedFieldsManagers: [], ...i });

function deployment(replicas: number, image: string, extra: Partial<KubeObject['metadata']> = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'web',
      namespace: 'prod',
      uid: 'u-1',
      resourceVersion: '42',
      generation: 3,
      creationTimestamp: '2026-01-01T00:00:00Z',
      labels: { app: 'web' },
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}', 'deployment.kubernetes.io/revision': '2' },
      managedFields: [
        {
          manager: 'berth',
          operation: 'Apply',
          apiVersion: 'apps/v1',
          fieldsType: 'FieldsV1',
          fieldsV1: { 'f:metadata': { 'f:labels': { 'f:app': {} } }, 'f:spec': { 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:name': {} } } } } } },
        },
        { manager: 'hpa-controller', operation: 'Update', apiVersion: 'apps/v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:replicas': {} } } },
        {
          manager: 'image-updater',
          operation: 'Update',
          apiVersion: 'apps/v1',
          fieldsType: 'FieldsV1',
          fieldsV1: { 'f:spec': { 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"web"}': { 'f:image': {} } } } } } },
        },
      ],
      ...extra,
    },
    spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: { spec: { containers: [{ name: 'web', image, ports: [{ containerPort: 80 }] }, { name: 'sidecar', image: 'envoy' }] } } },
    status: { replicas, readyReplicas: replicas, observedGeneration: 3 },
  };
}

describe('keys', () => {
  test('resourceKeyOf and keyString', () => {
    const k = resourceKeyOf(deployment(1, 'a'));
    assert.deepEqual(k, { group: 'apps', kind: 'Deployment', namespace: 'prod', name: 'web' });
    assert.equal(keyString(k), 'apps/Deployment/prod/web');
    assert.equal(keyString(resourceKeyOf({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n' } })), '/Namespace//n');
  });
});

describe('normalize', () => {
  test('drops status, bookkeeping metadata and last-applied', () => {
    const n = normalize(deployment(2, 'nginx:1'), []);
    assert.equal(n.status, undefined);
    for (const f of ['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields']) assert.equal(n.metadata[f], undefined, f);
    assert.deepEqual(n.metadata.annotations, { 'deployment.kubernetes.io/revision': '2' });
    assert.equal((n.spec as { replicas: number }).replicas, 2);
  });
  test('does not modify its input', () => {
    const d = deployment(2, 'nginx:1');
    const before = structuredClone(d);
    normalize(d, [ig({ group: 'apps', kind: 'Deployment', jsonPointers: ['/spec/replicas'], managedFieldsManagers: ['hpa-controller'] })]);
    assert.deepEqual(d, before);
  });
  test('an empty annotation map goes away', () => {
    const d = deployment(1, 'a', { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' } });
    assert.equal(normalize(d, []).metadata.annotations, undefined);
  });
  test('jsonPointers with RFC 6901 escapes, arrays and missing paths', () => {
    const d = deployment(1, 'a', { annotations: { 'example.com/a~b': 'x', 'example.com/keep': 'y' } });
    const n = normalize(d, [
      ig({ group: 'apps', kind: 'Deployment', jsonPointers: ['/spec/replicas', '/metadata/annotations/example.com~1a~0b', '/spec/template/spec/containers/1', '/spec/nothing/here'] }),
    ]);
    const spec = n.spec as { replicas?: number; template: { spec: { containers: { name: string }[] } } };
    assert.equal(spec.replicas, undefined);
    assert.deepEqual(Object.keys(n.metadata.annotations ?? {}), ['example.com/keep']);
    assert.deepEqual(spec.template.spec.containers.map((c) => c.name), ['web']);
  });
  test('parsePointer', () => {
    assert.deepEqual(parsePointer('/a~1b/c~0d/~01'), ['a/b', 'c~d', '~1']);
    assert.deepEqual(parsePointer(''), []);
    const o = { a: [1, 2, 3] };
    removePointer(o, '/a/-');
    removePointer(o, '/a/7');
    assert.deepEqual(o, { a: [1, 2, 3] });
  });
  test('ignoreDifferences match group, kind, name and namespace', () => {
    const key = { group: 'apps', kind: 'Deployment', namespace: 'prod', name: 'web' };
    assert.equal(matchingIgnores(key, [ig({ kind: 'Deployment' })]).length, 0, 'core group does not match apps');
    assert.equal(matchingIgnores(key, [ig({ group: 'apps', kind: 'Deployment' })]).length, 1);
    assert.equal(matchingIgnores(key, [ig({ group: 'apps', kind: 'Deployment', name: 'other' })]).length, 0);
    assert.equal(matchingIgnores(key, [ig({ group: 'apps', kind: 'Deployment', namespace: 'dev' })]).length, 0);
    assert.equal(matchingIgnores(key, [ig({ group: '*', kind: '*', name: 'w*' })]).length, 1);
  });
  test('managedFieldsManagers: f: fields', () => {
    const n = normalize(deployment(5, 'nginx:1'), [ig({ group: 'apps', kind: 'Deployment', managedFieldsManagers: ['hpa-controller'] })]);
    assert.equal((n.spec as { replicas?: number }).replicas, undefined);
    assert.ok((n.spec as { selector?: unknown }).selector);
  });
  test('managedFieldsManagers: k: list items keep their key and the other fields', () => {
    const n = normalize(deployment(5, 'nginx:1'), [ig({ group: 'apps', kind: 'Deployment', managedFieldsManagers: ['image-updater'] })]);
    const containers = (n.spec as { template: { spec: { containers: Record<string, unknown>[] } } }).template.spec.containers;
    assert.deepEqual(containers, [
      { name: 'web', ports: [{ containerPort: 80 }] },
      { name: 'sidecar', image: 'envoy' },
    ]);
  });
});

describe('removeFieldsV1', () => {
  test('k: item wholly owned goes; v: set items; i: indexes; empty parents go', () => {
    const o = {
      spec: {
        containers: [
          { name: 'a', image: 'x' },
          { name: 'b', image: 'y' },
        ],
        finalizers: ['one', 'two'],
        list: [{ x: 1 }, { x: 2 }],
        only: { owned: 1 },
        ports: [
          { containerPort: 80, protocol: 'TCP', name: 'http' },
          { containerPort: 80, protocol: 'UDP', name: 'dns' },
        ],
      },
    };
    removeFieldsV1(o, {
      'f:spec': {
        'f:containers': { 'k:{"name":"a"}': { '.': {}, 'f:name': {}, 'f:image': {} } },
        'f:finalizers': { 'v:"one"': {} },
        'f:list': { 'i:1': {} },
        'f:only': { 'f:owned': {} },
        'f:ports': { 'k:{"containerPort":80,"protocol":"UDP"}': { '.': {}, 'f:containerPort': {}, 'f:protocol': {}, 'f:name': {} } },
      },
    });
    assert.deepEqual(o, {
      spec: {
        containers: [{ name: 'b', image: 'y' }],
        finalizers: ['two'],
        list: [{ x: 1 }],
        ports: [{ containerPort: 80, protocol: 'TCP', name: 'http' }],
      },
    });
  });
  test('unknown paths and bad keys are ignored', () => {
    const o = { a: 1 };
    removeFieldsV1(o, { 'f:b': { 'f:c': {} }, 'f:a': { 'k:not json': {} } });
    assert.deepEqual(o, {});
  });
});

describe('diffObjects', () => {
  const key = { group: 'apps', kind: 'Deployment', namespace: 'prod', name: 'web' };
  test('equal apart from bookkeeping → Synced', () => {
    const live = deployment(2, 'nginx:1');
    const desired = deployment(2, 'nginx:1', { resourceVersion: '43', generation: 4 });
    desired.status = { replicas: 0 };
    // key order must not matter
    desired.spec = Object.fromEntries(Object.entries(desired.spec as object).reverse());
    assert.deepEqual(diffObjects(key, live, desired, []), { key, state: 'Synced', diff: '' });
  });
  test('changed → unified diff of the normalized YAML', () => {
    const r = diffObjects(key, deployment(2, 'nginx:1'), deployment(2, 'nginx:2'), []);
    assert.equal(r.state, 'OutOfSync');
    assert.equal(r.reason, 'changed');
    assert.match(r.diff, /^--- live\/apps\/Deployment\/prod\/web/m);
    assert.match(r.diff, /^\+\+\+ desired\/apps\/Deployment\/prod\/web/m);
    assert.match(r.diff, /^-\s+- image: nginx:1$/m);
    assert.match(r.diff, /^\+\s+- image: nginx:2$/m);
    assert.doesNotMatch(r.diff, /resourceVersion|managedFields|last-applied/);
  });
  test('missing and extra', () => {
    assert.equal(diffObjects(key, undefined, deployment(1, 'a'), []).reason, 'missing');
    const extra = diffObjects(key, deployment(1, 'a'), undefined, []);
    assert.equal(extra.reason, 'extra');
    assert.match(extra.diff, /^-kind: Deployment$/m);
    assert.equal(diffObjects(key, undefined, undefined, []).state, 'Synced');
  });
  test('ignored fields make a difference disappear, with the live managedFields deciding', () => {
    const live = deployment(5, 'nginx:1');
    // A forced dry-run apply moved spec.replicas to berth: the desired side no longer lists hpa-controller.
    const desired = deployment(2, 'nginx:1');
    desired.metadata.managedFields = desired.metadata.managedFields!.filter((m) => m.manager !== 'hpa-controller');
    assert.equal(diffObjects(key, live, desired, []).state, 'OutOfSync');
    assert.equal(diffObjects(key, live, desired, [ig({ group: 'apps', kind: 'Deployment', managedFieldsManagers: ['hpa-controller'] })]).state, 'Synced');
    assert.equal(diffObjects(key, live, desired, [ig({ group: 'apps', kind: 'Deployment', jsonPointers: ['/spec/replicas'] })]).state, 'Synced');
  });
  test('Secret values are masked in the diff, not in the comparison', () => {
    const skey = { group: '', kind: 'Secret', namespace: 'prod', name: 's' };
    const secret = (pw: string): KubeObject => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'prod' }, data: { user: 'YWRtaW4=', password: pw } });
    const r = diffObjects(skey, secret('c2VjcmV0MQ=='), secret('c2VjcmV0Mg=='), []);
    assert.equal(r.state, 'OutOfSync');
    assert.doesNotMatch(r.diff, /c2VjcmV0|YWRtaW4/);
    assert.match(r.diff, /^-\s+password: "?\+{8}"?$/m);
    assert.match(r.diff, /^\+\s+password: "?\+{9}"?$/m);
    assert.equal(diffObjects(skey, secret('eA=='), secret('eA=='), []).state, 'Synced');
  });
});

describe('fingerprints', () => {
  test('canonical JSON ignores key order and undefined', () => {
    assert.equal(canonicalJson({ b: 1, a: [{ d: 2, c: undefined }], e: null }), '{"a":[{"d":2}],"b":1,"e":null}');
    assert.equal(specFingerprint({ a: 1, b: { c: 2, d: 3 } }), specFingerprint({ b: { d: 3, c: 2 }, a: 1 }));
    assert.notEqual(specFingerprint({ a: 1 }), specFingerprint({ a: '1' }));
    assert.match(specFingerprint({}), /^[0-9a-f]{64}$/);
  });
  test('deepEqual', () => {
    assert.ok(deepEqual({ a: [1, { b: 2 }], c: undefined }, { a: [1, { b: 2 }] }));
    assert.ok(!deepEqual([1, 2], [2, 1]));
    assert.ok(!deepEqual({ a: 1 }, { a: 1, b: 2 }));
    assert.ok(!deepEqual(1, '1'));
  });
});
