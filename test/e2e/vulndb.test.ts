/**
 * The vulnerability data API and CLI against a real Berth on SQLite and
 * PostgreSQL with the real files of /work/shared/vulndata: uploads (raw
 * body), URL imports from a local HTTP server, the CLI (import, status,
 * remove, --wait on the re-match job), refusals (non-admins, bad formats,
 * oversized bodies, unreachable URLs) that change nothing, audit records,
 * metrics and the OpenAPI description.
 */
import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ADMIN_PASSWORD, basicAuth, startTestBerth, type TestBerth } from '../support/berth.ts';
import { runCli } from '../support/cli.ts';
import { testDatabases } from '../support/databases.ts';
import { VULNDATA, listHeaders, zipJsonEntries } from '../support/vulndata.ts';

const ADMIN = basicAuth('admin', ADMIN_PASSWORD);
const MAX_BYTES = 4 * 1024 * 1024;

interface Answer<T> {
  status: number;
  body: T;
}

for (const database of await testDatabases()) {
  describe(`vulnerability data API and CLI on ${database.name}`, { skip: database.skip }, () => {
    let berth: TestBerth;
    let tmp: string;
    let files: Server;
    let filesUrl: string;
    let token: string;
    let rematches = 0;
    let standIn = false;

    async function api<T = unknown>(method: string, p: string, opts: { auth?: string | null; json?: unknown; file?: string; type?: string } = {}): Promise<Answer<T>> {
      const headers: Record<string, string> = {};
      const auth = opts.auth === undefined ? ADMIN : opts.auth;
      if (auth) headers.authorization = auth;
      let body: string | Buffer | undefined;
      if (opts.json !== undefined) {
        headers['content-type'] = 'application/json';
        body = JSON.stringify(opts.json);
      } else if (opts.file !== undefined) {
        headers['content-type'] = opts.type ?? 'application/octet-stream';
        body = await readFile(opts.file);
      }
      const res = await fetch(`${berth.url}/api/v1${p}`, { method, headers, body });
      const text = await res.text();
      return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
    }
    const cli = (args: string[]) => runCli(args, { BERTH_SERVER: berth.url, BERTH_TOKEN: token, BERTH_CLI_CONFIG: path.join(tmp, 'cli.json') });

    before(async () => {
      tmp = await mkdtemp(path.join(os.tmpdir(), 'berth-vulndb-e2e-'));
      berth = await startTestBerth({ ...(await database.env()), BERTH_VULNDB_MAX_IMPORT_BYTES: String(MAX_BYTES), BERTH_VULNDB_DOWNLOAD_TIMEOUT_SECONDS: '5' });
      // The scanning service handles vulnerabilities.rematch; until it is wired in, a stand-in counts the runs.
      try {
        berth.jobs.register<{ sources: string[] }>({ kind: 'vulnerabilities.rematch', handle: async (p) => void (rematches += p.sources.length) });
        standIn = true;
      } catch {
        // registered by the scanning service
      }
      token = (await api<{ secret: string }>('POST', '/users/me/tokens', { json: { name: 'vulndb-cli' } })).body.secret;
      files = createServer((req, res) => {
        const name = (req.url ?? '/').slice(1);
        if (name === 'slow') return void setTimeout(() => res.end('late'), 20_000).unref();
        const file = { 'PyPI-all.zip': path.join(VULNDATA, 'osv/PyPI/all.zip'), big: path.join(tmp, 'big.bin') }[name];
        if (!file) return void res.writeHead(404).end();
        // No content-length: the server's byte bound applies while streaming.
        createReadStream(file).on('error', () => res.destroy()).pipe(res);
      });
      await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
      filesUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
      await writeFile(path.join(tmp, 'big.bin'), Buffer.alloc(MAX_BYTES + 1024, 'x'));
    });
    after(async () => {
      files?.close();
      await berth?.stop();
      await rm(tmp, { recursive: true, force: true });
    });

    test('upload a DSA list: records as the file has, source listed, re-match queued, audited', async () => {
      const file = path.join(VULNDATA, 'debian/DSA-list');
      const r = await api<{ source: string; kind: string; records: number; added: number; rematch_job_id: string | null; duration_ms: number }>('POST', '/vulndb/imports', { file });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.source, 'debian-dsa');
      assert.equal(r.body.kind, 'debian-dsa');
      assert.equal(r.body.records, await listHeaders(file));
      assert.equal(r.body.added, r.body.records);
      assert.ok(r.body.rematch_job_id);
      console.log(`${database.name}: DSA-list upload+import ${r.body.records} records, ${r.body.duration_ms} ms`);
      const sources = await api<{ name: string; records: number; version: string }[]>('GET', '/vulndb/sources');
      assert.deepEqual(sources.body.map((s) => [s.name, s.records, s.version]), [['debian-dsa', 5406, '2023-03-29']]);
      const audit = await api<{ resource: string; action: string; outcome: string }[]>('GET', '/audit-logs?resource_type=vulndb&outcome=success');
      assert.equal(audit.status, 200, JSON.stringify(audit.body));
      assert.ok(audit.body.some((a) => a.resource === 'debian-dsa' && a.action === 'import'), JSON.stringify(audit.body));
    });

    test('URL import downloads, imports and names the source from the records', async () => {
      const r = await api<{ source: string; records: number }>('POST', '/vulndb/imports', { json: { url: `${filesUrl}/PyPI-all.zip` } });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.source, 'osv-PyPI');
      assert.equal(r.body.records, (await zipJsonEntries(path.join(VULNDATA, 'osv/PyPI/all.zip'))).length);
    });

    test('refusals: non-admins, bad formats and names, oversized bodies and downloads, unreachable URLs change nothing', async () => {
      const before = (await api<unknown[]>('GET', '/vulndb/sources')).body;
      const dsa = path.join(VULNDATA, 'debian/DSA-list');
      assert.equal((await api('GET', '/vulndb/sources', { auth: null })).status, 401);
      const created = await api('POST', '/users', { json: { username: 'dev', password: 'Dev-password-1234' } });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const dev = basicAuth('dev', 'Dev-password-1234');
      assert.equal((await api('POST', '/vulndb/imports', { auth: dev, file: dsa })).status, 403);
      assert.equal((await api('DELETE', '/vulndb/sources/debian-dsa', { auth: dev })).status, 403);
      const bad = await api<{ errors: { message: string }[] }>('POST', '/vulndb/imports?format=nope', { file: dsa });
      assert.equal(bad.status, 400);
      assert.match(bad.body.errors[0]!.message, /query\.format/);
      const unknown = path.join(tmp, 'x.txt');
      await writeFile(unknown, 'not vulnerability data');
      const sniff = await api<{ errors: { message: string }[] }>('POST', '/vulndb/imports', { file: unknown });
      assert.equal(sniff.status, 400);
      assert.match(sniff.body.errors[0]!.message, /cannot tell the format/);
      assert.equal((await api('POST', '/vulndb/imports?format=debian-dla', { file: dsa })).status, 400);
      assert.equal((await api('POST', '/vulndb/imports?source=..%2Fx', { file: dsa })).status, 400);
      assert.equal((await api('POST', '/vulndb/imports?source=debian-dsa', { file: path.join(VULNDATA, 'alpine-secdb/v3.10/main.json') })).status, 409);
      const big = await api<{ errors: { code: string }[] }>('POST', '/vulndb/imports', { file: path.join(tmp, 'big.bin') });
      assert.equal(big.status, 413);
      assert.equal(big.body.errors[0]!.code, 'PAYLOAD_TOO_LARGE');
      assert.equal((await api('POST', '/vulndb/imports', { json: { url: `${filesUrl}/big` } })).status, 413);
      assert.equal((await api('POST', '/vulndb/imports', { json: { url: `${filesUrl}/missing` } })).status, 503);
      assert.equal((await api('POST', '/vulndb/imports', { json: { url: `${filesUrl}/slow` } })).status, 503);
      assert.equal((await api('POST', '/vulndb/imports', { json: { url: 'file:///etc/passwd' } })).status, 400);
      assert.equal((await api('POST', '/vulndb/imports', { json: { url: `${filesUrl}/x`, extra: 1 } })).status, 400);
      // text/plain is read as text by the framework, then refused as a body that is not the JSON request.
      assert.equal((await api('POST', '/vulndb/imports', { file: dsa, type: 'text/plain' })).status, 400);
      // The raw-body parser serves the import route only.
      assert.equal((await api('POST', '/users', { file: dsa })).status, 415);
      assert.deepEqual((await api<unknown[]>('GET', '/vulndb/sources')).body, before);
    });

    test('CLI: import a file with --wait (re-match time printed), status, remove', async () => {
      const go = await cli(['vulndb', 'import', path.join(VULNDATA, 'osv/Go/all.zip'), '--wait', '--timeout', '60']);
      assert.equal(go.code, 0, go.stderr);
      assert.match(go.stdout, /Imported osv-Go \(osv [^)]*\): 4291 records, 4291 added, 0 updated, 0 removed in [\d.]+ s\./);
      assert.match(go.stdout, /Re-matched stored scans in [\d.]+ s \(job /);
      const again = await cli(['vulndb', 'import', path.join(VULNDATA, 'osv/Go/all.zip')]);
      assert.match(again.stdout, /0 added, 0 updated, 0 removed/);
      assert.match(again.stdout, /Nothing changed/);
      const alpine = await cli(['vulndb', 'import', path.join(VULNDATA, 'alpine-secdb/v3.10/main.json'), '--source', 'alpine-v3.10-main', '-o', 'json']);
      assert.equal(alpine.code, 0, alpine.stderr);
      assert.equal((JSON.parse(alpine.stdout) as { source: string }).source, 'alpine-v3.10-main');
      const status = await cli(['vulndb', 'status']);
      assert.equal(status.code, 0, status.stderr);
      assert.match(status.stdout, /^SOURCE\s+KIND\s+VERSION\s+RECORDS/m);
      assert.match(status.stdout, /osv-Go\s+osv\s+\S+\s+4291\s+Go/);
      assert.match(status.stdout, /debian-dsa\s+debian-dsa\s+2023-03-29\s+5406\s+Debian:/);
      const usage = await cli(['vulndb', 'import', 'x', '--format', 'nope']);
      assert.equal(usage.code, 2);
      const missing = await cli(['vulndb', 'import', path.join(tmp, 'does-not-exist')]);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /cannot read .*ENOENT/);
      const removed = await cli(['vulndb', 'remove', 'osv-PyPI']);
      assert.equal(removed.code, 0, removed.stderr);
      assert.match(removed.stdout, /Removed osv-PyPI\. Re-match of stored scans queued/);
      const gone = await cli(['vulndb', 'remove', 'osv-PyPI']);
      assert.equal(gone.code, 1);
      assert.match(gone.stderr, /no vulnerability data source "osv-PyPI"/);
    });

    test('lookups see what the API imported; metrics and the OpenAPI document describe it', async () => {
      const found = await berth.vulndb.lookup([{ ecosystem: 'Go', name: 'stdlib' }, { ecosystem: 'Debian:11', name: 'xorg-server' }]);
      assert.ok(found.some((a) => a.id === 'DSA-5380-1'));
      assert.ok(found.filter((a) => a.source === 'osv-Go').length > 100);
      const metrics = (await (await fetch(`${berth.url}/metrics`)).text()).split('\n').filter((l) => l.startsWith('berth_vulndb_'));
      assert.ok(metrics.includes('berth_vulndb_records{source="osv-Go"} 4291'), metrics.join('\n'));
      // osv-PyPI by URL, osv-Go twice.
      assert.ok(metrics.includes('berth_vulndb_imports_total{format="osv",outcome="success"} 3'), metrics.join('\n'));
      assert.ok(!metrics.some((l) => l.startsWith('berth_vulndb_records{source="osv-PyPI"}')), metrics.join('\n'));
      const doc = (await api<{ paths: Record<string, Record<string, { requestBody?: { content: Record<string, unknown> }; responses: Record<string, unknown> }>> }>('GET', '/openapi.json')).body;
      const op = doc.paths['/api/v1/vulndb/imports']!.post!;
      assert.deepEqual(Object.keys(op.requestBody!.content).sort(), ['application/json', 'application/octet-stream', 'application/zip']);
      assert.ok(op.responses['200']);
      assert.ok(doc.paths['/api/v1/vulndb/sources/{name}']!.delete);
      if (standIn) assert.ok(rematches >= 1, 'the stand-in ran the re-match jobs');
      assert.ok((await stat(path.join(VULNDATA, 'osv/Go/all.zip'))).size < MAX_BYTES);
    });
  });
}
