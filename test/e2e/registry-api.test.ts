/**
 * Wire-level behaviour of the /v2 API against a real Berth: status codes,
 * headers and error codes the OCI distribution spec requires. The whole
 * suite runs once per metadata database (SQLite, PostgreSQL).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { basicAuth, startTestBerth, type TestBerth } from '../support/berth.ts';
import { testDatabases } from '../support/databases.ts';
import { OciClient, errorCode, rawRequest, sha256 } from '../support/oci-client.ts';

for (const database of await testDatabases()) {
  describe(`registry API on ${database.name}`, { skip: database.skip }, () => {
    let berth: TestBerth;
    let oci: OciClient;

    before(async () => {
      berth = await startTestBerth(await database.env());
      oci = new OciClient(berth.url, basicAuth());
    });
    after(() => berth?.stop());

    describe('base and health', () => {
      test('/v2/ challenges anonymous callers and accepts credentials', async () => {
        const anon = await fetch(`${berth.url}/v2/`);
        assert.equal(anon.status, 401);
        assert.equal(anon.headers.get('docker-distribution-api-version'), 'registry/2.0');
        assert.equal(anon.headers.get('www-authenticate'), `Bearer realm="${berth.url}/auth/token",service="berth"`);
        assert.equal(await errorCode(anon), 'UNAUTHORIZED');
        assert.equal((await oci.fetch('/v2/')).status, 200);
        assert.equal((await fetch(`${berth.url}/v2/`, { headers: { authorization: basicAuth('admin', 'wrong-password') } })).status, 401);
      });

      test('healthz, readyz and metrics', async () => {
        assert.equal((await fetch(`${berth.url}/healthz`)).status, 200);
        assert.equal((await fetch(`${berth.url}/readyz`)).status, 200);
        await oci.fetch('/v2/');
        const text = await (await fetch(`${berth.url}/metrics`)).text();
        assert.match(text, /berth_http_requests_total\{method="GET",route="base",status="200"\} \d+/);
        assert.match(text, /berth_http_request_duration_seconds_bucket/);
        assert.match(text, /berth_registry_upload_sessions \d+/);
      });
    });

    describe('blob uploads', () => {
      test('monolithic POST with digest, then HEAD and GET with headers', async () => {
        const digest = await oci.pushBlob('mono/app', 'hello world');
        const head = await oci.fetch(`/v2/mono/app/blobs/${digest}`, { method: 'HEAD' });
        assert.equal(head.status, 200);
        assert.equal(head.headers.get('content-length'), '11');
        assert.equal(head.headers.get('docker-content-digest'), digest);
        assert.equal(head.headers.get('etag'), `"${digest}"`);
        const get = await oci.fetch(`/v2/mono/app/blobs/${digest}`);
        assert.equal(await get.text(), 'hello world');
      });

      test('POST then PUT with the whole body', async () => {
        const start = await oci.fetch('/v2/two/step/blobs/uploads/', { method: 'POST' });
        assert.equal(start.status, 202);
        const location = start.headers.get('location')!;
        assert.match(location, /^\/v2\/two\/step\/blobs\/uploads\/[0-9a-f-]{36}$/);
        assert.equal(start.headers.get('docker-upload-uuid'), location.split('/').pop());
        const put = await oci.fetch(`${location}?digest=${sha256('abc')}`, { method: 'PUT', body: 'abc' });
        assert.equal(put.status, 201);
        assert.equal(put.headers.get('location'), `/v2/two/step/blobs/${sha256('abc')}`);
      });

      test('chunked upload: ranges, out-of-order 416, status for resume, completion', async () => {
        const data = Buffer.from('0123456789abcdefghij');
        const location = (await oci.fetch('/v2/chunked/app/blobs/uploads/', { method: 'POST' })).headers.get('location')!;
        const first = await oci.fetch(location, { method: 'PATCH', body: data.subarray(0, 10), headers: { 'content-range': '0-9', 'content-type': 'application/octet-stream' } });
        assert.equal(first.status, 202);
        assert.equal(first.headers.get('range'), '0-9');
        const wrong = await oci.fetch(location, { method: 'PATCH', body: data.subarray(12), headers: { 'content-range': '12-19' } });
        assert.equal(wrong.status, 416);
        assert.equal(wrong.headers.get('range'), '0-9');
        const status = await oci.fetch(location);
        assert.equal(status.status, 204);
        assert.equal(status.headers.get('range'), '0-9');
        const second = await oci.fetch(location, { method: 'PATCH', body: data.subarray(10), headers: { 'content-range': '10-19' } });
        assert.equal(second.headers.get('range'), '0-19');
        const done = await oci.fetch(`${location}?digest=${sha256(data)}`, { method: 'PUT' });
        assert.equal(done.status, 201);
        assert.equal(await (await oci.fetch(`/v2/chunked/app/blobs/${sha256(data)}`)).text(), data.toString());
      });

      test('a refused chunk (Content-Range length differs from its body) leaves the session as it was', async () => {
        const data = Buffer.from('0123456789abcdefghij');
        const location = (await oci.fetch('/v2/refused/chunk/blobs/uploads/', { method: 'POST' })).headers.get('location')!;
        assert.equal((await oci.fetch(location, { method: 'PATCH', body: data.subarray(0, 10), headers: { 'content-range': '0-9' } })).status, 202);
        for (const [body, range] of [[data.subarray(10), '10-14'], [data.subarray(10, 15), '10-19']] as const) {
          const refused = await oci.fetch(location, { method: 'PATCH', body, headers: { 'content-range': range } });
          assert.equal(refused.status, 400);
          assert.equal(await errorCode(refused), 'BLOB_UPLOAD_INVALID');
          assert.equal(refused.headers.get('range'), '0-9');
          assert.equal((await oci.fetch(location)).headers.get('range'), '0-9');
        }
        // The next correct chunk continues from the old offset, and the
        // running hash did not see the refused bytes.
        const next = await oci.fetch(location, { method: 'PATCH', body: data.subarray(10), headers: { 'content-range': '10-19' } });
        assert.equal(next.status, 202);
        assert.equal(next.headers.get('range'), '0-19');
        const refusedFinal = await oci.fetch(`${location}?digest=${sha256(data)}`, { method: 'PUT', body: 'xyz', headers: { 'content-range': '20-29' } });
        assert.equal(refusedFinal.status, 400);
        assert.equal((await oci.fetch(location)).headers.get('range'), '0-19');
        assert.equal((await oci.fetch(`${location}?digest=${sha256(data)}`, { method: 'PUT' })).status, 201);
        assert.equal(await (await oci.fetch(`/v2/refused/chunk/blobs/${sha256(data)}`)).text(), data.toString());
      });

      test('a chunk whose client aborts mid-body leaves the session as it was', async () => {
        const head = Buffer.alloc(1000, 'a');
        const tail = Buffer.alloc(1000, 'b');
        const location = (await oci.fetch('/v2/aborted/chunk/blobs/uploads/', { method: 'POST' })).headers.get('location')!;
        assert.equal((await oci.fetch(location, { method: 'PATCH', body: head, headers: { 'content-range': '0-999' } })).status, 202);
        // Declares 1000 bytes, sends 600 of them, waits until they are stored, then hangs up.
        const { request } = await import('node:http');
        const url = new URL(location, berth.url);
        const req = request({ host: url.hostname, port: url.port, method: 'PATCH', path: url.pathname, headers: { authorization: basicAuth(), 'content-range': '1000-1999', 'content-length': '1000' } });
        req.on('error', () => {});
        req.write(tail.subarray(0, 600));
        let seen = '';
        for (let i = 0; i < 200 && seen !== '0-1599'; i++) {
          seen = (await oci.fetch(location)).headers.get('range') ?? '';
          if (seen !== '0-1599') await new Promise((r) => setTimeout(r, 25));
        }
        assert.equal(seen, '0-1599', 'the partial chunk reached storage before the abort');
        req.destroy();
        // Once the server has undone the chunk, the same chunk is accepted
        // from the old offset (until then the session is busy).
        let retry: Response | undefined;
        for (let i = 0; i < 200; i++) {
          retry = await oci.fetch(location, { method: 'PATCH', body: tail, headers: { 'content-range': '1000-1999' } });
          if (retry.status !== 400) break;
          await retry.body?.cancel();
          await new Promise((r) => setTimeout(r, 25));
        }
        assert.equal(retry?.status, 202);
        assert.equal(retry?.headers.get('range'), '0-1999');
        const whole = Buffer.concat([head, tail]);
        assert.equal((await oci.fetch(`${location}?digest=${sha256(whole)}`, { method: 'PUT' })).status, 201);
      });

      test('a monolithic POST whose client aborts leaves no session behind', async () => {
        const body = Buffer.alloc(1000, 'm');
        const { request } = await import('node:http');
        const url = new URL(`/v2/aborted/mono/blobs/uploads/?digest=${sha256(body)}`, berth.url);
        const req = request({ host: url.hostname, port: url.port, method: 'POST', path: `${url.pathname}${url.search}`, headers: { authorization: basicAuth(), 'content-length': '1000' } });
        req.on('error', () => {});
        req.write(body.subarray(0, 400));
        const sessions = async () => (await berth.db.selectFrom('uploads').select('id').where('repository', '=', 'aborted/mono').execute()).length;
        for (let i = 0; i < 200 && (await sessions()) === 0; i++) await new Promise((r) => setTimeout(r, 10));
        assert.equal(await sessions(), 1, 'the upload started');
        req.destroy();
        for (let i = 0; i < 200 && (await sessions()) > 0; i++) await new Promise((r) => setTimeout(r, 25));
        assert.equal(await sessions(), 0, 'the session was dropped');
      });

      test('streamed PATCH without Content-Range and a final chunk on PUT', async () => {
        const location = (await oci.fetch('/v2/streamed/app/blobs/uploads/', { method: 'POST' })).headers.get('location')!;
        const patch = await oci.fetch(location, { method: 'PATCH', body: 'stream-part-1|' });
        assert.equal(patch.status, 202);
        const put = await oci.fetch(`${location}?digest=${sha256('stream-part-1|final')}`, { method: 'PUT', body: 'final' });
        assert.equal(put.status, 201);
      });

      test('sha512 digests are verified', async () => {
        const { createHash } = await import('node:crypto');
        const digest = `sha512:${createHash('sha512').update('five-twelve').digest('hex')}`;
        const res = await oci.fetch(`/v2/sha/five/blobs/uploads/?digest=${digest}`, { method: 'POST', body: 'five-twelve' });
        assert.equal(res.status, 201);
        assert.equal((await oci.fetch(`/v2/sha/five/blobs/${digest}`, { method: 'HEAD' })).headers.get('docker-content-digest'), digest);
      });

      test('digest mismatch is DIGEST_INVALID and stores nothing', async () => {
        const claimed = sha256('something else');
        const res = await oci.fetch(`/v2/bad/digest/blobs/uploads/?digest=${claimed}`, { method: 'POST', body: 'actual' });
        assert.equal(res.status, 400);
        assert.equal(await errorCode(res), 'DIGEST_INVALID');
        assert.equal((await oci.fetch(`/v2/bad/digest/blobs/${claimed}`, { method: 'HEAD' })).status, 404);
        const unsupported = await oci.fetch(`/v2/bad/digest/blobs/uploads/?digest=md5:d41d8cd98f00b204e9800998ecf8427e`, { method: 'POST', body: '' });
        assert.equal(await errorCode(unsupported), 'DIGEST_INVALID');
      });

      test('cancel deletes the session', async () => {
        const location = (await oci.fetch('/v2/cancel/app/blobs/uploads/', { method: 'POST' })).headers.get('location')!;
        assert.equal((await oci.fetch(location, { method: 'DELETE' })).status, 204);
        const gone = await oci.fetch(location);
        assert.equal(gone.status, 404);
        assert.equal(await errorCode(gone), 'BLOB_UPLOAD_UNKNOWN');
      });

      test('a session belongs to its repository', async () => {
        const location = (await oci.fetch('/v2/owner/app/blobs/uploads/', { method: 'POST' })).headers.get('location')!;
        const id = location.split('/').pop()!;
        assert.equal((await oci.fetch(`/v2/other/app/blobs/uploads/${id}`)).status, 404);
        assert.equal((await oci.fetch(`/v2/other/app/blobs/uploads/not-a-uuid`)).status, 404);
      });
    });

    describe('blob reads and deletes', () => {
      test('Range requests: 206, suffix, and 416 outside the blob', async () => {
        const digest = await oci.pushBlob('range/app', '0123456789');
        const part = await oci.fetch(`/v2/range/app/blobs/${digest}`, { headers: { range: 'bytes=2-5' } });
        assert.equal(part.status, 206);
        assert.equal(part.headers.get('content-range'), 'bytes 2-5/10');
        assert.equal(await part.text(), '2345');
        const suffix = await oci.fetch(`/v2/range/app/blobs/${digest}`, { headers: { range: 'bytes=-3' } });
        assert.equal(await suffix.text(), '789');
        const outside = await oci.fetch(`/v2/range/app/blobs/${digest}`, { headers: { range: 'bytes=10-20' } });
        assert.equal(outside.status, 416);
        assert.equal(outside.headers.get('content-range'), 'bytes */10');
      });

      test('unknown blob, and delete unlinks only from that repository', async () => {
        const missing = await oci.fetch(`/v2/del/app/blobs/${sha256('nope')}`);
        assert.equal(missing.status, 404);
        assert.equal(await errorCode(missing), 'BLOB_UNKNOWN');
        const digest = await oci.pushBlob('del/app', 'shared-content');
        await oci.pushBlob('del/other', 'shared-content');
        assert.equal((await oci.fetch(`/v2/del/app/blobs/${digest}`, { method: 'DELETE' })).status, 202);
        assert.equal((await oci.fetch(`/v2/del/app/blobs/${digest}`, { method: 'HEAD' })).status, 404);
        assert.equal((await oci.fetch(`/v2/del/other/blobs/${digest}`)).status, 200);
      });

      test('cross-repository mount, and fallback to an upload session', async () => {
        const digest = await oci.pushBlob('mount/source', 'mount me');
        const mounted = await oci.fetch(`/v2/mount/target/blobs/uploads/?mount=${digest}&from=mount/source`, { method: 'POST' });
        assert.equal(mounted.status, 201);
        assert.equal(mounted.headers.get('location'), `/v2/mount/target/blobs/${digest}`);
        assert.equal(await (await oci.fetch(`/v2/mount/target/blobs/${digest}`)).text(), 'mount me');
        const fallback = await oci.fetch(`/v2/mount/target/blobs/uploads/?mount=${sha256('absent')}&from=mount/source`, { method: 'POST' });
        assert.equal(fallback.status, 202);
        assert.match(fallback.headers.get('location')!, /\/blobs\/uploads\//);
      });

      test('mount with a bearer token: its granted scope decides, not what the account could pull', async () => {
        const digest = await oci.pushBlob('scoped/source', 'mount by scope');
        const tokenFor = async (...scopes: string[]) => {
          const query = scopes.map((s) => `scope=${encodeURIComponent(s)}`).join('&');
          const res = await fetch(`${berth.url}/auth/token?service=berth&${query}`, { headers: { authorization: basicAuth() } });
          return new OciClient(berth.url, `Bearer ${((await res.json()) as { token: string }).token}`);
        };
        // admin could pull the source, but this token grants push on the target only.
        const pushOnly = await tokenFor('repository:scoped/target:pull,push');
        const refused = await pushOnly.fetch(`/v2/scoped/target/blobs/uploads/?mount=${digest}&from=scoped/source`, { method: 'POST' });
        assert.equal(refused.status, 202, 'falls back to an upload session');
        assert.match(refused.headers.get('location')!, /\/blobs\/uploads\//);
        assert.equal((await oci.fetch(`/v2/scoped/target/blobs/${digest}`, { method: 'HEAD' })).status, 404, 'nothing linked');
        const withPull = await tokenFor('repository:scoped/target:pull,push', 'repository:scoped/source:pull');
        const mounted = await withPull.fetch(`/v2/scoped/target/blobs/uploads/?mount=${digest}&from=scoped/source`, { method: 'POST' });
        assert.equal(mounted.status, 201);
        assert.equal(await (await oci.fetch(`/v2/scoped/target/blobs/${digest}`)).text(), 'mount by scope');
        // An anonymous mount names no source a token could cover: the account's own pull rights choose one.
        const other = await oci.pushBlob('scoped/source', 'anonymous mount');
        const anonymousMount = await pushOnly.fetch(`/v2/scoped/target/blobs/uploads/?mount=${other}`, { method: 'POST' });
        assert.equal(anonymousMount.status, 201);
      });
    });

    describe('manifests', () => {
      test('push by tag, get by tag and digest with headers, HEAD', async () => {
        const image = await oci.pushImage('man/app', 'v1');
        for (const ref of ['v1', image.digest]) {
          const res = await oci.fetch(`/v2/man/app/manifests/${ref}`);
          assert.equal(res.status, 200);
          assert.equal(res.headers.get('content-type'), 'application/vnd.oci.image.manifest.v1+json');
          assert.equal(res.headers.get('docker-content-digest'), image.digest);
          assert.equal(await res.text(), image.body);
        }
        const head = await oci.fetch('/v2/man/app/manifests/v1', { method: 'HEAD' });
        assert.equal(head.headers.get('content-length'), String(image.size));
      });

      test('referenced blobs must exist: MANIFEST_BLOB_UNKNOWN', async () => {
        const res = await oci.pushManifest('man/missing', 'v1', {
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256('no config'), size: 9 },
          layers: [],
        });
        assert.equal(res.status, 400);
        assert.equal(await errorCode(res), 'MANIFEST_BLOB_UNKNOWN');
        assert.equal((await oci.fetch('/v2/man/missing/manifests/v1')).status, 404);
      });

      test('index: children must exist; docker manifest list accepted', async () => {
        const child = await oci.pushImage('man/index', 'amd64');
        const index = (digest: string, mediaType: string, childType: string) => ({ schemaVersion: 2, mediaType, manifests: [{ mediaType: childType, digest, size: child.size, platform: { os: 'linux', architecture: 'amd64' } }] });
        const ok = await oci.pushManifest('man/index', 'multi', index(child.digest, 'application/vnd.oci.image.index.v1+json', 'application/vnd.oci.image.manifest.v1+json'), 'application/vnd.oci.image.index.v1+json');
        assert.equal(ok.status, 201);
        const list = await oci.pushManifest('man/index', 'list', index(child.digest, 'application/vnd.docker.distribution.manifest.list.v2+json', 'application/vnd.docker.distribution.manifest.v2+json'), 'application/vnd.docker.distribution.manifest.list.v2+json');
        assert.equal(list.status, 201);
        const missing = await oci.pushManifest('man/index', 'broken', index(sha256('absent'), 'application/vnd.oci.image.index.v1+json', 'application/vnd.oci.image.manifest.v1+json'), 'application/vnd.oci.image.index.v1+json');
        assert.equal(await errorCode(missing), 'MANIFEST_BLOB_UNKNOWN');
      });

      test('invalid JSON, media type mismatch, digest mismatch, oversize', async () => {
        assert.equal(await errorCode(await oci.pushManifest('man/bad', 'v1', '{oops')), 'MANIFEST_INVALID');
        const image = await oci.pushImage('man/bad', 'base');
        const mismatch = await oci.pushManifest('man/bad', 'v2', image.body, 'application/vnd.oci.image.index.v1+json');
        assert.equal(await errorCode(mismatch), 'MANIFEST_INVALID');
        const wrongDigest = await oci.pushManifest('man/bad', sha256('other'), image.body);
        assert.equal(wrongDigest.status, 400);
        assert.equal(await errorCode(wrongDigest), 'DIGEST_INVALID');
        const huge = await oci.pushManifest('man/bad', 'huge', JSON.stringify({ schemaVersion: 2, pad: 'x'.repeat(4 * 1024 * 1024) }));
        assert.equal(huge.status, 413);
        const badTag = await oci.pushManifest('man/bad', '-tag', image.body);
        assert.equal(badTag.status, 400);
      });

      test('delete a tag keeps the manifest; delete by digest removes it and its tags', async () => {
        const image = await oci.pushImage('man/delete', 'keep');
        await oci.pushManifest('man/delete', 'drop', image.body);
        assert.equal((await oci.fetch('/v2/man/delete/manifests/drop', { method: 'DELETE' })).status, 202);
        assert.equal((await oci.fetch('/v2/man/delete/manifests/drop')).status, 404);
        assert.equal((await oci.fetch(`/v2/man/delete/manifests/${image.digest}`)).status, 200);
        assert.equal((await oci.fetch(`/v2/man/delete/manifests/${image.digest}`, { method: 'DELETE' })).status, 202);
        const gone = await oci.fetch('/v2/man/delete/manifests/keep');
        assert.equal(await errorCode(gone), 'MANIFEST_UNKNOWN');
        assert.equal((await oci.fetch(`/v2/man/delete/manifests/${image.digest}`, { method: 'DELETE' })).status, 404);
      });
    });

    describe('discovery', () => {
      test('tag list pagination with Link headers', async () => {
        const image = await oci.pushImage('disc/tags', 'a');
        for (const t of ['b', 'c', 'd', 'e']) await oci.pushManifest('disc/tags', t, image.body);
        const all = (await (await oci.fetch('/v2/disc/tags/tags/list')).json()) as { name: string; tags: string[] };
        assert.deepEqual(all, { name: 'disc/tags', tags: ['a', 'b', 'c', 'd', 'e'] });
        const p1 = await oci.fetch('/v2/disc/tags/tags/list?n=2');
        assert.deepEqual(((await p1.json()) as { tags: string[] }).tags, ['a', 'b']);
        assert.equal(p1.headers.get('link'), '</v2/disc/tags/tags/list?n=2&last=b>; rel="next"');
        const p3 = await oci.fetch('/v2/disc/tags/tags/list?n=2&last=d');
        assert.deepEqual(((await p3.json()) as { tags: string[] }).tags, ['e']);
        assert.equal(p3.headers.get('link'), null);
        assert.equal(await errorCode(await oci.fetch('/v2/disc/none/tags/list')), 'NAME_UNKNOWN');
        assert.equal(await errorCode(await oci.fetch('/v2/disc/tags/tags/list?n=x')), 'PAGINATION_NUMBER_INVALID');
      });

      test('tags list and paginate in byte order, whatever the database collation', async () => {
        const image = await oci.pushImage('disc/order', 'a');
        const tags = ['a', 'B', 'A', 'a-b', 'a_b', 'ab', 'a.b', 'Z9', '_x', '0', 'aB'];
        for (const t of tags.slice(1)) await oci.pushManifest('disc/order', t, image.body);
        const sorted = [...tags].sort();
        const all = (await (await oci.fetch('/v2/disc/order/tags/list')).json()) as { tags: string[] };
        assert.deepEqual(all.tags, sorted);
        const paged: string[] = [];
        let next: string | null = '/v2/disc/order/tags/list?n=3';
        while (next) {
          const res = await oci.fetch(next);
          paged.push(...((await res.json()) as { tags: string[] }).tags);
          next = /^<([^>]+)>/.exec(res.headers.get('link') ?? '')?.[1] ?? null;
        }
        assert.deepEqual(paged, sorted);
      });

      test('catalog pagination', async () => {
        for (const r of ['cat/a', 'cat/b', 'cat/c']) await oci.pushBlob(r, r);
        const all = (await (await oci.fetch('/v2/_catalog?n=10000')).json()) as { repositories: string[] };
        assert.ok(['cat/a', 'cat/b', 'cat/c'].every((r) => all.repositories.includes(r)));
        assert.deepEqual(all.repositories, [...all.repositories].sort());
        const first = await oci.fetch('/v2/_catalog?n=1&last=cat/a');
        assert.deepEqual(((await first.json()) as { repositories: string[] }).repositories, ['cat/b']);
        assert.equal(first.headers.get('link'), '</v2/_catalog?n=1&last=cat%2Fb>; rel="next"');
      });

      test('referrers: OCI-Subject on push, listing, artifactType filter', async () => {
        const subject = await oci.pushImage('ref/app', 'v1');
        const empty = '{}';
        const emptyDigest = await oci.pushBlob('ref/app', empty);
        const artifact = (type: string, layer: string) => ({
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          artifactType: type,
          config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: emptyDigest, size: 2 },
          layers: [{ mediaType: 'text/plain', digest: layer, size: 1 }],
          subject: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: subject.digest, size: subject.size },
          annotations: { 'org.example.kind': type },
        });
        const l1 = await oci.pushBlob('ref/app', 'x');
        const sbom = JSON.stringify(artifact('application/vnd.example.sbom', l1));
        const sig = JSON.stringify(artifact('application/vnd.example.signature', l1));
        const put = await oci.pushManifest('ref/app', sha256(sbom), sbom);
        assert.equal(put.status, 201);
        assert.equal(put.headers.get('oci-subject'), subject.digest);
        await oci.pushManifest('ref/app', sha256(sig), sig);

        const all = await oci.fetch(`/v2/ref/app/referrers/${subject.digest}`);
        assert.equal(all.headers.get('content-type'), 'application/vnd.oci.image.index.v1+json');
        const index = (await all.json()) as { manifests: { digest: string; artifactType: string; annotations: Record<string, string> }[] };
        assert.deepEqual(index.manifests.map((m) => m.digest).sort(), [sha256(sbom), sha256(sig)].sort());
        assert.equal(index.manifests.find((m) => m.digest === sha256(sbom))?.annotations['org.example.kind'], 'application/vnd.example.sbom');

        const filtered = await oci.fetch(`/v2/ref/app/referrers/${subject.digest}?artifactType=application/vnd.example.sbom`);
        assert.equal(filtered.headers.get('oci-filters-applied'), 'artifactType');
        assert.deepEqual(((await filtered.json()) as { manifests: { digest: string }[] }).manifests.map((m) => m.digest), [sha256(sbom)]);

        const none = await oci.fetch(`/v2/ref/app/referrers/${sha256('no subject')}`);
        assert.equal(none.status, 200);
        assert.deepEqual(((await none.json()) as { manifests: unknown[] }).manifests, []);
        assert.equal((await oci.fetch('/v2/ref/app/referrers/sha256:bad')).status, 400);
      });
    });

    describe('names and auth', () => {
      test('invalid repository names are NAME_INVALID before any storage', async () => {
        for (const name of ['UPPER/case', 'a/%2e%2e/b', 'a/../b', '..', `${'a'.repeat(256)}`, 'a__-b', 'a/%2Fb']) {
          for (const endpoint of ['tags/list', 'manifests/latest', 'blobs/uploads/']) {
            const res = await rawRequest(berth.url, endpoint.startsWith('blobs') ? 'POST' : 'GET', `/v2/${name}/${endpoint}`, { authorization: basicAuth() });
            assert.equal(res.status, 400, `${name} ${endpoint}`);
            assert.equal((JSON.parse(res.body) as { errors: { code: string }[] }).errors[0]?.code, 'NAME_INVALID', name);
          }
        }
        const catalog = (await (await oci.fetch('/v2/_catalog')).json()) as { repositories: string[] };
        assert.ok(!catalog.repositories.some((r) => r.includes('..') || r !== r.toLowerCase()));
      });

      test('token flow: scoped token works on its repository only', async () => {
        await oci.pushImage('tok/a', 'v1');
        await oci.pushImage('tok/b', 'v1');
        const res = await fetch(`${berth.url}/auth/token?service=berth&scope=repository:tok/a:pull`, { headers: { authorization: basicAuth() } });
        const { token, expires_in } = (await res.json()) as { token: string; expires_in: number };
        assert.equal(expires_in, 300);
        const bearer = new OciClient(berth.url, `Bearer ${token}`);
        assert.equal((await bearer.fetch('/v2/tok/a/manifests/v1')).status, 200);
        const other = await bearer.fetch('/v2/tok/b/manifests/v1');
        assert.equal(other.status, 401);
        assert.match(other.headers.get('www-authenticate')!, /scope="repository:tok\/b:pull",error="insufficient_scope"/);
        assert.equal((await bearer.fetch('/v2/tok/a/manifests/v1', { method: 'DELETE' })).status, 401);
      });

      test('tampered, unsigned and foreign tokens are refused', async () => {
        const { token } = (await (await fetch(`${berth.url}/auth/token?service=berth&scope=repository:tok/a:pull`, { headers: { authorization: basicAuth() } })).json()) as { token: string };
        const [h, p, s] = token.split('.') as [string, string, string];
        const payload = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
        const forged = Buffer.from(JSON.stringify({ ...payload, access: [{ type: 'repository', name: 'tok/b', actions: ['*'] }] })).toString('base64url');
        const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
        for (const bad of [`${h}.${forged}.${s}`, `${none}.${p}.`, `${h}.${p}.${s.slice(0, -4)}AAAA`]) {
          const res = await fetch(`${berth.url}/v2/tok/a/manifests/v1`, { headers: { authorization: `Bearer ${bad}` } });
          assert.equal(res.status, 401);
        }
      });

      test('token endpoint refuses bad credentials; anonymous tokens grant nothing by default', async () => {
        const bad = await fetch(`${berth.url}/auth/token?service=berth&scope=repository:tok/a:pull`, { headers: { authorization: basicAuth('admin', 'nope-nope') } });
        assert.equal(bad.status, 401);
        const anon = (await (await fetch(`${berth.url}/auth/token?service=berth&scope=repository:tok/a:pull`)).json()) as { token: string };
        assert.equal((await fetch(`${berth.url}/v2/tok/a/manifests/v1`, { headers: { authorization: `Bearer ${anon.token}` } })).status, 401);
        const post = await fetch(`${berth.url}/auth/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'password', username: 'admin', password: 'test-admin-password', service: 'berth', scope: 'repository:tok/a:pull' }) });
        assert.equal(post.status, 200);
        const jwks = (await (await fetch(`${berth.url}/auth/jwks`)).json()) as { keys: { kty: string; d?: string }[] };
        assert.equal(jwks.keys[0]?.kty, 'EC');
        assert.equal(jwks.keys[0]?.d, undefined);
      });
    });

    describe('anonymous pull', () => {
      test('when enabled, anonymous tokens pull public projects but never push', async () => {
        const open = await startTestBerth({ BERTH_ANONYMOUS_PULL: 'true', ...(await database.env()) });
        try {
          const admin = new OciClient(open.url, basicAuth());
          await admin.pushImage('pub/app', 'v1');
      // Anonymous pulls reach public projects only (Harbor semantics).
      const publish = await admin.fetch('/api/v1/projects/pub', { method: 'PUT', body: JSON.stringify({ public: true }), headers: { 'content-type': 'application/json' } });
      assert.equal(publish.status, 200);
          const { token } = (await (await fetch(`${open.url}/auth/token?service=berth&scope=repository:pub/app:pull,push`)).json()) as { token: string };
          const anon = new OciClient(open.url, `Bearer ${token}`);
          assert.equal((await anon.fetch('/v2/pub/app/manifests/v1')).status, 200);
          assert.equal((await anon.fetch('/v2/pub/app/blobs/uploads/', { method: 'POST' })).status, 401);
          assert.equal((await fetch(`${open.url}/v2/pub/app/tags/list`)).status, 200);
        } finally {
          await open.stop();
        }
      });
    });

    describe('tags on push by digest', () => {
      test('?tag= applies every tag and reports them in OCI-Tag', async () => {
        const image = await oci.pushImage('tagparam/app', 'seed');
        const res = await oci.fetch(`/v2/tagparam/app/manifests/${image.digest}?tag=v1&tag=stable`, {
          method: 'PUT',
          body: image.body,
          headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
        });
        assert.equal(res.status, 201);
        assert.deepEqual(res.headers.get('oci-tag')?.split(',').map((t) => t.trim()).sort(), ['stable', 'v1']);
        const tags = (await (await oci.fetch('/v2/tagparam/app/tags/list')).json()) as { tags: string[] };
        assert.deepEqual(tags.tags, ['seed', 'stable', 'v1']);
        const bad = await oci.fetch(`/v2/tagparam/app/manifests/${image.digest}?tag=-bad`, { method: 'PUT', body: image.body, headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' } });
        assert.equal(bad.status, 400);
      });
    });
  });
}
