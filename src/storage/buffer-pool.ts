/**
 * A bounded pool of equal-sized buffers reused across blob transfers.
 * Streaming a blob through freshly allocated buffers makes the garbage
 * collector the biggest cost of a pull (measured: more than hashing); with
 * reuse, a transfer allocates nothing per chunk.
 */
export class BufferPool {
  readonly size: number;
  readonly #free: Buffer[] = [];
  readonly #max: number;

  constructor(size: number, max: number) {
    this.size = size;
    this.#max = max;
  }

  take(): Buffer {
    return this.#free.pop() ?? Buffer.allocUnsafeSlow(this.size);
  }

  give(buf: Buffer): void {
    if (this.#free.length < this.#max && buf.length === this.size) this.#free.push(buf);
  }
}
