import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseContentRange, parseRangeHeader } from './range.ts';

test('Range header: explicit, open-ended, suffix, clamped', () => {
  assert.deepEqual(parseRangeHeader('bytes=0-9', 100), { start: 0, end: 9 });
  assert.deepEqual(parseRangeHeader('bytes=90-', 100), { start: 90, end: 99 });
  assert.deepEqual(parseRangeHeader('bytes=-10', 100), { start: 90, end: 99 });
  assert.deepEqual(parseRangeHeader('bytes=-500', 100), { start: 0, end: 99 });
  assert.deepEqual(parseRangeHeader('bytes=50-500', 100), { start: 50, end: 99 });
});

test('Range header: unsatisfiable and ignored forms', () => {
  assert.equal(parseRangeHeader('bytes=100-', 100), 'unsatisfiable');
  assert.equal(parseRangeHeader('bytes=-0', 100), 'unsatisfiable');
  assert.equal(parseRangeHeader(undefined, 100), undefined);
  assert.equal(parseRangeHeader('bytes=5-1', 100), 'unsatisfiable');
  assert.equal(parseRangeHeader('bytes=0-1,5-6', 100), undefined);
  assert.equal(parseRangeHeader('items=0-1', 100), undefined);
});

test('Content-Range of upload chunks', () => {
  assert.deepEqual(parseContentRange('0-99'), { start: 0, end: 99 });
  assert.deepEqual(parseContentRange('bytes 100-199/*'), { start: 100, end: 199 });
  assert.equal(parseContentRange('10-5'), undefined);
  assert.equal(parseContentRange('abc'), undefined);
});
