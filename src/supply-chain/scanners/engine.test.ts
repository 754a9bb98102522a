/**
 * ExternalScanEngine against a stand-in adapter (a real HTTP server speaking
 * the spec, scripted per test): what it sends, Refresh-After handling,
 * index fan-out for adapters that take image manifests only, failures.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ExternalScanEngine, type ExternalEngineOptions } from './engine.ts';
import { ScannerMime } from './spec.ts';

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;
let handler: Handler;
let server: Server;
let url: string;
const requests: { method: string; path: string; headers: IncomingMessage['headers']; body: string }[] = [];

before(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (d: string) => (body += d));
    req.on('end', () => {
      requests.push({ method: req.method!, path: req.url!, headers: req.headers, body });
      handler(req, body, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

const options: ExternalEngineOptions = { requestTimeoutMs: 5000, maxReportBytes: 64 * 1024, maxScanSeconds: 10, maxRefreshSeconds: 1 };
const digest = (c: string) => 'sha256:' + c.repeat(64);
const report = (pkg: string) => JSON.stringify({ scanner: { name: 'Stand-in', vendor: 'Test', version: '1' }, vulnerabilities: [{ id: `CVE-${pkg}`, package: pkg, version: '1.0', fix_version: '1.1', severity: 'High' }] });

function engine(consumes?: string[], indexChildren?: () => Promise<{ digest: string; mediaType: string }[]>): ExternalScanEngine {
  return new ExternalScanEngine({ name: 'stand-in', scanner: { name: 'Stand-in', vendor: 'Test', version: '0' }, ...(consumes ? { consumes } : {}) }, { url, auth: 'X-ScannerAdapter-API-Key', credential: 'k3y' }, options, {
    registryUrl: 'https://berth.example',
    pullAuthorization: (repo) => Promise.resolve(`Bearer token-for-${repo}`),
    ...(indexChildren ? { indexChildren } : {}),
  });
}

/** Scans get ids in order; each report answers 302 `pending` times first. */
function adapter(pending: number, reportFor: (id: string) => string = () => report('openssl')): Handler {
  let next = 0;
  const polls = new Map<string, number>();
  return (req, body, res) => {
    if (req.method === 'POST' && req.url === '/api/v1/scan') {
      const id = `scan-${next++}:${(JSON.parse(body) as { artifact: { digest: string } }).artifact.digest}`;
      res.writeHead(202, { 'content-type': ScannerMime.scanResponse }).end(JSON.stringify({ id }));
      return;
    }
    const m = /^\/api\/v1\/scan\/([^/]+)\/report$/.exec(req.url!);
    if (m) {
      const id = decodeURIComponent(m[1]!);
      const n = polls.get(id) ?? 0;
      polls.set(id, n + 1);
      if (n < pending) return void res.writeHead(302, { 'refresh-after': '30' }).end();
      return void res.writeHead(200, { 'content-type': ScannerMime.vulnReport }).end(reportFor(id));
    }
    res.writeHead(404).end();
  };
}

test('sends the spec request with a pull token for the repository, waits out 302s (Refresh-After capped), maps the report', async () => {
  requests.length = 0;
  handler = adapter(2);
  const started = Date.now();
  const result = await engine().scan({ project: 'team', repository: 'team/app', digest: digest('a'), mediaType: 'application/vnd.oci.image.manifest.v1+json' }, AbortSignal.timeout(10_000));
  const elapsed = Date.now() - started;
  assert.ok(elapsed >= 1900 && elapsed < 5000, `two waits of maxRefreshSeconds (1 s) instead of Refresh-After 30 s: ${elapsed} ms`);
  assert.deepEqual(result.scanner, { name: 'Stand-in', vendor: 'Test', version: '1' });
  assert.deepEqual(result.findings.map((f) => [f.id, f.package, f.fixedVersion, f.sources[0]]), [['CVE-openssl', 'openssl', '1.1', 'scanner:stand-in']]);
  const scan = requests[0]!;
  assert.equal(scan.headers['content-type'], ScannerMime.scanRequest);
  assert.equal(scan.headers['x-scanneradapter-api-key'], 'k3y');
  assert.deepEqual(JSON.parse(scan.body), {
    registry: { url: 'https://berth.example', authorization: 'Bearer token-for-team/app' },
    artifact: { repository: 'team/app', digest: digest('a'), mime_type: 'application/vnd.oci.image.manifest.v1+json' },
    enabled_capabilities: [{ type: 'vulnerability', produces_mime_types: [ScannerMime.vulnReport] }],
  });
  assert.equal(requests.filter((r) => r.path.endsWith('/report')).length, 3);
  assert.equal(requests[1]!.headers.accept, ScannerMime.vulnReport);
});

test('an index is scanned image by image when the adapter takes image manifests only; whole when it takes indexes', async () => {
  requests.length = 0;
  handler = adapter(0, (id) => report(id.endsWith('b'.repeat(64)) ? 'amd64-lib' : 'arm64-lib'));
  const children = () => Promise.resolve([{ digest: digest('b'), mediaType: 'application/vnd.oci.image.manifest.v1+json' }, { digest: digest('c'), mediaType: 'application/vnd.oci.image.manifest.v1+json' }]);
  const target = { project: 'team', repository: 'team/app', digest: digest('d'), mediaType: 'application/vnd.oci.image.index.v1+json' };
  const fanned = await engine(['application/vnd.oci.image.manifest.v1+json'], children).scan(target, AbortSignal.timeout(10_000));
  assert.deepEqual(fanned.findings.map((f) => f.package).sort(), ['amd64-lib', 'arm64-lib']);
  assert.deepEqual(requests.filter((r) => r.method === 'POST').map((r) => (JSON.parse(r.body) as { artifact: { digest: string } }).artifact.digest), [digest('b'), digest('c')]);
  requests.length = 0;
  await engine(['application/vnd.oci.image.index.v1+json'], children).scan(target, AbortSignal.timeout(10_000));
  assert.deepEqual(requests.filter((r) => r.method === 'POST').map((r) => (JSON.parse(r.body) as { artifact: { digest: string } }).artifact.digest), [digest('d')]);
});

test('failures: a refused scan, a failed report, a report past the size limit, no report before the deadline', async () => {
  const target = { project: 'team', repository: 'team/app', digest: digest('e'), mediaType: 'application/vnd.oci.image.manifest.v1+json' };
  handler = (_req, _body, res) => void res.writeHead(501, { 'content-type': ScannerMime.error }).end(JSON.stringify({ error: { message: 'no capability' } }));
  await assert.rejects(engine().scan(target, AbortSignal.timeout(5000)), /POST \/scan answered 501: no capability/);

  handler = (req, _b, res) => {
    if (req.method === 'POST') return void res.writeHead(202, { 'content-type': ScannerMime.scanResponse }).end('{"id":"x"}');
    res.writeHead(500, { 'content-type': ScannerMime.error }).end(JSON.stringify({ error: { message: 'image pull failed' } }));
  };
  await assert.rejects(engine().scan(target, AbortSignal.timeout(5000)), /answered 500: image pull failed/);

  handler = (req, _b, res) => {
    if (req.method === 'POST') return void res.writeHead(202, { 'content-type': ScannerMime.scanResponse }).end('{"id":"x"}');
    res.writeHead(200, { 'content-type': ScannerMime.vulnReport }).end(JSON.stringify({ vulnerabilities: [], padding: 'x'.repeat(70 * 1024) }));
  };
  await assert.rejects(engine().scan(target, AbortSignal.timeout(5000)), /exceeds the limit/);

  handler = (req, _b, res) => {
    if (req.method === 'POST') return void res.writeHead(202, { 'content-type': ScannerMime.scanResponse }).end('{"id":"x"}');
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"vulnerabilities":[]}');
  };
  await assert.rejects(engine().scan(target, AbortSignal.timeout(5000)), /media type application\/json/);

  handler = adapter(1000);
  const slow = new ExternalScanEngine({ name: 's', scanner: { name: 'S', vendor: 'T', version: '0' } }, { url, auth: 'none' }, { ...options, maxScanSeconds: 2 }, { registryUrl: 'https://b', pullAuthorization: () => Promise.resolve('Bearer t') });
  await assert.rejects(slow.scan(target, AbortSignal.timeout(10_000)), /gave no report .* within 2 s/);
});
