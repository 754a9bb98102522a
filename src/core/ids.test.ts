import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newUuidV7 } from './ids.ts';

test('ids are UUIDv7-shaped and strictly increasing, even within one millisecond', () => {
  const ids = Array.from({ length: 10_000 }, () => newUuidV7());
  for (const id of ids) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  for (let i = 1; i < ids.length; i++) assert.ok(ids[i - 1]! < ids[i]!, `${ids[i - 1]} < ${ids[i]}`);
});

test('a clock step backwards keeps the order', () => {
  const now = Date.now() + 60_000;
  const a = newUuidV7(now);
  const b = newUuidV7(now - 30_000);
  assert.ok(a < b, `${a} < ${b}`);
});
