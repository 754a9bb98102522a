/**
 * `berth serve` serves the web UI (src/http/ui.ts): index.html at / and as the fallback of
 * client-side routes, hashed assets with an immutable cache, a strict CSP on every UI
 * response, server paths keeping their JSON 404s, and a page saying how to build the UI
 * when there is no build. A small build-like directory stands in for web/dist (BERTH_WEB_DIR),
 * so this suite does not depend on the Vite build; the browser suites use the real one.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startTestBerth, type TestBerth } from '../support/berth.ts';

const INDEX = '<!doctype html><html><head><script type="module" src="/assets/index-abc123.js"></script></head><body><div id="root"></div></body></html>';
const SCRIPT = 'console.log("berth");';

function assertUiHeaders(res: Response, what: string): void {
  const csp = res.headers.get('content-security-policy') ?? '';
  assert.match(csp, /default-src 'self'/, `${what}: CSP`);
  assert.match(csp, /script-src 'self'(;|$)/, `${what}: scripts from this origin only`);
  assert.match(csp, /frame-ancestors 'none'/, `${what}: not framed`);
  assert.doesNotMatch(csp, /unsafe-eval/, `${what}: no eval`);
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff', `${what}: nosniff`);
}

describe('web UI served by berth serve', () => {
  let berth: TestBerth;
  let dir: string;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'berth-web-'));
    await mkdir(path.join(dir, 'assets'));
    await writeFile(path.join(dir, 'index.html'), INDEX);
    await writeFile(path.join(dir, 'assets', 'index-abc123.js'), SCRIPT);
    await writeFile(path.join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    berth = await startTestBerth({ BERTH_WEB_DIR: dir });
  });
  after(async () => {
    await berth?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('/ answers index.html, not cached, with the security headers', async () => {
    const res = await fetch(`${berth.url}/`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    assertUiHeaders(res, '/');
    assert.equal(await res.text(), INDEX);
  });

  test('client-side routes fall back to index.html, dots and encoded slashes included', async () => {
    for (const p of ['/projects/x', '/projects/team/repositories/a%2Fb/artifacts/1.25', '/login?next=%2Fprojects&expired=1', '/applications/web']) {
      const res = await fetch(`${berth.url}${p}`);
      assert.equal(res.status, 200, p);
      assert.equal(res.headers.get('cache-control'), 'no-cache', p);
      assertUiHeaders(res, p);
      assert.equal(await res.text(), INDEX, p);
    }
  });

  test('hashed assets are immutable; other files cached briefly; HEAD answers without a body', async () => {
    const res = await fetch(`${berth.url}/assets/index-abc123.js`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/javascript/);
    assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assertUiHeaders(res, 'asset');
    assert.equal(await res.text(), SCRIPT);
    const icon = await fetch(`${berth.url}/favicon.svg`);
    assert.equal(icon.status, 200);
    assert.equal(icon.headers.get('content-type'), 'image/svg+xml');
    assert.equal(icon.headers.get('cache-control'), 'public, max-age=3600');
    await icon.arrayBuffer();
    const head = await fetch(`${berth.url}/assets/index-abc123.js`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), String(SCRIPT.length));
    assert.equal((await head.text()).length, 0);
  });

  test('a missing asset is a 404, not the SPA; paths cannot leave the directory', async () => {
    const res = await fetch(`${berth.url}/assets/index-gone.js`);
    assert.equal(res.status, 404);
    assert.doesNotMatch(await res.text(), /<html/);
    for (const p of ['/assets/..%2f..%2fpackage.json', '/%2e%2e/%2e%2e/package.json', '/.build-stamp']) {
      const r = await fetch(`${berth.url}${p}`);
      const body = await r.text();
      assert.ok(r.status === 404 || body === INDEX, `${p}: ${r.status} ${body.slice(0, 80)}`);
      assert.doesNotMatch(body, /"name": "berth"/, p);
    }
  });

  test('server paths keep their own answers: JSON 404s under /api and /v2, health, metrics', async () => {
    for (const p of ['/api/v1/no-such-thing', '/api/nothing', '/v2/no/such/thing/x', '/auth/nothing', '/metrics/x']) {
      const res = await fetch(`${berth.url}${p}`);
      assert.ok(res.status === 404 || res.status === 401, `${p}: ${res.status}`);
      assert.match(res.headers.get('content-type') ?? '', /application\/json/, p);
      const body = (await res.json()) as { errors?: { code: string }[] };
      assert.ok(Array.isArray(body.errors), `${p}: error body`);
    }
    const health = await fetch(`${berth.url}/healthz`);
    assert.deepEqual(await health.json(), { status: 'ok' });
    const system = await fetch(`${berth.url}/api/v1/openapi.json`);
    assert.equal(system.status, 200);
    await system.arrayBuffer();
    const post = await fetch(`${berth.url}/projects/x`, { method: 'POST' });
    assert.equal(post.status, 404, 'only GET and HEAD reach the SPA');
    await post.arrayBuffer();
  });
});

describe('web UI not built', () => {
  let berth: TestBerth;
  before(async () => {
    berth = await startTestBerth({ BERTH_WEB_DIR: path.join(os.tmpdir(), 'berth-no-such-web-dist') });
  });
  after(() => berth?.stop());

  test('/ and client routes answer a page saying how to build the UI; the API still works', async () => {
    for (const p of ['/', '/projects/x']) {
      const res = await fetch(`${berth.url}${p}`);
      assert.equal(res.status, 503, p);
      assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
      assertUiHeaders(res, p);
      const html = await res.text();
      assert.match(html, /not built/);
      assert.match(html, /npm run web:build/);
    }
    const res = await fetch(`${berth.url}/api/v1/auth/config`);
    assert.equal(res.status, 200);
    await res.arrayBuffer();
  });
});
