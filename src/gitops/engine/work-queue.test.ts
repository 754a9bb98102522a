import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WorkQueue } from './work-queue.ts';

test('names queued while waiting are worked once; addFirst jumps the queue; close waits for work in progress', async () => {
  const order: string[] = [];
  const gates = new Map<string, () => void>();
  const queue = new WorkQueue(
    (name) => {
      order.push(name);
      return new Promise<void>((resolve) => gates.set(name, resolve));
    },
    1,
    () => undefined,
  );
  queue.add('a'); // starts at once
  queue.add('b');
  queue.add('c');
  queue.add('b'); // already waiting: once
  queue.addFirst('z');
  assert.equal(queue.size, 4);
  for (const name of ['a', 'z', 'b', 'c']) {
    await new Promise((r) => setImmediate(r));
    gates.get(name)!();
  }
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(order, ['a', 'z', 'b', 'c']);

  queue.add('d');
  let closed = false;
  const closing = queue.close().then(() => (closed = true));
  queue.add('e'); // refused after close
  await new Promise((r) => setImmediate(r));
  assert.equal(closed, false, 'close waits for d');
  gates.get('d')!();
  await closing;
  assert.deepEqual(order, ['a', 'z', 'b', 'c', 'd']);
});
