/**
 * The job platform and domain events in a real Berth, once per database:
 * background maintenance runs as scheduled jobs, registry and project
 * changes publish their events with the acting account, /api/v1/jobs lists,
 * shows, cancels and retries (administrators only, audited), `berth jobs`
 * does the same from the command line, and the queue depth reaches
 * /metrics.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { JobRecord } from '../../src/platform/jobs/queue.ts';
import type { DomainEvent } from '../../src/platform/events/types.ts';
import { startTestBerth, type TestBerth } from '../support/berth.ts';
import { runCli } from '../support/cli.ts';
import { testDatabases } from '../support/databases.ts';
import { ADMIN, PASSWORD, createUser, must } from '../support/matrix-fixture.ts';
import { auditEntries, basic, call, eventually } from '../support/matrix-http.ts';
import { OciClient } from '../support/oci-client.ts';

for (const database of await testDatabases()) {
  describe(`jobs and events on ${database.name}`, { skip: database.skip }, () => {
    let berth: TestBerth;
    let base: string;

    before(async () => {
      berth = await startTestBerth({ ...(await database.env()), BERTH_JOBS_POLL_INTERVAL_MS: '100', BERTH_UPLOAD_PURGE_INTERVAL_SECONDS: '1' });
      base = berth.url;
    });
    after(async () => {
      await berth.stop();
    });

    test('maintenance runs as scheduled jobs: upload sweep, robot notices, audit purge, job purge', async () => {
      for (const kind of ['uploads.purge', 'robots.expiry-notices', 'audit.purge', 'jobs.purge', 'events.purge']) {
        await eventually(`${kind} succeeded`, async () => {
          const res = must(await call(base, 'GET', `/api/v1/jobs?kind=${kind}&state=succeeded`, { auth: ADMIN }), 200, kind);
          return (res.body as JobRecord[]).length > 0;
        });
      }
      // The 1 s upload sweep keeps running, one job per slot.
      await eventually('two sweeps', async () => Number((await call(base, 'GET', '/api/v1/jobs?kind=uploads.purge', { auth: ADMIN })).headers.get('x-total-count')) >= 2, 10_000);
      const sweeps = (await call(base, 'GET', '/api/v1/jobs?kind=uploads.purge&page_size=100', { auth: ADMIN })).body as JobRecord[];
      const slots = sweeps.map((j) => j.dedupeKey);
      assert.equal(new Set(slots).size, slots.length, 'each slot once');
      assert.ok(slots.every((s) => s?.startsWith('schedule:uploads.purge:')));
    });

    test('pushes, pulls, tag moves and deletions publish events with the acting account and project', async () => {
      const heard: DomainEvent[] = [];
      const stop = berth.events.on(['artifact.pushed', 'artifact.pulled', 'artifact.deleted', 'tag.created', 'tag.moved', 'tag.deleted', 'project.created'], (e) => heard.push(e));
      try {
        const oci = new OciClient(base, ADMIN);
        const first = await oci.pushImage('events/app', 'v1', 'layer one');
        const second = await oci.pushImage('events/app', 'v1', 'layer two');
        assert.equal((await oci.fetch('/v2/events/app/manifests/v1')).status, 200);
        assert.equal((await oci.fetch('/v2/events/app/manifests/v1', { method: 'DELETE' })).status, 202);
        assert.equal((await oci.fetch(`/v2/events/app/manifests/${first.digest}`, { method: 'DELETE' })).status, 202);
        await eventually('all events heard', async () => Promise.resolve(heard.some((e) => e.type === 'artifact.deleted')));
        // The pull is published off the request's path, so it may land after the next request's event.
        await eventually('the pull heard', async () => Promise.resolve(heard.some((e) => e.type === 'artifact.pulled')));
        const seen = heard.map((e) => e.type).filter((t) => t !== 'artifact.pulled');
        assert.deepEqual(seen, ['project.created', 'artifact.pushed', 'tag.created', 'artifact.pushed', 'tag.moved', 'tag.deleted', 'artifact.deleted']);
        const pulled = heard.find((e): e is DomainEvent<'artifact.pulled'> => e.type === 'artifact.pulled')!;
        assert.deepEqual(pulled.data, { project: 'events', repository: 'events/app', digest: second.digest, tag: 'v1' });
        for (const e of heard) assert.equal(e.actor, 'admin');
        const moved = heard.find((e): e is DomainEvent<'tag.moved'> => e.type === 'tag.moved')!;
        assert.deepEqual(moved.data, { project: 'events', repository: 'events/app', tag: 'v1', digest: second.digest, previousDigest: first.digest });
        const pushed = heard.find((e): e is DomainEvent<'artifact.pushed'> => e.type === 'artifact.pushed')!;
        assert.equal(pushed.data.tag, 'v1');
        assert.equal(pushed.data.size, first.size);
        const deleted = heard.find((e): e is DomainEvent<'artifact.deleted'> => e.type === 'artifact.deleted')!;
        assert.deepEqual(deleted.data.tags, [], 'its tag had moved away');
      } finally {
        stop();
      }
    });

    test('project and robot changes through the API are kept as events with the acting account', async () => {
      const since = Date.now();
      must(await call(base, 'POST', '/api/v1/projects', { auth: ADMIN, body: { name: 'evented' } }), 201, 'project');
      const robot = must(await call(base, 'POST', '/api/v1/robots', { auth: ADMIN, body: { name: 'bot', level: 'project', permissions: [{ namespace: 'evented', access: [{ resource: 'repository', action: 'pull' }] }] } }), 201, 'robot').body as { name: string };
      must(await call(base, 'PUT', '/api/v1/projects/evented', { auth: ADMIN, body: { public: true } }), 200, 'update');
      must(await call(base, 'DELETE', `/api/v1/robots/${encodeURIComponent(robot.name)}`, { auth: ADMIN }), 204, 'robot delete');
      must(await call(base, 'DELETE', '/api/v1/projects/evented', { auth: ADMIN }), 204, 'project delete');
      const history = (await berth.events.list({ since })).filter((e) => 'project' in e.data && e.data.project === 'evented').reverse();
      assert.deepEqual(history.map((e) => e.type), ['project.created', 'robot.created', 'project.updated', 'robot.deleted', 'project.deleted']);
      assert.ok(history.every((e) => e.actor === 'admin'));
      assert.equal((history[1]!.data as { robot: string }).robot, robot.name);
    });

    test('/api/v1/jobs: list, get, cancel and retry for administrators, audited; others are refused', async () => {
      const id = await berth.jobs.enqueue(berth.db, 'test.never-registered', { note: 'waits' }, { runAt: Date.now() + 3_600_000, dedupeKey: 'only-one' });
      const listed = must(await call(base, 'GET', '/api/v1/jobs?kind=test.never-registered&state=queued', { auth: ADMIN }), 200, 'list');
      assert.equal(listed.headers.get('x-total-count'), '1');
      assert.equal((listed.body as JobRecord[])[0]!.id, id);
      const got = must(await call(base, 'GET', `/api/v1/jobs/${id}`, { auth: ADMIN }), 200, 'get').body as JobRecord;
      assert.deepEqual(got.payload, { note: 'waits' });
      assert.equal(got.dedupeKey, 'only-one');

      await createUser(base, 'jobs-viewer');
      const user = basic('jobs-viewer', PASSWORD);
      assert.equal((await call(base, 'GET', '/api/v1/jobs', { auth: user })).status, 403);
      assert.equal((await call(base, 'POST', `/api/v1/jobs/${id}/cancel`, { auth: user })).status, 403);
      assert.equal((await call(base, 'GET', '/api/v1/jobs/not-a-uuid', { auth: ADMIN })).status, 400);
      assert.equal((await call(base, 'GET', '/api/v1/jobs/01938c1e-7d2a-7000-8000-0123456789ab', { auth: ADMIN })).status, 404);
      assert.equal((await call(base, 'GET', '/api/v1/jobs?state=lost', { auth: ADMIN })).status, 400);

      const cancelled = must(await call(base, 'POST', `/api/v1/jobs/${id}/cancel`, { auth: ADMIN }), 200, 'cancel').body as JobRecord;
      assert.equal(cancelled.state, 'cancelled');
      assert.equal((await call(base, 'POST', `/api/v1/jobs/${id}/cancel`, { auth: ADMIN })).status, 409);
      const retried = must(await call(base, 'POST', `/api/v1/jobs/${id}/retry`, { auth: ADMIN }), 200, 'retry').body as JobRecord;
      assert.equal(retried.state, 'queued');
      assert.equal((await call(base, 'POST', `/api/v1/jobs/${id}/retry`, { auth: ADMIN })).status, 409);
      const records = await auditEntries(base, ADMIN, { resource_type: 'job', resource: id });
      assert.deepEqual(records.map((r) => `${r.action}:${r.outcome}`).sort(), ['cancel:success', 'retry:success']);
      await call(base, 'POST', `/api/v1/jobs/${id}/cancel`, { auth: ADMIN });
    });

    test('berth jobs list/get/cancel from the command line', async () => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'berth-jobs-cli-'));
      try {
        const token = must(await call(base, 'POST', '/api/v1/users/me/tokens', { auth: ADMIN, body: { name: 'jobs-cli' } }), 201, 'token').body as { secret: string };
        const env = { BERTH_SERVER: base, BERTH_TOKEN: token.secret, BERTH_CLI_CONFIG: path.join(dir, 'cli.json') };
        const id = await berth.jobs.enqueue(berth.db, 'test.cli-only', {}, { runAt: Date.now() + 3_600_000 });
        const list = await runCli(['jobs', 'list', '--kind', 'test.cli-only', '-o', 'json'], env);
        assert.equal(list.code, 0, list.stderr);
        assert.deepEqual((JSON.parse(list.stdout) as JobRecord[]).map((j) => j.id), [id]);
        const get = await runCli(['jobs', 'get', id], env);
        assert.equal(get.code, 0, get.stderr);
        assert.match(get.stdout, /state\s+queued/);
        const cancel = await runCli(['jobs', 'cancel', id], env);
        assert.equal(cancel.code, 0, cancel.stderr);
        assert.match(cancel.stdout, /Cancelled job/);
        const bad = await runCli(['jobs', 'get', 'nope'], env);
        assert.notEqual(bad.code, 0);
        assert.match(bad.stderr, /not a job id/);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    test('the queue depth, run times and failures are in /metrics', async () => {
      const text = (await call(base, 'GET', '/metrics')).text;
      assert.match(text, /berth_jobs\{kind="uploads.purge",state="succeeded"\} \d+/);
      assert.match(text, /berth_job_run_seconds_count\{kind="uploads.purge",outcome="succeeded"\} \d+/);
      assert.match(text, /# TYPE berth_job_failures_total counter/);
    });
  });
}
