import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { renderPayload, type NotificationEvent } from './index.ts';

const ctx = { baseUrl: 'https://registry.example.com:5443', policyName: 'ci' };
const push: NotificationEvent = {
  id: '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b',
  type: 'PUSH_ARTIFACT',
  occurredAt: 1_767_225_600_123,
  operator: 'alice',
  project: 'team',
  artifact: { repository: 'team/web/app', digest: 'sha256:abc', tag: 'v1', mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 42, repositoryCreatedAt: 1_767_000_000_999, public: false },
};

describe('webhook payload formats', () => {
  test("Harbor's default JSON, field for field", () => {
    const r = renderPayload({ type: 'http', payloadFormat: 'Default' }, push, ctx);
    assert.equal(r.contentType, 'application/json');
    assert.deepEqual(JSON.parse(r.body), {
      type: 'PUSH_ARTIFACT',
      occur_at: 1_767_225_600,
      operator: 'alice',
      event_data: {
        resources: [{ digest: 'sha256:abc', tag: 'v1', resource_url: 'registry.example.com:5443/team/web/app:v1' }],
        repository: { date_created: 1_767_000_000, name: 'web/app', namespace: 'team', repo_full_name: 'team/web/app', repo_type: 'private' },
      },
    });
  });

  test('a delete by digest names the digest in resource_url and an empty tag; public projects are public', () => {
    const del: NotificationEvent = { ...push, type: 'DELETE_ARTIFACT', artifact: { ...push.artifact!, tag: undefined, public: true } };
    const body = JSON.parse(renderPayload({ type: 'http', payloadFormat: 'Default' }, del, ctx).body) as { event_data: { resources: unknown[]; repository: { repo_type: string } } };
    assert.deepEqual(body.event_data.resources, [{ digest: 'sha256:abc', tag: '', resource_url: 'registry.example.com:5443/team/web/app@sha256:abc' }]);
    assert.equal(body.event_data.repository.repo_type, 'public');
  });

  test('CloudEvents 1.0 structured mode with Harbor types and data', () => {
    const r = renderPayload({ type: 'http', payloadFormat: 'CloudEvents' }, push, ctx);
    assert.equal(r.contentType, 'application/cloudevents+json; charset=utf-8');
    const body = JSON.parse(r.body) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body).sort(), ['data', 'datacontenttype', 'id', 'operator', 'source', 'specversion', 'subject', 'time', 'type']);
    assert.equal(body.specversion, '1.0');
    assert.equal(body.id, push.id);
    assert.equal(body.type, 'harbor.artifact.pushed');
    assert.equal(body.source, '/api/v1/projects/team/webhooks/ci');
    assert.equal(body.time, '2026-01-01T00:00:00.123Z');
    assert.equal(body.datacontenttype, 'application/json');
    assert.deepEqual((body.data as { resources: unknown[] }).resources, [{ digest: 'sha256:abc', tag: 'v1', resource_url: 'registry.example.com:5443/team/web/app:v1' }]);
  });

  test('application events: berth.application.* CloudEvents and an application object in Default', () => {
    const failed: NotificationEvent = { id: 'e1', type: 'APPLICATION_SYNC_FAILED', occurredAt: 1_767_225_600_000, operator: 'system', project: 'team', application: { name: 'web', revision: 'abcdef0123456789', operationId: 'op1', message: 'apply failed' } };
    const ce = JSON.parse(renderPayload({ type: 'http', payloadFormat: 'CloudEvents' }, failed, ctx).body) as { type: string; subject: string; data: unknown };
    assert.equal(ce.type, 'berth.application.sync_failed');
    assert.equal(ce.subject, 'web');
    assert.deepEqual(ce.data, { application: { name: 'web', project: 'team', revision: 'abcdef0123456789', operation_id: 'op1', message: 'apply failed', url: 'https://registry.example.com:5443/api/v1/applications/web' } });
    const degraded: NotificationEvent = { ...failed, type: 'APPLICATION_HEALTH_DEGRADED', application: { name: 'web', health: { from: 'Healthy', to: 'Degraded' } } };
    assert.equal((JSON.parse(renderPayload({ type: 'http', payloadFormat: 'CloudEvents' }, degraded, ctx).body) as { type: string }).type, 'berth.application.health_degraded');
    const def = JSON.parse(renderPayload({ type: 'http', payloadFormat: 'Default' }, failed, ctx).body) as { type: string; event_data: { application: { name: string } } };
    assert.equal(def.type, 'APPLICATION_SYNC_FAILED');
    assert.equal(def.event_data.application.name, 'web');
  });

  test('Slack: text plus blocks, names escaped, whatever the format', () => {
    const evil: NotificationEvent = { ...push, operator: '<!channel>' };
    const r = renderPayload({ type: 'slack', payloadFormat: 'CloudEvents' }, evil, ctx);
    const body = JSON.parse(r.body) as { text: string; blocks: { type: string }[] };
    assert.equal(body.text, '&lt;!channel&gt; pushed `registry.example.com:5443/team/web/app:v1`');
    assert.deepEqual(body.blocks.map((b) => b.type), ['section', 'context']);
  });
});
