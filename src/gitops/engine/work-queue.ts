/**
 * A de-duplicating work queue: a name queued several times while waiting is
 * worked once; a name queued while being worked is worked again afterwards.
 * At most `concurrency` names are worked at a time.
 */
export class WorkQueue {
  readonly #work: (name: string) => Promise<void>;
  readonly #concurrency: number;
  readonly #queued = new Set<string>();
  readonly #active = new Set<string>();
  readonly #again = new Set<string>();
  readonly #onError: (name: string, err: unknown) => void;
  readonly #running = new Set<Promise<void>>();
  #closed = false;

  constructor(work: (name: string) => Promise<void>, concurrency: number, onError: (name: string, err: unknown) => void) {
    this.#work = work;
    this.#concurrency = concurrency;
    this.#onError = onError;
  }

  add(name: string): void {
    if (this.#closed) return;
    if (this.#active.has(name)) this.#again.add(name);
    else this.#queued.add(name);
    this.#pump();
  }

  /** Like add, but ahead of everything waiting. */
  addFirst(name: string): void {
    if (this.#closed) return;
    if (this.#active.has(name)) {
      this.#again.add(name);
      return;
    }
    const rest = [...this.#queued].filter((n) => n !== name);
    this.#queued.clear();
    this.#queued.add(name);
    for (const n of rest) this.#queued.add(n);
    this.#pump();
  }

  get size(): number {
    return this.#queued.size + this.#active.size;
  }

  /** Takes no more work; resolves when the work in progress has ended. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#queued.clear();
    this.#again.clear();
    await Promise.allSettled([...this.#running]);
  }

  #pump(): void {
    while (this.#active.size < this.#concurrency && this.#queued.size > 0) {
      const name = this.#queued.values().next().value as string;
      this.#queued.delete(name);
      this.#active.add(name);
      const running: Promise<void> = this.#work(name)
        .catch((err: unknown) => this.#onError(name, err))
        .finally(() => {
          this.#running.delete(running);
          this.#active.delete(name);
          if (this.#again.delete(name)) this.#queued.add(name);
          this.#pump();
        });
      this.#running.add(running);
    }
  }
}

/** A counting semaphore. */
export class Semaphore {
  #free: number;
  readonly #waiting: (() => void)[] = [];
  constructor(size: number) {
    this.#free = size;
  }
  async acquire(): Promise<() => void> {
    if (this.#free > 0) this.#free--;
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiting.shift();
      if (next) next();
      else this.#free++;
    };
  }
}
