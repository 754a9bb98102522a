import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LoginThrottle } from './throttle.ts';

test('locks a user after repeated failures, with a doubling lock', () => {
  const t = new LoginThrottle({ maxFailures: 3, baseLockMs: 1000, windowMs: 60_000 });
  const now = 1_000_000;
  for (let i = 0; i < 2; i++) t.failure('bob', '10.0.0.1', now);
  assert.equal(t.retryAfter('bob', '10.0.0.2', now), 0, 'two failures are allowed');
  t.failure('bob', '10.0.0.1', now);
  assert.equal(t.retryAfter('bob', '10.0.0.9', now), 1000, 'the user is locked from any address');
  t.failure('bob', '10.0.0.1', now);
  assert.equal(t.retryAfter('bob', '10.0.0.9', now), 2000, 'the lock doubles');
  assert.equal(t.retryAfter('bob', '10.0.0.9', now + 2001), 0, 'and ends');
});

test('locks an address that tries many user names', () => {
  const t = new LoginThrottle({ maxFailures: 3, baseLockMs: 1000 });
  for (const u of ['a', 'b', 'c']) t.failure(u, '192.0.2.7', 0);
  assert.ok(t.retryAfter('d', '192.0.2.7', 0) > 0);
  assert.equal(t.retryAfter('d', '192.0.2.8', 0), 0);
});

test('a success clears the user record; old failures leave the window', () => {
  const t = new LoginThrottle({ maxFailures: 2, baseLockMs: 1000, windowMs: 10_000 });
  t.failure('eve', '1', 0);
  t.success('eve');
  t.failure('eve', '2', 0);
  assert.equal(t.retryAfter('eve', '3', 0), 0);
  t.failure('eve', '2', 20_000);
  assert.equal(t.retryAfter('eve', '3', 20_000), 0, 'a failure after the window starts a new count');
});
