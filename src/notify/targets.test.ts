import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { refusalOf, validateAddress } from './targets.ts';
import { sign, signatureHeaders, verifySignature } from './signature.ts';

const strict = { allowPrivate: false };
const lax = { allowPrivate: true };
const noDns = () => Promise.resolve([] as string[]);

describe('webhook target rules (SSRF)', () => {
  test('metadata and link-local addresses are refused even when private targets are allowed', () => {
    for (const ip of ['169.254.169.254', '169.254.0.1', 'fe80::1', 'fd00:ec2::254', '::ffff:169.254.169.254', '0.0.0.0', '::', '224.0.0.1', '255.255.255.255']) {
      assert.ok(refusalOf(ip, lax), `${ip} must be refused`);
    }
  });

  test('loopback and private ranges only when allowed; public addresses always', () => {
    for (const ip of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '::1', 'fd12::1', '::ffff:127.0.0.1', '100.100.100.200']) {
      assert.match(refusalOf(ip, strict) ?? '', /webhookAllowPrivateTargets/, ip);
      assert.equal(refusalOf(ip, lax), undefined, ip);
    }
    for (const ip of ['8.8.8.8', '2001:4860:4860::8888', '172.32.0.1']) assert.equal(refusalOf(ip, strict), undefined, ip);
  });

  test('addresses: http(s) only, no credentials, no fragment, host checked', async () => {
    await assert.rejects(validateAddress('ftp://example.com/x', lax, noDns), /http:\/\/ or https:\/\//);
    await assert.rejects(validateAddress('https://user:pw@example.com/x', lax, noDns), /must not contain credentials/);
    await assert.rejects(validateAddress('not a url', lax, noDns), /not a URL/);
    await assert.rejects(validateAddress('http://169.254.169.254/latest/meta-data', lax, noDns), /cloud metadata/);
    await assert.rejects(validateAddress('http://[fd00:ec2::254]/', lax, noDns), /cloud metadata/);
    await assert.rejects(validateAddress('http://127.0.0.1:9/hook', strict, noDns), /webhookAllowPrivateTargets/);
    await assert.rejects(validateAddress('http://metadata.internal/', lax, () => Promise.resolve(['169.254.169.254'])), /metadata.internal resolves to 169.254.169.254/);
    assert.equal((await validateAddress('http://127.0.0.1:9/hook', lax, noDns)).port, '9');
    assert.equal((await validateAddress('https://hooks.example.com/x', strict, noDns)).host, 'hooks.example.com');
  });
});

describe('delivery signatures', () => {
  test('HMAC-SHA256 over the exact body, and over timestamp.body', () => {
    // Known answer: HMAC-SHA256("secret", "{}").
    assert.equal(sign('secret', '{}'), 'sha256=77325902caca812dc259733aacd046b73817372c777b8d95b402647474516e13');
    const h = signatureHeaders('s3cret', '{"a":1}', 1_700_000_000_000);
    assert.equal(h['x-berth-timestamp'], '1700000000');
    assert.ok(verifySignature('s3cret', '{"a":1}', h['x-berth-signature']));
    assert.ok(verifySignature('s3cret', '1700000000.{"a":1}', h['x-berth-signature-timestamped']));
    assert.equal(verifySignature('s3cret', '{"a":2}', h['x-berth-signature']), false);
    assert.equal(verifySignature('other', '{"a":1}', h['x-berth-signature']), false);
  });
});
