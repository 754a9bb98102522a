/**
 * Audit forwarding against real loopback receivers: a UDP and a TCP syslog
 * listener get RFC 5424 messages (TCP with RFC 6587 octet counting) carrying
 * the record in structured data; a jsonl file gets one JSON object per line.
 * Records are forwarded only once written; a rolled-back one never is.
 */
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AuditLog } from '../../src/audit/audit-log.ts';
import { SD_ID } from '../../src/audit/forward.ts';
import type { AuditEvent } from '../../src/audit/types.ts';
import { openDatabase } from '../../src/platform/db/database.ts';
import type { Db } from '../../src/platform/db/schema.ts';

interface Syslog {
  pri: number;
  version: string;
  timestamp: string;
  hostname: string;
  app: string;
  procid: string;
  msgid: string;
  sdId: string;
  params: Record<string, string>;
  msg: string;
}

/** Parses one RFC 5424 message with a single SD element. */
function parseSyslog(line: string): Syslog {
  const m = /^<(\d{1,3})>(\d) (\S+) (\S+) (\S+) (\S+) (\S+) \[([^\s\]]+)((?: [^=\s\]"]+="(?:[^"\\]|\\.)*")*)\](?: (.*))?$/s.exec(line);
  assert.ok(m, `not an RFC 5424 message with structured data: ${line}`);
  const params: Record<string, string> = {};
  for (const p of m[9]!.matchAll(/ ([^=\s\]"]+)="((?:[^"\\]|\\.)*)"/g)) params[p[1]!] = p[2]!.replace(/\\(["\\\]])/g, '$1');
  return { pri: Number(m[1]), version: m[2]!, timestamp: m[3]!, hostname: m[4]!, app: m[5]!, procid: m[6]!, msgid: m[7]!, sdId: m[8]!, params, msg: m[10] ?? '' };
}

const events: AuditEvent[] = [
  { actor: { kind: 'user', name: 'alice' }, sourceIp: '192.0.2.10', resourceType: 'artifact', resource: 'team/app:v1', action: 'pull', outcome: 'success' },
  { actor: { kind: 'robot', name: 'robot$team+ci' }, sourceIp: '192.0.2.11', resourceType: 'artifact', resource: 'team/app@sha256:0123', action: 'push', outcome: 'success' },
  { actor: { kind: 'anonymous', name: '' }, sourceIp: '2001:db8::1', resourceType: 'repository', resource: 'team/secret', action: 'pull', outcome: 'failure', detail: 'denied: "no" access ] \\ here' },
];

async function until<T>(check: () => T | undefined, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

function checkRecords(messages: Syslog[]): void {
  assert.equal(messages.length, 3);
  const [a, b, c] = messages as [Syslog, Syslog, Syslog];
  for (const m of messages) {
    assert.equal(m.version, '1');
    assert.equal(m.app, 'berth');
    assert.equal(m.msgid, 'audit');
    assert.equal(m.procid, String(process.pid));
    assert.equal(m.sdId, SD_ID);
    assert.match(m.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.match(m.params.id!, /^[0-9a-f-]{36}$/);
  }
  assert.equal(a.pri, 16 * 8 + 5, 'local0.notice for success');
  assert.deepEqual(
    { ...a.params, id: undefined },
    { id: undefined, actor: 'alice', actorKind: 'user', sourceIp: '192.0.2.10', resourceType: 'artifact', resource: 'team/app:v1', project: 'team', action: 'pull', outcome: 'success' },
  );
  assert.equal(a.msg, 'alice pull artifact team/app:v1: success');
  assert.equal(b.params.actor, 'robot$team+ci');
  assert.equal(b.params.action, 'push');
  assert.equal(c.pri, 16 * 8 + 4, 'local0.warning for failure');
  assert.equal(c.params.outcome, 'failure');
  assert.equal(c.params.sourceIp, '2001:db8::1');
  assert.equal(c.params.detail, 'denied: "no" access ] \\ here', 'SD-PARAM escaping round-trips');
  assert.equal(c.params.actor, undefined, 'empty values are left out');
  assert.equal(c.msg, 'anonymous pull repository team/secret: failure (denied: "no" access ] \\ here)');
}

describe('syslog forwarding', () => {
  let db: Db;
  before(async () => {
    db = await openDatabase('sqlite::memory:');
  });
  after(async () => {
    await db.destroy();
  });

  test('UDP: one RFC 5424 message per datagram, sent after the records are written', async () => {
    const server = dgram.createSocket('udp4');
    const received: string[] = [];
    server.on('message', (m) => received.push(m.toString('utf8')));
    await new Promise<void>((r) => server.bind(0, '127.0.0.1', () => r()));
    const port = server.address().port;
    const audit = new AuditLog(db, { flushIntervalMs: 60_000, forward: `syslog+udp://127.0.0.1:${port}` });
    try {
      for (const e of events) audit.record(e);
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(received.length, 0, 'nothing is forwarded before it is in the database');
      await audit.flush();
      await until(() => (received.length >= 3 ? true : undefined));
      checkRecords(received.map(parseSyslog));
    } finally {
      await audit.close();
      server.close();
    }
  });

  test('TCP: octet-counted frames; queued while the receiver is down, delivered when it comes up', async () => {
    // Reserve a port, then leave it closed: the forwarder must retry.
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));

    const audit = new AuditLog(db, { flushIntervalMs: 20, forward: `syslog+tcp://127.0.0.1:${port}` });
    const started = performance.now();
    for (const e of events) audit.record(e);
    assert.ok(performance.now() - started < 20, 'record() does not wait for the receiver');
    await audit.flush();
    await new Promise((r) => setTimeout(r, 300));

    let raw = Buffer.alloc(0);
    const frames: string[] = [];
    const server = net.createServer((socket) => {
      socket.on('data', (chunk: Buffer) => {
        raw = Buffer.concat([raw, chunk]);
        // RFC 6587 octet counting: MSG-LEN SP SYSLOG-MSG, no trailer.
        for (;;) {
          const sp = raw.indexOf(0x20);
          if (sp === -1) break;
          const len = Number(raw.subarray(0, sp).toString('ascii'));
          assert.ok(Number.isInteger(len) && len > 0, `bad frame length ${raw.subarray(0, sp).toString()}`);
          if (raw.length < sp + 1 + len) break;
          frames.push(raw.subarray(sp + 1, sp + 1 + len).toString('utf8'));
          raw = raw.subarray(sp + 1 + len);
        }
      });
    });
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
    try {
      await until(() => (frames.length >= 3 ? true : undefined), 10_000);
      checkRecords(frames.map(parseSyslog));
      assert.ok((audit.stats().forward?.errors ?? 0) >= 1, 'the refused connection was seen and retried');

      // A management change: forwarded once its transaction commits.
      await db.transaction().execute(async (trx) => {
        await audit.recordIn(trx, { actor: { kind: 'user', name: 'admin' }, sourceIp: '::1', resourceType: 'project', resource: 'team', action: 'update', outcome: 'success' });
      });
      const update = await until(() => frames.map(parseSyslog).find((m) => m.params.action === 'update'));
      assert.equal(update.params.resourceType, 'project');
    } finally {
      await audit.close();
      await new Promise<void>((r) => server.close(() => r()));
    }
    assert.equal(raw.length, 0, 'no partial frame left over');
  });
});

describe('jsonl forwarding', () => {
  let dir: string;
  let db: Db;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'berth-audit-jsonl-'));
    db = await openDatabase('sqlite::memory:');
  });
  after(async () => {
    await db.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  test('one JSON object per line, appended; committed recordIn forwarded, rolled back not', async () => {
    const file = path.join(dir, 'audit.jsonl');
    const audit = new AuditLog(db, { flushIntervalMs: 60_000, forward: `jsonl:${file}` });
    for (let i = 0; i < 1000; i++) audit.record({ ...events[0]!, resource: `team/app:v${i}` });
    for (const e of events.slice(1)) audit.record(e);
    await assert.rejects(
      db.transaction().execute(async (trx) => {
        await audit.recordIn(trx, { actor: { kind: 'user', name: 'admin' }, sourceIp: '::1', resourceType: 'project', resource: 'ghost', action: 'delete', outcome: 'success' });
        throw new Error('rolled back');
      }),
    );
    await db.transaction().execute(async (trx) => {
      await audit.recordIn(trx, { actor: { kind: 'user', name: 'admin' }, sourceIp: '::1', resourceType: 'project', resource: 'team', action: 'create', outcome: 'success' });
    });
    await audit.close();

    const text = await readFile(file, 'utf8');
    assert.ok(text.endsWith('\n'));
    const lines = text.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(lines.length, 1003);
    assert.deepEqual(Object.keys(lines[0]!).sort(), ['action', 'actor', 'detail', 'id', 'outcome', 'project', 'resource', 'resourceType', 'sourceIp', 'time']);
    assert.deepEqual(lines[0]!.actor, { kind: 'user', name: 'alice' });
    assert.equal(lines[0]!.resource, 'team/app:v0');
    assert.equal(lines[1002]!.resource, 'team');
    assert.equal(lines[1002]!.action, 'create');
    assert.ok(!lines.some((l) => l.resource === 'ghost'), 'a rolled-back record is never forwarded');
    assert.equal(lines[1001]!.detail, events[2]!.detail);

    // Appends, never truncates.
    const again = new AuditLog(db, { flushIntervalMs: 60_000, forward: `jsonl:${file}` });
    again.record(events[0]!);
    await again.close();
    assert.equal((await readFile(file, 'utf8')).trimEnd().split('\n').length, 1004);
  });
});
