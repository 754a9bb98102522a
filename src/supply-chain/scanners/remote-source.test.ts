/**
 * RemoteImageSource against a small real HTTP registry stand-in: the token
 * exchange on a 401 challenge, and content that does not match its digest
 * (manifest refused, blob stream failed at its end), oversized manifests.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RemoteImageSource } from './remote-source.ts';

const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: {}, layers: [] }));
const blob = Buffer.alloc(300_000, 7);
const tampered = Buffer.from(blob);
tampered[1000] = 8;
const huge = Buffer.alloc(5 * 1024 * 1024, 32);
let server: Server;
let base: string;
const tokenRequests: string[] = [];

before(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    if (url.pathname === '/token') {
      tokenRequests.push(`${req.headers.authorization} ${url.searchParams.get('scope')} ${url.searchParams.get('service')}`);
      res.setHeader('content-type', 'application/json');
      return res.end(JSON.stringify({ token: 'tok' }));
    }
    if (req.headers.authorization !== 'Bearer tok') {
      res.statusCode = 401;
      res.setHeader('www-authenticate', `Bearer realm="${base}/token",service="reg",scope="repository:team/app:pull"`);
      return res.end();
    }
    const routes: Record<string, Buffer> = {
      [`/v2/team/app/manifests/${sha(manifest)}`]: manifest,
      [`/v2/team/app/manifests/${sha(Buffer.from('other'))}`]: manifest,
      [`/v2/team/app/manifests/${sha(huge)}`]: huge,
      [`/v2/team/app/blobs/${sha(blob)}`]: blob,
      [`/v2/team/app/blobs/${sha(Buffer.from('x'))}`]: tampered,
    };
    const body = routes[url.pathname];
    if (!body) {
      res.statusCode = 404;
      return res.end();
    }
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

test('Basic credentials are exchanged for a token at the challenge realm; content checked against its digest', async () => {
  const source = new RemoteImageSource(base, 'team/app', 'Basic dTpw', AbortSignal.timeout(10_000));
  const m = await source.manifest(sha(manifest));
  assert.equal(m.mediaType, 'application/vnd.oci.image.manifest.v1+json');
  assert.deepEqual(Buffer.from(m.body), manifest);
  assert.deepEqual(tokenRequests, ['Basic dTpw repository:team/app:pull reg']);
  const chunks: Buffer[] = [];
  for await (const c of source.blob(sha(blob))) chunks.push(c as Buffer);
  assert.deepEqual(Buffer.concat(chunks), blob);
});

test('a manifest or blob whose content differs from its digest is refused; so is an oversized manifest', async () => {
  const source = new RemoteImageSource(base, 'team/app', 'Bearer tok', AbortSignal.timeout(10_000));
  await assert.rejects(source.manifest(sha(Buffer.from('other'))), /has digest/);
  await assert.rejects(source.manifest(sha(huge)), /exceeds/);
  await assert.rejects(async () => {
    for await (const _ of source.blob(sha(Buffer.from('x')))) void _;
  }, /has digest/);
  await assert.rejects(async () => {
    for await (const _ of source.blob(sha(Buffer.from('absent')))) void _;
  }, /404/);
});

test('names are validated before any request', () => {
  assert.throws(() => new RemoteImageSource(base, '../etc', undefined, AbortSignal.timeout(1000)));
  assert.throws(() => new RemoteImageSource('file:///etc', 'a/b', undefined, AbortSignal.timeout(1000)), /http/);
});
