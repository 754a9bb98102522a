/**
 * UUIDv7 ids (RFC 9562) for platform rows (jobs, domain events): a 48-bit
 * millisecond timestamp, a 12-bit per-process counter so ids made in one
 * millisecond still sort in order, then 62 random bits. Lower-case hex, so
 * string order is creation order within one process.
 */
import { randomFillSync } from 'node:crypto';

let lastMs = 0;
let seq = 0;
const pool = Buffer.alloc(4096);
let offset = pool.length;

export function uuidv7(now: number = Date.now()): string {
  if (now > lastMs) {
    lastMs = now;
    seq = 0;
  } else if (++seq > 0xfff) {
    lastMs++;
    seq = 0;
  }
  if (offset + 8 > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  pool[offset] = (pool[offset]! & 0x3f) | 0x80;
  const hex = pool.toString('hex', offset, offset + 8);
  offset += 8;
  const ts = lastMs.toString(16).padStart(12, '0');
  return `${ts.slice(0, 8)}-${ts.slice(8)}-7${seq.toString(16).padStart(3, '0')}-${hex.slice(0, 4)}-${hex.slice(4)}`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
