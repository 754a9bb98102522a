/**
 * Outgoing webhooks against a real Berth and a real receiver on loopback:
 * policies and their permissions, signed deliveries of real pushes in
 * Harbor's and the CloudEvents format, retries recorded in the delivery log,
 * a hanging receiver that slows nothing else, the SSRF rules at create and
 * at delivery, and the delivery latency from push acknowledged to receiver.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { verifySignature } from '../../src/notify/signature.ts';
import { ADMIN_PASSWORD, basicAuth, startTestBerth, type TestBerth } from '../support/berth.ts';
import { testDatabases } from '../support/databases.ts';
import { OciClient } from '../support/oci-client.ts';
import { runCli } from '../support/cli.ts';
import { startReceiver, type Receiver } from '../support/webhook-receiver.ts';

const ADMIN = basicAuth('admin', ADMIN_PASSWORD);
const PASSWORD = 'Webhook-test-pw-1';

interface Target {
  authHeaderSet: boolean;
}
interface Policy {
  secret?: string;
  targets: Target[];
}
interface Delivery {
  attempt: number;
  statusCode: number | null;
  succeeded: boolean;
  error: string | null;
  responseBody: string;
}
interface HarborPayload {
  type: string;
  operator: string;
  event_data: { resources: { digest: string; tag: string; resource_url: string }[]; repository: { repo_full_name: string; namespace: string; repo_type: string } };
}
interface CloudEvent {
  specversion: string;
  type: string;
  data: HarborPayload['event_data'];
}

async function call(base: string, method: string, url: string, auth: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${base}/api/v1${url}`, {
    method,
    headers: { authorization: auth, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as unknown) : undefined };
}

async function must<T = unknown>(p: Promise<{ status: number; json: unknown }>, status: number): Promise<T> {
  const r = await p;
  assert.equal(r.status, status, JSON.stringify(r.json));
  return r.json as T;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

for (const database of await testDatabases()) {
  describe(`webhooks on ${database.name}`, { skip: database.skip }, () => {
    let berth: TestBerth;
    let receiver: Receiver;
    let oci: OciClient;
    let dataDir: string;
    let dbEnv: Record<string, string>;
    const PROJECT = 'hooks';

    before(async () => {
      receiver = await startReceiver();
      dataDir = await mkdtemp(path.join(os.tmpdir(), 'berth-webhooks-'));
      dbEnv = await database.env();
      berth = await startTestBerth({ ...dbEnv, BERTH_DATA_DIR: dataDir, BERTH_WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', BERTH_WEBHOOK_TIMEOUT_SECONDS: '2', BERTH_GITOPS_ENABLED: 'false' });
      oci = new OciClient(berth.url, ADMIN);
      await must(call(berth.url, 'POST', '/projects', ADMIN, { name: PROJECT }), 201);
      for (const [user, role] of [['dev', 'developer'], ['padmin', 'projectAdmin']] as const) {
        await must(call(berth.url, 'POST', '/users', ADMIN, { username: user, password: PASSWORD }), 201);
        await must(call(berth.url, 'POST', `/projects/${PROJECT}/members`, ADMIN, { name: user, role }), 201);
      }
    });
    after(async () => {
      await berth?.stop();
      await receiver?.close();
      await rm(dataDir, { recursive: true, force: true });
    });

    test('project administrators manage policies, developers get 403; auth headers are write-only, the secret is shown once', async () => {
      const dev = basicAuth('dev', PASSWORD);
      const padmin = basicAuth('padmin', PASSWORD);
      const body = { name: 'rbac', eventTypes: ['PUSH_ARTIFACT'], targets: [{ address: `${receiver.url}/rbac`, authHeader: 'Bearer receiver-token' }] };
      assert.equal((await call(berth.url, 'POST', `/projects/${PROJECT}/webhooks`, dev, body)).status, 403);
      assert.equal((await call(berth.url, 'GET', `/projects/${PROJECT}/webhooks`, dev)).status, 403);
      const created = await must<Policy & { secret: string }>(call(berth.url, 'POST', `/projects/${PROJECT}/webhooks`, padmin, body), 201);
      assert.match(created.secret, /^whsec_/);
      assert.equal(created.targets[0]!.authHeaderSet, true);
      assert.equal(JSON.stringify(created).includes('receiver-token'), false);
      const got = await must<Policy>(call(berth.url, 'GET', `/projects/${PROJECT}/webhooks/rbac`, padmin), 200);
      assert.equal(got.secret, undefined);
      assert.equal(JSON.stringify(got).includes('receiver-token'), false);
      assert.equal((await call(berth.url, 'DELETE', `/projects/${PROJECT}/webhooks/rbac`, dev)).status, 403);
      assert.equal((await call(berth.url, 'POST', `/projects/${PROJECT}/webhooks`, padmin, body)).status, 409);
      const audit = await must<{ action: string; resource: string }[]>(call(berth.url, 'GET', `/audit-logs?resource_type=webhook&page_size=100`, ADMIN), 200);
      assert.ok(audit.some((a) => a.action === 'create' && a.resource === `${PROJECT}/rbac`), JSON.stringify(audit));
      await must(call(berth.url, 'DELETE', `/projects/${PROJECT}/webhooks/rbac`, padmin), 204);
      assert.ok((await must<{ name: string; available: boolean }[]>(call(berth.url, 'GET', '/webhooks/event-types', dev), 200)).some((t) => t.name === 'QUOTA_EXCEED' && !t.available));
    });

    test('send test event: signed with the secret, the auth header sent, the answer summarised and logged; rotate-secret changes the key', async () => {
      const created = await must<Policy & { secret: string }>(
        call(berth.url, 'POST', `/projects/${PROJECT}/webhooks`, ADMIN, { name: 'tester', eventTypes: ['PUSH_ARTIFACT'], targets: [{ address: `${receiver.url}/test`, authHeader: 'Bearer t0ken' }] }),
        201,
      );
      receiver.plan('/test', [202]);
      const [summary] = await must<Delivery[]>(call(berth.url, 'POST', `/projects/${PROJECT}/webhooks/tester/test`, ADMIN), 200);
      assert.equal(summary!.statusCode, 202);
      assert.equal(summary!.succeeded, true);
      assert.equal(summary!.responseBody, 'answer 202 for /test');
      const [req] = await receiver.waitFor('/test', 1);
      assert.equal(req!.headers.authorization, 'Bearer t0ken');
      assert.equal(req!.headers['x-berth-test'], 'true');
      assert.ok(verifySignature(created.secret, req!.body, req!.headers['x-berth-signature'] as string));
      assert.equal((JSON.parse(req!.body) as HarborPayload).type, 'PUSH_ARTIFACT');
      const log = await must<Delivery[]>(call(berth.url, 'GET', `/projects/${PROJECT}/webhooks/tester/deliveries`, ADMIN), 200);
      assert.equal(log[0]!.statusCode, 202);

      const { secret } = await must<{ secret: string }>(call(berth.url, 'POST', `/projects/${PROJECT}/webhooks/tester/rotate-secret`, ADMIN), 200);
      assert.notEqual(secret, created.secret);
      await must(call(berth.url, 'POST', `/projects/${PROJECT}/webhooks/tester/test`, ADMIN), 200);
      const [, second] = await receiver.waitFor('/test', 2);
      assert.ok(verifySignature(secret, second!.body, second!.headers['x-berth-signature'] as string));
      assert.equal(verifySignature(created.secret, second!.body, second!.headers['x-berth-signature'] as string), false);
      await must(call(berth.url, 'DELETE', `/projects/${PROJECT}/webhooks/tester`, ADMIN), 204);
    });

    test('cloud metadata and link-local targets are refused at create, even with private targets allowed', async () => {
      for (const address of ['http://169.254.169.254/latest/meta-data/', 'http://[fd00:ec2::254]/', 'http://[fe80::1]/x']) {
        const r = await call(berth.url, 'POST', `/projects/${PROJECT}/webhooks`, ADMIN, { name: 'meta', eventTypes: ['PUSH_ARTIFACT'], targets: [{ address }] });
        assert.equal(r.status, 400, address);
        assert.match(JSON.stringify(r.json), /link-local, cloud metadata/);
      }
      const cred = await call(berth.url, 'POST', `/projects/${PROJECT}/webhooks`, ADMIN, { name: 'cred', eventTypes: ['PUSH_ARTIFACT'], targets: [{ address: 'http://u:p@hooks.example.com/' }] });
      assert.equal(cred.status, 400);
      assert.match(JSON.stringify(cred.json), /must not contain credentials/);
    });

    test('a push is delivered once in Harbor format and once as a CloudEvent, each signed', async () => {
      const { secret } = await must<{ secret: string }>(
        call(berth.url, 'POST', `/projects/${PROJECT}/webhooks`, ADMIN, {
          name: 'push',
          eventTypes: ['PUSH_ARTIFACT'],
          targets: [
            { address: `${receiver.url}/harbor`, payloadFormat: 'Default' },
            { address: `${receiver.url}/ce`, payloadFormat: 'CloudEvents' },
          ],
        }),
        201,
      );
      const { digest } = await oci.pushImage(`${PROJECT}/app`, 'v1');
      const [harbor] = await receiver.waitFor('/harbor', 1);
      const [ce] = await receiver.waitFor('/ce', 1);
      for (const r of [harbor!, ce!]) assert.ok(verifySignature(secret, r.body, r.headers['x-berth-signature'] as string), r.path);
      const h = JSON.parse(harbor!.body) as HarborPayload;
      assert.equal(h.type, 'PUSH_ARTIFACT');
      assert.equal(h.operator, 'admin');
      assert.deepEqual(h.event_data.resources, [{ digest, tag: 'v1', resource_url: `${berth.hostPort}/${PROJECT}/app:v1` }]);
      assert.equal(h.event_data.repository.repo_full_name, `${PROJECT}/app`);
      assert.equal(h.event_data.repository.namespace, PROJECT);
      assert.equal(h.event_data.repository.repo_type, 'private');
      const c = JSON.parse(ce!.body) as CloudEvent;
      assert.equal(c.specversion, '1.0');
      assert.equal(c.type, 'harbor.artifact.pushed');
      assert.equal(ce!.headers['content-type'], 'application/cloudevents+json; charset=utf-8');
      assert.equal(c.data.resources[0]!.digest, digest);
      // One delivery per target, not one per event that the push published.
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal(receiver.requests.filter((r) => r.path === '/harbor').length, 1);
      assert.equal(receiver.requests.filter((r) => r.path === '/ce').length, 1);
      await must(call(berth.url, 'DELETE', `/projects/${PROJECT}/webhooks/push`, ADMIN), 204);
    });

    test('a receiver answering 500 then 200 gets the retry; the delivery log shows both attempts', async () => {
      receiver.plan('/flaky', [500, 200]);
      await must(call(berth.url, 'POST', `/projects/${PROJECT}/webhooks`, ADMIN, { name: 'flaky', eventTypes: ['PUSH_ARTIFACT'], targets: [{ address: `${receiver.url}/flaky` }] }), 201);
      await oci.pushImage(`${PROJECT}/flaky`, 'v1');
      const [first, second] = await receiver.waitFor('/flaky', 2);
      assert.equal(first!.headers['x-berth-event-id'], second!.headers['x-berth-event-id']);
      assert.equal(first!.body, second!.body);
      assert.equal(second!.headers['x-berth-delivery-attempt'], '2');
      let log: Delivery[] = [];
      for (let i = 0; i < 50 && log.length < 2; i++) {
        log = await must<Delivery[]>(call(berth.url, 'GET', `/projects/${PROJECT}/webhooks/flaky/deliveries`, ADMIN), 200);
        if (log.length < 2) await new Promise((r) => setTimeout(r, 100));
      }
      assert.deepEqual(
        log.map((d) => [d.attempt, d.statusCode, d.succeeded]),
        [
          [2, 200, true],
          [1, 500, false],
        ],
      );
      await must(call(berth.url, 'DELETE', `/projects/${PROJECT}/webhooks/flaky`, ADMIN), 204);
    });

    test('a hanging receiver hits the timeout, and a push while it hangs completes in normal time', async () => {
      receiver.plan('/hang', ['hang']);
      await must(call(berth.url, 'POST', `/projects/${PROJECT}/webhooks`, ADMIN, { name: 'hang', eventTypes: ['PUSH_ARTIFACT'], targets: [{ address: `${receiver.url}/hang` }] }), 201);
      await oci.pushImage(`${PROJECT}/hang`, 'v1');
      await receiver.waitFor('/hang', 1);
      const started = performance.now();
      await oci.pushImage(`${PROJECT}/hang`, 'v2');
      const pushMs = performance.now() - started;
      assert.ok(pushMs < 1500, `push took ${pushMs} ms while a receiver hangs`);
      let log: Delivery[] = [];
      for (let i = 0; i < 100 && !log.some((d) => d.error); i++) {
        log = await must<Delivery[]>(call(berth.url, 'GET', `/projects/${PROJECT}/webhooks/hang/deliveries`, ADMIN), 200);
        if (!log.some((d) => d.error)) await new Promise((r) => setTimeout(r, 100));
      }
      assert.match(log.find((d) => d.error)?.error ?? '', /no response within 2000 ms/);
      await must(call(berth.url, 'DELETE', `/projects/${PROJECT}/webhooks/hang`, ADMIN), 204);
    });

    test('delivery latency from push acknowledged to receiver, 50 pushes', async () => {
      await must(call(berth.url, 'POST', `/projects/${PROJECT}/webhooks`, ADMIN, { name: 'latency', eventTypes: ['PUSH_ARTIFACT'], targets: [{ address: `${receiver.url}/latency` }] }), 201);
      const acked = new Map<string, number>();
      for (let i = 0; i < 50; i++) {
        const { digest } = await oci.pushImage(`${PROJECT}/latency`, `t${i}`, `layer ${i}`);
        acked.set(`t${i}`, performance.timeOrigin + performance.now());
        void digest;
      }
      const got = await receiver.waitFor('/latency', 50, 60_000);
      const latencies = got.map((r) => r.at - acked.get((JSON.parse(r.body) as HarborPayload).event_data.resources[0]!.tag)!).sort((a, b) => a - b);
      const p50 = percentile(latencies, 50);
      const p99 = percentile(latencies, 99);
      console.log(`# webhook delivery latency on ${database.name}, push acknowledged → receiver, n=${latencies.length}: p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms`);
      assert.ok(p99 < 10_000, `p99 ${p99} ms`);
      const metrics = await (await fetch(`${berth.url}/metrics`)).text();
      assert.match(metrics, /berth_webhook_deliveries_total\{outcome="success",target_type="http"\} \d+/);
      assert.match(metrics, /berth_webhook_delivery_duration_seconds_bucket/);
      const openapi = (await (await fetch(`${berth.url}/api/v1/openapi.json`)).json()) as { paths: Record<string, unknown> };
      for (const p of ['/api/v1/projects/{project}/webhooks', '/api/v1/projects/{project}/webhooks/{name}/deliveries', '/api/v1/projects/{project}/webhooks/{name}/test', '/api/v1/projects/{project}/webhooks/{name}/rotate-secret', '/api/v1/webhooks/event-types']) {
        assert.ok(openapi.paths[p], `${p} in the OpenAPI document`);
      }
      await must(call(berth.url, 'DELETE', `/projects/${PROJECT}/webhooks/latency`, ADMIN), 204);
    });

    test('application notifications: per application, health degraded and synced as berth.application.* CloudEvents', async () => {
      await must(
        call(berth.url, 'POST', `/projects/${PROJECT}/webhooks`, ADMIN, {
          name: 'apps',
          eventTypes: ['APPLICATION_SYNCED', 'APPLICATION_HEALTH_DEGRADED'],
          applications: ['web'],
          targets: [{ address: `${receiver.url}/apps`, payloadFormat: 'CloudEvents' }],
        }),
        201,
      );
      // The events the delivery engine publishes, through the real bus.
      const publish = (e: Parameters<typeof berth.events.publish>[1]) => berth.db.transaction().execute((trx) => berth.events.publish(trx, e));
      await publish({ type: 'application.synced', actor: 'system', data: { project: PROJECT, application: 'api', revision: 'a'.repeat(40), operationId: 'op-api' } });
      await publish({ type: 'application.health_changed', actor: 'system', data: { project: PROJECT, application: 'web', from: 'Healthy', to: 'Progressing' } });
      await publish({ type: 'application.health_changed', actor: 'system', data: { project: PROJECT, application: 'web', from: 'Progressing', to: 'Degraded' } });
      await publish({ type: 'application.synced', actor: 'alice', data: { project: PROJECT, application: 'web', revision: 'b'.repeat(40), operationId: 'op-web' } });
      const got = await receiver.waitFor('/apps', 2);
      await new Promise((r) => setTimeout(r, 1000));
      const events = receiver.requests.filter((r) => r.path === '/apps').map((r) => JSON.parse(r.body) as { type: string; subject: string; data: { application: { name: string; health?: { to: string }; revision?: string } } });
      assert.equal(got.length, 2);
      assert.deepEqual(events.map((e) => e.type).sort(), ['berth.application.health_degraded', 'berth.application.synced']);
      for (const e of events) assert.equal(e.subject, 'web');
      assert.equal(events.find((e) => e.type === 'berth.application.synced')?.data.application.revision, 'b'.repeat(40));
      assert.equal(events.find((e) => e.type === 'berth.application.health_degraded')?.data.application.health?.to, 'Degraded');
      await must(call(berth.url, 'DELETE', `/projects/${PROJECT}/webhooks/apps`, ADMIN), 204);
    });

    test('CLI: create with an auth header from the environment, list, test, deliveries, rotate-secret, delete', async () => {
      const { secret: token } = await must<{ secret: string }>(call(berth.url, 'POST', '/users/me/tokens', ADMIN, { name: `cli-${database.name}` }), 201);
      const env = { BERTH_SERVER: berth.url, BERTH_TOKEN: token, BERTH_CLI_CONFIG: path.join(dataDir, 'cli.json'), HOOK_AUTH: 'Bearer from-env' };
      const create = await runCli(['webhook', 'create', 'cli', '-p', PROJECT, '--event', 'PUSH_ARTIFACT', '--target', `${receiver.url}/cli`, '--format', 'CloudEvents', '--auth-header-env', 'HOOK_AUTH'], env);
      assert.equal(create.code, 0, create.stderr);
      assert.match(create.stdout, /whsec_/);
      assert.match(create.stderr, /only once/);
      const list = await runCli(['webhook', 'list', '-p', PROJECT], env);
      assert.match(list.stdout, /cli\s+yes\s+PUSH_ARTIFACT/);
      const sent = await runCli(['webhook', 'test', 'cli', '-p', PROJECT], env);
      assert.equal(sent.code, 0, sent.stderr);
      const [req] = await receiver.waitFor('/cli', 1);
      assert.equal(req!.headers.authorization, 'Bearer from-env');
      const log = await runCli(['webhook', 'deliveries', 'cli', '-p', PROJECT], env);
      assert.match(log.stdout, /PUSH_ARTIFACT .*\/cli\s+1\s+200/);
      assert.match((await runCli(['webhook', 'rotate-secret', 'cli', '-p', PROJECT], env)).stdout, /whsec_/);
      const bad = await runCli(['webhook', 'create', 'meta', '-p', PROJECT, '--event', 'PUSH_ARTIFACT', '--target', 'http://169.254.169.254/'], env);
      assert.notEqual(bad.code, 0);
      assert.match(bad.stderr, /cloud metadata/);
      assert.equal((await runCli(['webhook', 'delete', 'cli', '-p', PROJECT], env)).code, 0);
    });

    test('loopback targets are refused at create without webhookAllowPrivateTargets, and at delivery after the option is turned off', async () => {
      await must(call(berth.url, 'POST', `/projects/${PROJECT}/webhooks`, ADMIN, { name: 'loop', eventTypes: ['PUSH_ARTIFACT'], targets: [{ address: `${receiver.url}/loop` }] }), 201);
      await berth.stop();
      berth = await startTestBerth({ ...dbEnv, BERTH_DATA_DIR: dataDir, BERTH_GITOPS_ENABLED: 'false' });
      const r = await call(berth.url, 'POST', `/projects/${PROJECT}/webhooks`, ADMIN, { name: 'loop2', eventTypes: ['PUSH_ARTIFACT'], targets: [{ address: `${receiver.url}/loop` }] });
      assert.equal(r.status, 400);
      assert.match(JSON.stringify(r.json), /loopback or private address; set webhookAllowPrivateTargets/);
      const [summary] = await must<Delivery[]>(call(berth.url, 'POST', `/projects/${PROJECT}/webhooks/loop/test`, ADMIN), 200);
      assert.equal(summary!.succeeded, false);
      assert.match(summary!.error ?? '', /loopback or private address/);
      assert.equal(receiver.requests.filter((q) => q.path === '/loop').length, 0);
      const log = await must<Delivery[]>(call(berth.url, 'GET', `/projects/${PROJECT}/webhooks/loop/deliveries`, ADMIN), 200);
      assert.match(log[0]!.error ?? '', /loopback or private/);
    });
  });
}
