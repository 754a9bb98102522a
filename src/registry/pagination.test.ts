import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RegistryError } from '../oci/errors.ts';
import { nextLink, parsePageRequest } from './pagination.ts';

test('parses n and last', () => {
  assert.deepEqual(parsePageRequest({}), { n: undefined, last: undefined });
  assert.deepEqual(parsePageRequest({ n: '10', last: 'b' }), { n: 10, last: 'b' });
  assert.deepEqual(parsePageRequest({ n: '0' }), { n: 0, last: undefined });
});

test('rejects non-numeric, negative and repeated values', () => {
  for (const n of ['-1', 'abc', '1.5', ['1', '2']]) {
    assert.throws(() => parsePageRequest({ n }), (e: unknown) => e instanceof RegistryError && e.code === 'PAGINATION_NUMBER_INVALID');
  }
});

test('next link only when more entries exist, with the last item encoded', () => {
  assert.equal(nextLink('/v2/a/tags/list', ['x', 'y+z'], 2, true), '</v2/a/tags/list?n=2&last=y%2Bz>; rel="next"');
  assert.equal(nextLink('/v2/a/tags/list', ['x'], 2, false), undefined);
});
