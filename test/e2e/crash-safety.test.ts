/**
 * kill -9 at any moment of a push leaves nothing corrupt or half-visible:
 * an interrupted upload resumes after restart, a killed monolithic push is
 * either complete or absent, and expired sessions are cleaned up.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, before, test } from 'node:test';
import { basicAuth } from '../support/berth.ts';
import { spawnBerth, type BerthProcess } from '../support/berth-process.ts';
import { OciClient, sha256 } from '../support/oci-client.ts';

let dataDir: string;
let server: BerthProcess | undefined;

before(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'berth-crash-'));
});
after(async () => {
  await server?.kill();
  await rm(dataDir, { recursive: true, force: true });
});

/**
 * Streams `data` to the URL in 64 KiB pieces and calls `onProgress` with the
 * bytes handed to the socket so far; resolves when the request ends either way.
 */
function slowSend(url: string, method: string, headers: Record<string, string>, data: Buffer, onProgress: (sent: number) => void): Promise<void> {
  return new Promise((resolve) => {
    const u = new URL(url);
    const req = request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method, headers: { ...headers, 'content-length': String(data.length) } });
    req.on('error', () => resolve());
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve());
    });
    let offset = 0;
    const pump = () => {
      while (offset < data.length) {
        const piece = data.subarray(offset, offset + 65536);
        offset += piece.length;
        onProgress(offset);
        if (!req.write(piece)) {
          req.once('drain', () => setTimeout(pump, 2));
          return;
        }
      }
      req.end();
    };
    pump();
  });
}

test('an upload killed mid-chunk resumes after restart and completes with the right digest', async () => {
  server = await spawnBerth(dataDir);
  const oci = new OciClient(server.url, basicAuth());
  const data = randomBytes(48 * 1024 * 1024);
  const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`;

  const location = (await oci.fetch('/v2/crash/app/blobs/uploads/', { method: 'POST' })).headers.get('location')!;
  const first = data.subarray(0, 8 * 1024 * 1024);
  assert.equal((await oci.fetch(location, { method: 'PATCH', body: first, headers: { 'content-range': `0-${first.length - 1}` } })).status, 202);

  // Second chunk: kill the server while it streams.
  const victim = server;
  let killed = false;
  await slowSend(`${server.url}${location}`, 'PATCH', { authorization: basicAuth(), 'content-range': `${first.length}-${data.length - 1}` }, data.subarray(first.length), (sent) => {
    if (!killed && sent > 16 * 1024 * 1024) {
      killed = true;
      void victim.kill('SIGKILL');
    }
  });
  await victim.kill();
  assert.ok(killed, 'the server was killed during the chunk');

  server = await spawnBerth(dataDir);
  const after = new OciClient(server.url, basicAuth());
  assert.equal((await after.fetch(`/v2/crash/app/blobs/${digest}`, { method: 'HEAD' })).status, 404, 'no half blob is visible');
  const status = await after.fetch(location);
  assert.equal(status.status, 204);
  const received = Number(status.headers.get('range')!.split('-')[1]) + 1;
  assert.ok(received >= first.length && received < data.length, `resumable at ${received}`);

  const rest = data.subarray(received);
  const patch = await after.fetch(location, { method: 'PATCH', body: rest, headers: { 'content-range': `${received}-${data.length - 1}` } });
  assert.equal(patch.status, 202);
  assert.equal((await after.fetch(`${location}?digest=${digest}`, { method: 'PUT' })).status, 201);
  const pulled = Buffer.from(await (await after.fetch(`/v2/crash/app/blobs/${digest}`)).arrayBuffer());
  assert.equal(sha256(pulled), digest);
});

test('monolithic pushes killed at random moments are complete or absent, never corrupt', async () => {
  for (let round = 0; round < 4; round++) {
    server ??= await spawnBerth(dataDir);
    const data = randomBytes(12 * 1024 * 1024);
    const digest = sha256(data);
    const killAt = Math.floor((0.1 + 0.85 * Math.random()) * data.length);
    const victim = server;
    let killed = false;
    await slowSend(`${server.url}/v2/crash/mono/blobs/uploads/?digest=${digest}`, 'POST', { authorization: basicAuth() }, data, (sent) => {
      if (!killed && sent >= killAt) {
        killed = true;
        void victim.kill('SIGKILL');
      }
    });
    await victim.kill();
    server = await spawnBerth(dataDir);
    const oci = new OciClient(server.url, basicAuth());
    const head = await oci.fetch(`/v2/crash/mono/blobs/${digest}`, { method: 'HEAD' });
    if (head.status === 200) {
      const body = Buffer.from(await (await oci.fetch(`/v2/crash/mono/blobs/${digest}`)).arrayBuffer());
      assert.equal(sha256(body), digest, `round ${round}: a visible blob is complete`);
    } else {
      assert.equal(head.status, 404, `round ${round}`);
    }
    // The registry keeps working after the crash.
    const image = await oci.pushImage('crash/mono', `r${round}`);
    assert.equal((await oci.fetch(`/v2/crash/mono/manifests/${image.digest}`)).status, 200);
    await server.kill();
    server = undefined;
  }
});

test('expired sessions and orphaned upload files are removed at start', async () => {
  server ??= await spawnBerth(dataDir);
  const oci = new OciClient(server.url, basicAuth());
  const location = (await oci.fetch('/v2/crash/expire/blobs/uploads/', { method: 'POST' })).headers.get('location')!;
  await oci.fetch(location, { method: 'PATCH', body: 'partial data' });
  await server.kill();
  server = undefined;

  const id = location.split('/').pop()!;
  const db = new DatabaseSync(path.join(dataDir, 'berth.db'));
  db.prepare('UPDATE uploads SET updated_at = ? WHERE id = ?').run(Date.now() - 2 * 86_400_000, id);
  db.close();
  const uploads = path.join(dataDir, 'storage', 'uploads');
  assert.ok((await readdir(uploads)).includes(id));
  // Files without a session: an old one is an orphan, a fresh one may be a
  // session being created at this very moment and must survive.
  const oldOrphan = '00000000-0000-4000-8000-000000000001';
  const freshOrphan = '00000000-0000-4000-8000-000000000002';
  await writeFile(path.join(uploads, oldOrphan), 'left behind');
  const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000);
  await utimes(path.join(uploads, oldOrphan), twoDaysAgo, twoDaysAgo);
  await writeFile(path.join(uploads, freshOrphan), 'just started');

  server = await spawnBerth(dataDir);
  const after = new OciClient(server.url, basicAuth());
  assert.equal((await after.fetch(location)).status, 404);
  const left = await readdir(uploads);
  assert.ok(!left.includes(id), 'the expired session file is deleted');
  assert.ok(!left.includes(oldOrphan), 'an old orphan file is deleted');
  assert.ok(left.includes(freshOrphan), 'a fresh file without a row is kept');
});
