/**
 * The audit log on SQLite and PostgreSQL: batching, interval and
 * size-triggered flushes, nothing lost on close, transactional records, query
 * filters and paging, purge, and a recordIn that survives kill -9. On SQLite
 * also: statements counted from the query log, and a failing database
 * (records kept, retried, overflow drops the oldest).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { Kysely, sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { testDatabases } from '../../test/support/databases.ts';
import { openDatabase } from '../platform/db/database.ts';
import { migrations } from '../platform/db/migrations/index.ts';
import { NodeSqliteDialect } from '../platform/db/node-sqlite-dialect.ts';
import type { Database, Db } from '../platform/db/schema.ts';
import { AuditLog, AuditQueryError, insertChunks, parseForwardTarget, projectOf, runAuditPurge, type AuditLogger } from './audit-log.ts';
import type { AuditEvent } from './types.ts';

/**
 * An in-memory database whose query log counts INSERT statements into
 * audit_log, and where `fail(true)` makes such inserts fail (a trigger, so
 * the failure comes from the database itself).
 */
async function openCountingDb(): Promise<{ db: Db; inserts: () => number; reset: () => void; fail: (on: boolean) => Promise<void> }> {
  let inserts = 0;
  const db = new Kysely<Database>({
    dialect: new NodeSqliteDialect({ path: ':memory:' }),
    log: (e) => {
      if (e.level === 'query' && e.query.sql.startsWith('insert into "audit_log"')) inserts++;
    },
  });
  const { error } = await new Migrator({ db, provider: { getMigrations: async () => migrations } }).migrateToLatest();
  if (error) throw new Error('migration failed', { cause: error });
  await sql`create table audit_test_switch (fail integer not null)`.execute(db);
  await sql`insert into audit_test_switch values (0)`.execute(db);
  await sql`create trigger audit_test_fail before insert on audit_log when (select fail from audit_test_switch) = 1
    begin select raise(abort, 'simulated database failure'); end`.execute(db);
  return {
    db,
    inserts: () => inserts,
    reset: () => (inserts = 0),
    fail: async (on) => {
      await sql`update audit_test_switch set fail = ${on ? 1 : 0}`.execute(db);
    },
  };
}

function pull(i: number, over: Partial<AuditEvent> = {}): AuditEvent {
  return {
    actor: { kind: 'user', name: `user${i % 7}` },
    sourceIp: '10.0.0.1',
    resourceType: 'artifact',
    resource: `team/app:v${i}`,
    action: 'pull',
    outcome: 'success',
    ...over,
  };
}

async function count(db: Db): Promise<number> {
  const r = await db.selectFrom('audit_log').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}

async function until(check: () => Promise<boolean>, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const silent: AuditLogger = pino({ level: 'silent' });

const databases = await testDatabases();

for (const kind of databases) {
  describe(`audit log on ${kind.name}`, { skip: kind.skip }, () => {
    let dir: string;
    const open = async (): Promise<Db> => openDatabase(await kind.createUrl(await mkdtemp(path.join(dir, 'db-'))));
    before(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'berth-audit-test-'));
    });
    after(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    describe('buffered records', () => {
      let db: Db;
      before(async () => {
        db = await open();
      });
      after(async () => {
        await db.destroy();
      });

      test('5,000 record() calls are written by a couple of multi-row inserts in one flush', async (t) => {
        await db.deleteFrom('audit_log').execute();
        const audit = new AuditLog(db, { flushIntervalMs: 60_000, bufferSize: 10_000, logger: silent });
        for (let i = 0; i < 5000; i++) audit.record(pull(i));
        assert.equal(await count(db), 0, 'record() itself never writes');
        const started = performance.now();
        await audit.flush();
        t.diagnostic(`${kind.name}: 5,000 records: ${audit.stats().inserts} INSERT statements, flushed in ${(performance.now() - started).toFixed(1)} ms`);
        assert.ok(audit.stats().inserts <= 3, `${audit.stats().inserts} inserts`);
        assert.equal(await count(db), 5000);
        assert.equal(audit.stats().flushes, 1);
        await audit.close();
      });

      test('10,000 records in one flush', async (t) => {
        await db.deleteFrom('audit_log').execute();
        const audit = new AuditLog(db, { flushIntervalMs: 60_000, bufferSize: 20_000, logger: silent });
        for (let i = 0; i < 10_000; i++) audit.record(pull(i));
        const started = performance.now();
        await audit.flush();
        const ms = performance.now() - started;
        t.diagnostic(`${kind.name}: 10,000 records flushed in ${ms.toFixed(1)} ms (${audit.stats().inserts} inserts)`);
        assert.equal(await count(db), 10_000);
        assert.equal(audit.stats().inserts, 4);
        await audit.close();
      });

      test('records are flushed by the interval timer without any call', async () => {
        await db.deleteFrom('audit_log').execute();
        const audit = new AuditLog(db, { flushIntervalMs: 50, bufferSize: 10_000, logger: silent });
        for (let i = 0; i < 3; i++) audit.record(pull(i));
        assert.equal(await count(db), 0);
        await until(async () => (await count(db)) === 3, 2000);
        await audit.close();
      });

      test('reaching bufferSize flushes at once', async () => {
        await db.deleteFrom('audit_log').execute();
        const audit = new AuditLog(db, { flushIntervalMs: 60_000, bufferSize: 100, logger: silent });
        for (let i = 0; i < 99; i++) audit.record(pull(i));
        await new Promise((r) => setTimeout(r, 30));
        assert.equal(await count(db), 0);
        audit.record(pull(99));
        await until(async () => (await count(db)) === 100, 1000);
        await audit.close();
      });

      test('close() writes everything, including a flush in flight and records behind it', async () => {
        await db.deleteFrom('audit_log').execute();
        // Size-triggered flushes run while records keep coming; 2 × bufferSize
        // exceeds the total, so nothing can overflow whatever the database speed.
        const audit = new AuditLog(db, { flushIntervalMs: 60_000, bufferSize: 7000, logger: silent });
        for (let i = 0; i < 12_345; i++) {
          audit.record(pull(i));
          if (i % 250 === 0) await new Promise((r) => setImmediate(r));
        }
        await audit.close();
        assert.equal(await count(db), 12_345);
        assert.equal(audit.stats().dropped, 0);
        audit.record(pull(0));
        assert.equal(audit.stats().dropped, 1, 'a record after close is dropped and counted');
      });

      test('record() never throws, whatever it is given', () => {
        const audit = new AuditLog(db, { flushIntervalMs: 60_000, logger: silent });
        assert.doesNotThrow(() => audit.record(undefined as unknown as AuditEvent));
        assert.doesNotThrow(() => audit.record({ actor: null, resource: { x: 1 } } as unknown as AuditEvent));
        assert.doesNotThrow(() => audit.record(pull(1, { detail: 'nul\0byte', resource: 'x'.repeat(5000) })));
        return audit.close();
      });
    });

    describe('transactional records', () => {
      let db: Db;
      let audit: AuditLog;
      before(async () => {
        db = await open();
        audit = new AuditLog(db, { flushIntervalMs: 60_000, logger: silent });
      });
      after(async () => {
        await audit.close();
        await db.destroy();
      });

      test('recordIn commits with its transaction and rolls back with it', async () => {
        const event: AuditEvent = { actor: { kind: 'user', name: 'admin' }, sourceIp: '::1', resourceType: 'project', resource: 'team', action: 'create', outcome: 'success' };
        await assert.rejects(
          db.transaction().execute(async (trx) => {
            await audit.recordIn(trx, { ...event, resource: 'rolled-back' });
            throw new Error('the management change failed');
          }),
          /management change failed/,
        );
        await db.transaction().execute(async (trx) => {
          await audit.recordIn(trx, event);
        });
        const { items, total } = await audit.query({ resourceType: 'project' }, { page: 1, pageSize: 10 });
        assert.equal(total, 1);
        assert.equal(items[0]!.resource, 'team');
        assert.equal(items[0]!.project, 'team');
      });
    });

    describe('query', () => {
      let db: Db;
      let audit: AuditLog;
      const t0 = Date.UTC(2026, 0, 1);
      before(async () => {
        db = await open();
        audit = new AuditLog(db, { flushIntervalMs: 60_000, logger: silent });
        const ev = (i: number, over: Partial<AuditEvent>): AuditEvent => ({ ...pull(i), time: t0 + i * 1000, ...over });
        // 30 pulls of team/app by alice and bob, alternately.
        for (let i = 0; i < 30; i++) audit.record(ev(i, { actor: { kind: 'user', name: i % 2 ? 'bob' : 'alice' }, resource: `team/app:v${i}` }));
        audit.record(ev(30, { actor: { kind: 'robot', name: 'robot$team+ci' }, action: 'push', resource: 'team/app@sha256:abc' }));
        audit.record(ev(31, { actor: { kind: 'anonymous', name: '' }, resource: 'teams/other:1', outcome: 'failure', detail: 'denied' }));
        audit.record(ev(32, { actor: { kind: 'user', name: 'admin' }, resourceType: 'project', resource: 'team', action: 'update' }));
        audit.record(ev(33, { actor: { kind: 'user', name: 'admin' }, resourceType: 'user', resource: 'team', action: 'create' }));
        audit.record(ev(34, { actor: { kind: 'user', name: 'admin' }, resourceType: 'robot', resource: 'robot$ci', action: 'delete', project: 'team' }));
        // Not flushed yet: query() flushes first.
      });
      after(async () => {
        await audit.close();
        await db.destroy();
      });

      test('no filter: everything, newest first, with the total', async () => {
        const { items, total } = await audit.query({}, { page: 1, pageSize: 5 });
        assert.equal(total, 35);
        assert.deepEqual(
          items.map((i) => i.time),
          [34, 33, 32, 31, 30].map((i) => t0 + i * 1000),
        );
      });

      test('paging walks every record exactly once, in order', async () => {
        const seen: string[] = [];
        for (let page = 1; ; page++) {
          const { items, total } = await audit.query({}, { page, pageSize: 4 }, 'time');
          assert.equal(total, 35);
          if (items.length === 0) break;
          seen.push(...items.map((i) => i.id));
        }
        assert.equal(seen.length, 35);
        assert.equal(new Set(seen).size, 35);
      });

      test('filters: actor, actorKind, action, outcome, resourceType, resource, time range', async () => {
        assert.equal((await audit.query({ actor: 'alice' }, { page: 1, pageSize: 100 })).total, 15);
        assert.equal((await audit.query({ actor: 'bob', action: 'pull' }, { page: 1, pageSize: 100 })).total, 15);
        assert.equal((await audit.query({ actorKind: 'robot' }, { page: 1, pageSize: 100 })).items[0]!.actor.name, 'robot$team+ci');
        assert.equal((await audit.query({ action: 'push' }, { page: 1, pageSize: 100 })).total, 1);
        const failed = await audit.query({ outcome: 'failure' }, { page: 1, pageSize: 100 });
        assert.equal(failed.total, 1);
        assert.equal(failed.items[0]!.detail, 'denied');
        assert.equal((await audit.query({ resourceType: 'project' }, { page: 1, pageSize: 100 })).total, 1);
        assert.equal((await audit.query({ resource: 'team/app:v3' }, { page: 1, pageSize: 100 })).total, 1);
        const range = await audit.query({ from: t0 + 10_000, to: t0 + 19_000 }, { page: 1, pageSize: 100 }, 'time');
        assert.equal(range.total, 10, 'from and to are inclusive');
        assert.equal(range.items[0]!.time, t0 + 10_000);
      });

      test('project: resources under <project>/ and the project itself, not look-alikes or users', async () => {
        const { items, total } = await audit.query({ project: 'team' }, { page: 1, pageSize: 100 });
        // 30 pulls + the robot push + the project update + the explicitly tagged robot change.
        assert.equal(total, 33);
        assert.ok(items.every((i) => i.resource === 'team' || i.resource.startsWith('team/') || i.project === 'team'));
        assert.ok(!items.some((i) => i.resource.startsWith('teams/')));
        assert.ok(!items.some((i) => i.resourceType === 'user'), 'a user named like the project is not a project record');
        assert.equal((await audit.query({ project: 'teams' }, { page: 1, pageSize: 100 })).total, 1);
        assert.equal((await audit.query({ project: 'te' }, { page: 1, pageSize: 100 })).total, 0);
      });

      test('sort by other fields, ties broken by time order', async () => {
        const { items } = await audit.query({ resourceType: 'artifact' }, { page: 1, pageSize: 100 }, 'actor,-time');
        const names = items.map((i) => i.actor.name);
        assert.deepEqual(names, [...names].sort());
        const alice = items.filter((i) => i.actor.name === 'alice').map((i) => i.time);
        assert.deepEqual(alice, [...alice].sort((a, b) => b - a));
      });

      test('bad page, page size or sort field is an AuditQueryError', async () => {
        await assert.rejects(audit.query({}, { page: 0, pageSize: 10 }), AuditQueryError);
        await assert.rejects(audit.query({}, { page: 1, pageSize: 0 }), AuditQueryError);
        await assert.rejects(audit.query({}, { page: 1, pageSize: 100_000 }), AuditQueryError);
        await assert.rejects(audit.query({}, { page: 1, pageSize: 10 }, 'password'), /cannot sort by "password"/);
      });
    });

    describe('purge and retention', () => {
      let db: Db;
      let audit: AuditLog;
      before(async () => {
        db = await open();
        audit = new AuditLog(db, { flushIntervalMs: 60_000, logger: silent });
      });
      after(async () => {
        await audit.close();
        await db.destroy();
      });

      test('purge removes records older than the limit and returns the count', async () => {
        const now = Date.now();
        const day = 86_400_000;
        for (let i = 0; i < 12_000; i++) audit.record(pull(i, { time: now - 100 * day + i }));
        for (let i = 0; i < 7; i++) audit.record(pull(i, { time: now - 10 * day }));
        await audit.flush();
        assert.equal(await audit.purge(90 * day), 12_000);
        assert.equal(await count(db), 7);
        assert.equal(await audit.purge(90 * day), 0);
      });

      test('runAuditPurge: retention 0 keeps everything; otherwise it purges', async () => {
        audit.record(pull(1, { time: Date.now() - 400 * 86_400_000 }));
        await audit.flush();
        assert.equal(await runAuditPurge(audit, { retentionDays: 0 }), 0);
        assert.equal(await runAuditPurge(audit, { retentionDays: 365 }), 1);
      });
    });

    describe('crash safety', () => {
      test('a record acknowledged by recordIn survives kill -9', async () => {
        const dbUrl = await kind.createUrl(await mkdtemp(path.join(dir, 'crash-')));
        const script = path.join(dir, `child-${kind.name}.ts`);
        const here = (f: string) => pathToFileURL(path.join(import.meta.dirname, f)).href;
        await writeFile(
          script,
          `import { openDatabase } from ${JSON.stringify(here('../platform/db/database.ts'))};
import { AuditLog } from ${JSON.stringify(here('audit-log.ts'))};
const db = await openDatabase(${JSON.stringify(dbUrl)});
const audit = new AuditLog(db, { flushIntervalMs: 60_000 });
await db.transaction().execute(async (trx) => {
  await audit.recordIn(trx, { actor: { kind: 'user', name: 'admin' }, sourceIp: '127.0.0.1', resourceType: 'project', resource: 'survivor', action: 'delete', outcome: 'success' });
});
// A buffered record that kill -9 is allowed to lose (not flushed yet).
audit.record({ actor: { kind: 'user', name: 'admin' }, sourceIp: '127.0.0.1', resourceType: 'artifact', resource: 'survivor/app:1', action: 'pull', outcome: 'success' });
process.stdout.write('ok\\n');
setInterval(() => {}, 1000);
`,
        );
        const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        let err = '';
        child.stderr.on('data', (c: Buffer) => (err += c.toString()));
        await new Promise<void>((resolve, reject) => {
          child.stdout.on('data', (c: Buffer) => {
            out += c.toString();
            if (out.includes('ok\n')) resolve();
          });
          child.once('exit', (code) => reject(new Error(`child exited (${code}) before ok: ${err}`)));
        });
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGKILL');
        await exited;
        assert.equal(child.signalCode, 'SIGKILL');

        const db = await openDatabase(dbUrl);
        try {
          const audit = new AuditLog(db, { logger: silent });
          const { items } = await audit.query({ project: 'survivor' }, { page: 1, pageSize: 10 });
          assert.ok(
            items.some((i) => i.resource === 'survivor' && i.action === 'delete'),
            'the transactional record survived',
          );
          await audit.close();
        } finally {
          await db.destroy();
        }
      });
    });
  });
}

describe('on a failing database (SQLite)', () => {
  let db: Db;
  let spy: Awaited<ReturnType<typeof openCountingDb>>;
  before(async () => {
    spy = await openCountingDb();
    db = spy.db;
  });
  after(async () => {
    await db.destroy();
  });

  test('the statement count comes from the query log: 5,000 records, 2 INSERTs', async () => {
    spy.reset();
    const audit = new AuditLog(db, { flushIntervalMs: 60_000, bufferSize: 10_000, logger: silent });
    for (let i = 0; i < 5000; i++) audit.record(pull(i));
    await audit.close();
    assert.equal(spy.inserts(), 2);
    assert.equal(audit.stats().inserts, 2);
    await db.deleteFrom('audit_log').execute();
  });

  test('a failed flush keeps the records and a later flush writes them; overflow drops the oldest', async () => {
    const metrics = new Registry();
    const audit = new AuditLog(db, { flushIntervalMs: 60_000, bufferSize: 100, logger: silent, metrics });
    await spy.fail(true);
    try {
      for (let i = 0; i < 50; i++) audit.record(pull(i));
      await assert.rejects(audit.flush(), /simulated database failure/);
      assert.equal(audit.stats().buffered, 50);
      for (let i = 50; i < 250; i++) audit.record(pull(i));
      await new Promise((r) => setTimeout(r, 20));
      assert.equal(audit.stats().buffered, 200, 'bounded at 2 × bufferSize');
      assert.equal(audit.stats().dropped, 50);
    } finally {
      await spy.fail(false);
    }
    await audit.flush();
    assert.equal(await count(db), 200);
    const oldest = await db.selectFrom('audit_log').select('resource').where('resource', '=', 'team/app:v49').execute();
    assert.equal(oldest.length, 0, 'the oldest records were the ones dropped');
    const text = await metrics.metrics();
    assert.match(text, /berth_audit_dropped_total\{reason="overflow"\} 50/);
    assert.match(text, /berth_audit_flush_failures_total \d+/);
    await audit.close();
  });

});

describe('ids and helpers', () => {
  test('insert chunking uses few statement shapes', () => {
    assert.deepEqual(insertChunks(5000), [2500, 2500]);
    assert.deepEqual(insertChunks(10_001), [2500, 2500, 2500, 2500, 1]);
    assert.deepEqual(insertChunks(37), [25, 5, 5, 1, 1]);
    assert.deepEqual(insertChunks(0), []);
  });

  test('projectOf', () => {
    assert.equal(projectOf('artifact', 'team/app:v1'), 'team');
    assert.equal(projectOf('project', 'team'), 'team');
    assert.equal(projectOf('user', 'team'), null);
    assert.equal(projectOf('repository', 'a/b/c'), 'a');
  });

  test('auditForward validation names the problem', () => {
    assert.throws(() => parseForwardTarget('syslog://host:514'), /unsupported form/);
    assert.throws(() => parseForwardTarget('syslog+udp://host:99999'), /not a valid host:port|bad port/);
    assert.throws(() => parseForwardTarget('syslog+tcp://host:514/path'), /only host and port/);
    assert.throws(() => parseForwardTarget('jsonl:'), /needs a file path/);
    assert.deepEqual(parseForwardTarget('syslog+tcp://[::1]:6514'), { kind: 'syslog', transport: 'tcp', host: '::1', port: 6514 });
    assert.deepEqual(parseForwardTarget('syslog+udp://logs.example.com'), { kind: 'syslog', transport: 'udp', host: 'logs.example.com', port: 514 });
    assert.throws(() => new AuditLog({} as Db, { forward: 'jsonl:/nonexistent-dir/x/audit.jsonl' }), /cannot open for appending/);
  });
});

