/**
 * A byte-bounded LRU of rendered output, stored as JSON text: the size is
 * exact, and every hit parses a fresh copy that the caller may mutate.
 */
import { createHash } from 'node:crypto';

export class ByteLru {
  readonly maxBytes: number;
  #bytes = 0;
  readonly #entries = new Map<string, { value: string; size: number }>();

  constructor(maxBytes: number) {
    this.maxBytes = maxBytes;
  }

  get bytes(): number {
    return this.#bytes;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: string): string | undefined {
    const e = this.#entries.get(key);
    if (e !== undefined) {
      // Most recently used goes last.
      this.#entries.delete(key);
      this.#entries.set(key, e);
    }
    return e?.value;
  }

  /** Stores `value`; one larger than the whole cache is not kept. */
  set(key: string, value: string): void {
    this.delete(key);
    const size = Buffer.byteLength(value);
    if (size > this.maxBytes) return;
    for (const [k, e] of this.#entries) {
      if (this.#bytes + size <= this.maxBytes) break;
      this.#entries.delete(k);
      this.#bytes -= e.size;
    }
    this.#entries.set(key, { value, size });
    this.#bytes += size;
  }

  delete(key: string): void {
    const e = this.#entries.get(key);
    if (e === undefined) return;
    this.#entries.delete(key);
    this.#bytes -= e.size;
  }

  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
  }
}

/** JSON with object keys sorted, so equal parameters give equal keys. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
    return sorted;
  });
}

export function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}
