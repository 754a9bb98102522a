import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { HealthStatus, KubeObject } from '../types.ts';
import { HEALTH_ORDER, isWorse, resourceHealth, worstHealth } from './index.ts';

function obj(apiVersion: string, kind: string, rest: Record<string, unknown> = {}, metadata: Record<string, unknown> = {}): KubeObject {
  return { apiVersion, kind, metadata: { name: 'x', namespace: 'ns', ...metadata }, ...rest };
}

interface Case {
  name: string;
  object: KubeObject;
  status: HealthStatus;
  message?: string | RegExp;
}

function run(cases: Case[]): void {
  for (const c of cases) {
    test(c.name, () => {
      const h = resourceHealth(c.object);
      assert.equal(h.status, c.status, `${c.name}: ${JSON.stringify(h)}`);
      if (typeof c.message === 'string') assert.equal(h.message, c.message);
      else if (c.message) assert.match(h.message ?? '', c.message);
    });
  }
}

const deploy = (spec: Record<string, unknown>, status: Record<string, unknown>, generation = 2) =>
  obj('apps/v1', 'Deployment', { spec: { replicas: 2, ...spec }, status }, { generation });

describe('Deployment', () => {
  run([
    { name: 'paused', object: deploy({ paused: true }, { observedGeneration: 2 }), status: 'Suspended', message: 'Deployment is paused' },
    {
      name: 'generation not observed',
      object: deploy({}, { observedGeneration: 1, replicas: 2, updatedReplicas: 2, availableReplicas: 2 }),
      status: 'Progressing',
      message: 'Waiting for rollout to finish: observed deployment generation less than desired generation',
    },
    {
      name: 'updated < replicas',
      object: deploy({}, { observedGeneration: 2, replicas: 2, updatedReplicas: 1 }),
      status: 'Progressing',
      message: 'Waiting for rollout to finish: 1 out of 2 new replicas have been updated...',
    },
    {
      name: 'old replicas pending termination',
      object: deploy({}, { observedGeneration: 2, replicas: 3, updatedReplicas: 2, availableReplicas: 2 }),
      status: 'Progressing',
      message: 'Waiting for rollout to finish: 1 old replicas are pending termination...',
    },
    {
      name: 'updated but not available',
      object: deploy({}, { observedGeneration: 2, replicas: 2, updatedReplicas: 2, availableReplicas: 1 }),
      status: 'Progressing',
      message: 'Waiting for rollout to finish: 1 of 2 updated replicas are available...',
    },
    {
      name: 'progress deadline exceeded',
      object: deploy(
        {},
        { observedGeneration: 2, replicas: 2, updatedReplicas: 1, conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }] },
      ),
      status: 'Degraded',
      message: 'Deployment "x" exceeded its progress deadline',
    },
    { name: 'healthy', object: deploy({}, { observedGeneration: 2, replicas: 2, updatedReplicas: 2, availableReplicas: 2, readyReplicas: 2 }), status: 'Healthy' },
    { name: 'no status yet', object: deploy({}, {}), status: 'Progressing' },
    { name: 'scaled to zero', object: deploy({ replicas: 0 }, { observedGeneration: 2 }), status: 'Healthy' },
  ]);
});

describe('StatefulSet', () => {
  const sts = (spec: Record<string, unknown>, status: Record<string, unknown>) =>
    obj('apps/v1', 'StatefulSet', { spec: { replicas: 3, ...spec }, status }, { generation: 1 });
  run([
    { name: 'not observed', object: sts({}, {}), status: 'Progressing', message: 'Waiting for statefulset spec update to be observed...' },
    { name: 'pods not ready', object: sts({}, { observedGeneration: 1, readyReplicas: 1 }), status: 'Progressing', message: 'Waiting for 2 pods to be ready...' },
    {
      name: 'partition rollout pending',
      object: sts({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } } }, { observedGeneration: 1, readyReplicas: 3, updatedReplicas: 1 }),
      status: 'Progressing',
      message: 'Waiting for partitioned roll out to finish: 1 out of 2 new pods have been updated...',
    },
    {
      name: 'partition rollout complete',
      object: sts({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } } }, { observedGeneration: 1, readyReplicas: 3, updatedReplicas: 3 }),
      status: 'Healthy',
    },
    { name: 'OnDelete', object: sts({ updateStrategy: { type: 'OnDelete' } }, { observedGeneration: 1, readyReplicas: 3 }), status: 'Healthy', message: 'statefulset has 3 ready pods' },
    {
      name: 'revisions differ',
      object: sts({ updateStrategy: { type: 'RollingUpdate' } }, { observedGeneration: 1, readyReplicas: 3, updatedReplicas: 1, currentRevision: 'a', updateRevision: 'b' }),
      status: 'Progressing',
    },
    {
      name: 'revisions equal',
      object: sts({ updateStrategy: { type: 'RollingUpdate' } }, { observedGeneration: 1, readyReplicas: 3, currentReplicas: 3, currentRevision: 'a', updateRevision: 'a' }),
      status: 'Healthy',
    },
  ]);
});

describe('DaemonSet', () => {
  const ds = (spec: Record<string, unknown>, status: Record<string, unknown>) => obj('apps/v1', 'DaemonSet', { spec, status }, { generation: 3 });
  run([
    { name: 'OnDelete', object: ds({ updateStrategy: { type: 'OnDelete' } }, { desiredNumberScheduled: 2, updatedNumberScheduled: 0 }), status: 'Healthy' },
    { name: 'not observed', object: ds({}, { observedGeneration: 2 }), status: 'Progressing' },
    {
      name: 'not updated',
      object: ds({}, { observedGeneration: 3, desiredNumberScheduled: 2, updatedNumberScheduled: 1 }),
      status: 'Progressing',
      message: 'Waiting for daemon set "x" rollout to finish: 1 out of 2 new pods have been updated...',
    },
    { name: 'not available', object: ds({}, { observedGeneration: 3, desiredNumberScheduled: 2, updatedNumberScheduled: 2, numberAvailable: 1 }), status: 'Progressing' },
    { name: 'healthy', object: ds({}, { observedGeneration: 3, desiredNumberScheduled: 2, updatedNumberScheduled: 2, numberAvailable: 2 }), status: 'Healthy' },
  ]);
});

describe('ReplicaSet', () => {
  const rs = (status: Record<string, unknown>) => obj('apps/v1', 'ReplicaSet', { spec: { replicas: 2 }, status }, { generation: 1 });
  run([
    { name: 'not observed', object: rs({}), status: 'Progressing' },
    { name: 'replica failure', object: rs({ observedGeneration: 1, conditions: [{ type: 'ReplicaFailure', status: 'True', message: 'quota' }] }), status: 'Degraded', message: 'quota' },
    { name: 'not available', object: rs({ observedGeneration: 1, availableReplicas: 1 }), status: 'Progressing' },
    { name: 'healthy', object: rs({ observedGeneration: 1, availableReplicas: 2 }), status: 'Healthy' },
  ]);
});

describe('Pod', () => {
  const pod = (status: Record<string, unknown>, restartPolicy?: string) => obj('v1', 'Pod', { spec: restartPolicy ? { restartPolicy } : {}, status });
  const ready = [{ type: 'Ready', status: 'True' }];
  run([
    { name: 'pending', object: pod({ phase: 'Pending' }), status: 'Progressing' },
    { name: 'running and ready', object: pod({ phase: 'Running', conditions: ready }), status: 'Healthy' },
    { name: 'running not ready', object: pod({ phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }] }), status: 'Progressing' },
    {
      name: 'running not ready after a restart',
      object: pod({ phase: 'Running', containerStatuses: [{ name: 'c', lastState: { terminated: { exitCode: 1 } }, state: { running: {} } }] }),
      status: 'Degraded',
    },
    {
      name: 'CrashLoopBackOff',
      object: pod({ phase: 'Running', containerStatuses: [{ name: 'c', state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 5m0s restarting' } } }] }),
      status: 'Degraded',
      message: 'back-off 5m0s restarting',
    },
    { name: 'ImagePullBackOff', object: pod({ phase: 'Pending', containerStatuses: [{ name: 'c', state: { waiting: { reason: 'ImagePullBackOff' } } }] }), status: 'Degraded' },
    {
      name: 'hook pod waiting on an image stays Progressing',
      object: pod({ phase: 'Pending', containerStatuses: [{ name: 'c', state: { waiting: { reason: 'ErrImagePull' } } }] }, 'Never'),
      status: 'Progressing',
    },
    { name: 'failed with message', object: pod({ phase: 'Failed', message: 'evicted' }), status: 'Degraded', message: 'evicted' },
    {
      name: 'failed container exit code',
      object: pod({ phase: 'Failed', containerStatuses: [{ name: 'main', state: { terminated: { exitCode: 3 } } }] }, 'Never'),
      status: 'Degraded',
      message: 'container "main" failed with exit code 3',
    },
    { name: 'OOMKilled', object: pod({ phase: 'Failed', containerStatuses: [{ name: 'main', state: { terminated: { reason: 'OOMKilled', exitCode: 137 } } }] }), status: 'Degraded', message: 'OOMKilled' },
    { name: 'succeeded (job pod)', object: pod({ phase: 'Succeeded' }, 'OnFailure'), status: 'Healthy' },
    { name: 'running hook pod', object: pod({ phase: 'Running', conditions: ready }, 'Never'), status: 'Progressing' },
    { name: 'unknown phase', object: pod({ phase: 'Unknown' }), status: 'Unknown' },
    { name: 'being deleted', object: { ...pod({ phase: 'Running', conditions: ready }), metadata: { name: 'x', deletionTimestamp: '2026-01-01T00:00:00Z' } }, status: 'Progressing', message: 'Pending deletion' },
  ]);
});

describe('Service, Ingress, PVC, Namespace', () => {
  run([
    { name: 'ClusterIP service', object: obj('v1', 'Service', { spec: { type: 'ClusterIP' } }), status: 'Healthy' },
    { name: 'LoadBalancer without address', object: obj('v1', 'Service', { spec: { type: 'LoadBalancer' }, status: { loadBalancer: {} } }), status: 'Progressing' },
    { name: 'LoadBalancer with address', object: obj('v1', 'Service', { spec: { type: 'LoadBalancer' }, status: { loadBalancer: { ingress: [{ ip: '10.0.0.1' }] } } }), status: 'Healthy' },
    { name: 'Ingress without address', object: obj('networking.k8s.io/v1', 'Ingress', { spec: {} }), status: 'Progressing' },
    { name: 'Ingress with address', object: obj('networking.k8s.io/v1', 'Ingress', { status: { loadBalancer: { ingress: [{ hostname: 'lb' }] } } }), status: 'Healthy' },
    { name: 'PVC bound', object: obj('v1', 'PersistentVolumeClaim', { status: { phase: 'Bound' } }), status: 'Healthy' },
    { name: 'PVC pending', object: obj('v1', 'PersistentVolumeClaim', { status: { phase: 'Pending' } }), status: 'Progressing' },
    { name: 'PVC lost', object: obj('v1', 'PersistentVolumeClaim', { status: { phase: 'Lost' } }), status: 'Degraded' },
    { name: 'PVC no phase', object: obj('v1', 'PersistentVolumeClaim', {}), status: 'Unknown' },
    { name: 'Namespace active', object: obj('v1', 'Namespace', { status: { phase: 'Active' } }), status: 'Healthy' },
    { name: 'Namespace terminating', object: obj('v1', 'Namespace', { status: { phase: 'Terminating' } }), status: 'Progressing' },
  ]);
});

describe('Job and CronJob', () => {
  const job = (conditions: unknown[]) => obj('batch/v1', 'Job', { status: { conditions } });
  const cron = (spec: Record<string, unknown>, status: Record<string, unknown>) => obj('batch/v1', 'CronJob', { spec, status });
  run([
    { name: 'job running', object: job([]), status: 'Progressing' },
    { name: 'job complete', object: job([{ type: 'Complete', status: 'True', message: 'done' }]), status: 'Healthy' },
    { name: 'job failed', object: job([{ type: 'Failed', status: 'True', message: 'BackoffLimitExceeded' }]), status: 'Degraded', message: 'BackoffLimitExceeded' },
    { name: 'job suspended', object: job([{ type: 'Suspended', status: 'True' }]), status: 'Suspended' },
    { name: 'job resumed', object: job([{ type: 'Suspended', status: 'False' }]), status: 'Progressing' },
    { name: 'cronjob suspended', object: cron({ suspend: true }, {}), status: 'Suspended', message: 'CronJob is Suspended' },
    { name: 'cronjob never scheduled', object: cron({}, {}), status: 'Healthy' },
    { name: 'cronjob first run', object: cron({}, { lastScheduleTime: '2026-01-01T00:00:00Z', active: [{ name: 'j' }] }), status: 'Progressing' },
    { name: 'cronjob first run failed', object: cron({}, { lastScheduleTime: '2026-01-01T00:00:00Z' }), status: 'Degraded' },
    { name: 'cronjob last run ok', object: cron({}, { lastScheduleTime: '2026-01-01T00:00:00Z', lastSuccessfulTime: '2026-01-01T00:00:30Z' }), status: 'Healthy' },
    { name: 'cronjob last run failed', object: cron({}, { lastScheduleTime: '2026-01-02T00:00:00Z', lastSuccessfulTime: '2026-01-01T00:00:30Z' }), status: 'Degraded' },
  ]);
});

describe('HPA, CRD, APIService', () => {
  const hpa = (conditions: unknown[]) => obj('autoscaling/v2', 'HorizontalPodAutoscaler', { status: { conditions } });
  run([
    { name: 'hpa no conditions', object: hpa([]), status: 'Progressing', message: 'Waiting to Autoscale' },
    { name: 'hpa able to scale', object: hpa([{ type: 'AbleToScale', status: 'True', reason: 'SucceededGetScale', message: 'ok' }]), status: 'Healthy', message: 'ok' },
    {
      name: 'hpa failed metric',
      object: hpa([{ type: 'ScalingActive', status: 'False', reason: 'FailedGetResourceMetric', message: 'no metrics' }, { type: 'AbleToScale', status: 'True' }]),
      status: 'Degraded',
      message: 'no metrics',
    },
    {
      name: 'hpa v1 annotation',
      object: obj('autoscaling/v1', 'HorizontalPodAutoscaler', {}, { annotations: { 'autoscaling.alpha.kubernetes.io/conditions': JSON.stringify([{ type: 'AbleToScale', status: 'False', reason: 'FailedGetScale' }]) } }),
      status: 'Degraded',
    },
    {
      name: 'crd established',
      object: obj('apiextensions.k8s.io/v1', 'CustomResourceDefinition', { status: { conditions: [{ type: 'NamesAccepted', status: 'True' }, { type: 'Established', status: 'True' }] } }),
      status: 'Healthy',
    },
    { name: 'crd no conditions', object: obj('apiextensions.k8s.io/v1', 'CustomResourceDefinition', {}), status: 'Progressing' },
    {
      name: 'crd names conflict',
      object: obj('apiextensions.k8s.io/v1', 'CustomResourceDefinition', { status: { conditions: [{ type: 'NamesAccepted', status: 'False', message: 'taken' }] } }),
      status: 'Degraded',
      message: 'CRD names have not been accepted: taken',
    },
    {
      name: 'crd not established',
      object: obj('apiextensions.k8s.io/v1', 'CustomResourceDefinition', { status: { conditions: [{ type: 'NamesAccepted', status: 'True' }] } }),
      status: 'Degraded',
    },
    {
      name: 'apiservice available',
      object: obj('apiregistration.k8s.io/v1', 'APIService', { status: { conditions: [{ type: 'Available', status: 'True', reason: 'Local', message: 'Local APIServices are always available' }] } }),
      status: 'Healthy',
      message: 'Local: Local APIServices are always available',
    },
    {
      name: 'apiservice unavailable',
      object: obj('apiregistration.k8s.io/v1', 'APIService', { status: { conditions: [{ type: 'Available', status: 'False', reason: 'MissingEndpoints' }] } }),
      status: 'Progressing',
    },
    { name: 'apiservice unprocessed', object: obj('apiregistration.k8s.io/v1', 'APIService', {}), status: 'Progressing', message: 'Waiting to be processed' },
  ]);
});

describe('generic conditions', () => {
  const cr = (conditions: unknown[], extra: Record<string, unknown> = {}) => obj('example.com/v1', 'Widget', { status: { conditions, ...extra } }, { generation: 2 });
  run([
    { name: 'ConfigMap', object: obj('v1', 'ConfigMap', { data: {} }), status: 'Healthy' },
    { name: 'Secret', object: obj('v1', 'Secret', {}), status: 'Healthy' },
    { name: 'ServiceAccount', object: obj('v1', 'ServiceAccount', {}), status: 'Healthy' },
    { name: 'CR without conditions', object: cr([]), status: 'Healthy' },
    { name: 'Ready True', object: cr([{ type: 'Ready', status: 'True', message: 'all good' }]), status: 'Healthy', message: 'all good' },
    { name: 'Ready False failure', object: cr([{ type: 'Ready', status: 'False', reason: 'InstallFailed', message: 'boom' }]), status: 'Degraded', message: 'boom' },
    { name: 'Ready False progressing', object: cr([{ type: 'Ready', status: 'False', reason: 'Progressing' }]), status: 'Progressing' },
    { name: 'Ready Unknown', object: cr([{ type: 'Ready', status: 'Unknown' }]), status: 'Progressing' },
    { name: 'Available True', object: cr([{ type: 'Available', status: 'True' }]), status: 'Healthy' },
    { name: 'Stalled', object: cr([{ type: 'Stalled', status: 'True', message: 'stuck' }, { type: 'Ready', status: 'False' }]), status: 'Degraded', message: 'stuck' },
    { name: 'Reconciling', object: cr([{ type: 'Reconciling', status: 'True' }, { type: 'Ready', status: 'False', reason: 'Failed' }]), status: 'Progressing' },
    { name: 'stale observedGeneration', object: cr([{ type: 'Ready', status: 'True' }], { observedGeneration: 1 }), status: 'Progressing' },
  ]);
});

describe('resourceHealth and worstHealth', () => {
  test('undefined is Missing', () => assert.deepEqual(resourceHealth(undefined), { status: 'Missing' }));
  test('Argo order', () => {
    assert.deepEqual(HEALTH_ORDER, ['Healthy', 'Suspended', 'Progressing', 'Missing', 'Degraded', 'Unknown']);
    assert.ok(isWorse('Degraded', 'Missing'));
    assert.ok(!isWorse('Suspended', 'Progressing'));
  });
  test('worst of a list keeps its message', () => {
    assert.deepEqual(worstHealth([]), { status: 'Healthy' });
    assert.deepEqual(worstHealth([{ status: 'Healthy' }, { status: 'Degraded', message: 'm' }, { status: 'Progressing' }, { status: 'Missing' }]), { status: 'Degraded', message: 'm' });
    assert.equal(worstHealth([{ status: 'Suspended' }, { status: 'Healthy' }]).status, 'Suspended');
    assert.equal(worstHealth([{ status: 'Unknown' }, { status: 'Degraded' }]).status, 'Unknown');
  });
  test('a check that throws gives Unknown', () => {
    const weird = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' }, get spec(): never { throw new Error('bad'); } } as unknown as KubeObject;
    assert.equal(resourceHealth(weird).status, 'Unknown');
  });
});
