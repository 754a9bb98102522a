import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { RefusedAddressError, WebhookHttpClient } from './http-client.ts';

describe('webhook HTTP client', () => {
  let server: Server;
  let port: number;
  let hits = 0;
  before(async () => {
    server = createServer((req, res) => {
      hits++;
      if (req.url === '/slow') return;
      res.end('x'.repeat(5000));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const post = (client: WebhookHttpClient, url: string, timeoutMs = 2000) => client.post({ url, headers: { 'content-type': 'application/json' }, body: '{}', skipCertVerify: false, timeoutMs });

  test('the connected address is checked, whatever passed before: an IP literal and a name resolving to loopback are refused', async () => {
    const strict = new WebhookHttpClient({ allowPrivate: false });
    try {
      const before = hits;
      await assert.rejects(post(strict, `http://127.0.0.1:${port}/`), (err: Error) => err instanceof RefusedAddressError && /loopback or private/.test(err.message));
      await assert.rejects(post(strict, `http://localhost:${port}/`), (err: Error) => err instanceof RefusedAddressError && /localhost resolves to/.test(err.message));
      assert.equal(hits, before, 'no request reached the server');
    } finally {
      await strict.close();
    }
  });

  test('allowed when configured; the body is cut at 1 KiB; a silent receiver hits the deadline', async () => {
    const lax = new WebhookHttpClient({ allowPrivate: true });
    try {
      const res = await post(lax, `http://127.0.0.1:${port}/`);
      assert.equal(res.status, 200);
      assert.equal(res.body.length, 1024);
      const started = performance.now();
      await assert.rejects(post(lax, `http://127.0.0.1:${port}/slow`, 300), /no response within 300 ms/);
      assert.ok(performance.now() - started < 5000);
    } finally {
      await lax.close();
    }
  });
});
