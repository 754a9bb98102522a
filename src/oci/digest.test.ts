import assert from 'node:assert/strict';
import { test } from 'node:test';
import { digestOf, parseDigest } from './digest.ts';
import { RegistryError } from './errors.ts';

const sha256 = `sha256:${'a'.repeat(64)}`;
const sha512 = `sha512:${'b'.repeat(128)}`;

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof RegistryError ? err.code : 'other';
  }
  return undefined;
}

test('parses sha256 and sha512 digests', () => {
  assert.deepEqual(parseDigest(sha256), { algorithm: 'sha256', hex: 'a'.repeat(64), value: sha256 });
  assert.equal(parseDigest(sha512).algorithm, 'sha512');
});

test('rejects malformed, uppercase, short and unsupported digests', () => {
  for (const bad of ['', 'sha256', 'sha256:', `sha256:${'A'.repeat(64)}`, `sha256:${'a'.repeat(63)}`, `sha512:${'a'.repeat(64)}`, `md5:${'a'.repeat(32)}`, `sha256:${'g'.repeat(64)}`, `../sha256:${'a'.repeat(64)}`]) {
    assert.equal(code(() => parseDigest(bad)), 'DIGEST_INVALID', bad);
  }
});

test('digestOf computes the canonical digest', () => {
  assert.equal(digestOf(Buffer.from('')), 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  assert.match(digestOf(Buffer.from('x'), 'sha512'), /^sha512:[a-f0-9]{128}$/);
});
