/**
 * Runs claimed jobs in this process: claims while a registered kind has a
 * free slot (its concurrency), renews each lease every third of its length,
 * aborts a job's signal on timeout, cancel, lost lease or shutdown, and
 * records the outcome through the fenced queue calls (retry with exponential
 * backoff and full jitter, then `failed`).
 *
 * A handler that ignores its signal is given up on `abandonGraceMs` after
 * the abort: the attempt is recorded (timeout) or the lease released
 * (shutdown), and the fence keeps the stray handler's late outcome from
 * counting.
 */
import type { Logger } from 'pino';
import { DEFAULT_MAX_ATTEMPTS, type Claim, type JobQueue } from './queue.ts';
import type { JobContext, JobKind, JobKindOptions } from './types.ts';

export interface RunnerOptions {
  /** Identifies this process in `lease_owner`. */
  owner: string;
  leaseMs: number;
  pollIntervalMs: number;
  log: Logger;
  /** Outcome hook (metrics). */
  onFinished?: (kind: string, outcome: 'succeeded' | 'retry' | 'failed' | 'lost', seconds: number) => void;
  /** How long stop() lets running jobs finish before aborting them; default 10 s. */
  stopGraceMs?: number;
  abandonGraceMs?: number;
}

/** Thrown by a handler: the job fails at once, without further attempts. */
export class PermanentJobError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PermanentJobError';
  }
}

type AbortCause = 'timeout' | 'cancelled' | 'lease lost' | 'shutdown';

interface Running {
  claim: Claim;
  controller: AbortController;
  cause?: AbortCause;
  done: Promise<void>;
}

const DEFAULTS = { concurrency: 1, timeoutMs: 5 * 60_000, maxAttempts: DEFAULT_MAX_ATTEMPTS, backoffBaseMs: 1000, backoffMaxMs: 5 * 60_000 };

/** Full jitter: uniform in [0, min(max, base · 2^(attempt−1))]. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt - 1, 30));
  return Math.floor(random() * ceiling);
}

export class JobRunner {
  readonly #queue: JobQueue;
  readonly #options: RunnerOptions;
  readonly #kinds = new Map<string, JobKind & typeof DEFAULTS>();
  readonly #running = new Map<string, Running>();
  readonly #perKind = new Map<string, number>();
  #started = false;
  #pumping = false;
  /** The claim loop in flight, awaited by stop() so it never queries a database being closed. */
  #pumpDone: Promise<void> = Promise.resolve();
  #again = false;
  #timer: NodeJS.Timeout | undefined;
  #lastTakeOver = 0;

  constructor(queue: JobQueue, options: RunnerOptions) {
    this.#queue = queue;
    this.#options = options;
  }

  register<P>(kind: JobKind<P>): void {
    if (this.#kinds.has(kind.kind)) throw new Error(`job kind ${kind.kind} is already registered`);
    const handle = (payload: unknown, ctx: JobContext) => kind.handle(payload as P, ctx);
    this.#kinds.set(kind.kind, { ...DEFAULTS, ...definedOnly(kind), kind: kind.kind, handle });
  }

  maxAttemptsOf(kind: string): number {
    return this.#kinds.get(kind)?.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  }

  get kinds(): string[] {
    return [...this.#kinds.keys()];
  }

  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.wake();
  }

  /** Claims now (after an enqueue, a notification, or a freed slot). */
  wake(): void {
    if (!this.#started) return;
    if (this.#pumping) {
      this.#again = true;
      return;
    }
    this.#pumping = true;
    clearTimeout(this.#timer);
    this.#pumpDone = new Promise((resolve) => setImmediate(() => void this.#pump().finally(resolve)));
  }

  /** Aborts a job running here (after the queue cancelled it). */
  abortLocal(id: string, cause: AbortCause = 'cancelled'): boolean {
    const running = this.#running.get(id);
    if (!running) return false;
    running.cause ??= cause;
    running.controller.abort(new Error(`job ${cause}`));
    return true;
  }

  async stop(): Promise<void> {
    if (!this.#started) return;
    this.#started = false;
    clearTimeout(this.#timer);
    await this.#pumpDone;
    const all = () => Promise.all([...this.#running.values()].map((r) => r.done));
    const grace = this.#options.stopGraceMs ?? 10_000;
    if (await settlesWithin(all(), grace)) return;
    for (const id of this.#running.keys()) this.abortLocal(id, 'shutdown');
    await settlesWithin(all(), this.#abandonGrace() + 1000);
  }

  #abandonGrace(): number {
    return this.#options.abandonGraceMs ?? Math.min(this.#options.leaseMs, 10_000);
  }

  async #pump(): Promise<void> {
    try {
      do {
        this.#again = false;
        const now = Date.now();
        if (now - this.#lastTakeOver >= Math.min(this.#options.pollIntervalMs, this.#options.leaseMs / 4)) {
          this.#lastTakeOver = now;
          const taken = await this.#queue.takeOverExpired(now);
          if (taken > 0) this.#options.log.warn({ jobs: taken }, 'jobs with expired leases made claimable again');
        }
        for (;;) {
          if (!this.#started) return;
          const free = [...this.#kinds.values()].filter((k) => (this.#perKind.get(k.kind) ?? 0) < k.concurrency).map((k) => k.kind);
          const claim = await this.#queue.claim(this.#options.owner, free, this.#options.leaseMs);
          if (!claim) break;
          this.#launch(claim);
        }
      } while (this.#again && this.#started);
    } catch (err) {
      this.#options.log.error({ err }, 'claiming jobs failed; retrying at the next poll');
    } finally {
      this.#pumping = false;
      if (this.#started) {
        this.#timer = setTimeout(() => this.wake(), this.#options.pollIntervalMs);
        this.#timer.unref();
        if (this.#again) this.wake();
      }
    }
  }

  #launch(claim: Claim): void {
    const kind = this.#kinds.get(claim.kind);
    if (!kind) return;
    this.#perKind.set(claim.kind, (this.#perKind.get(claim.kind) ?? 0) + 1);
    const running: Running = { claim, controller: new AbortController(), done: Promise.resolve() };
    this.#running.set(claim.id, running);
    running.done = this.#run(kind, running).finally(() => {
      this.#running.delete(claim.id);
      this.#perKind.set(claim.kind, (this.#perKind.get(claim.kind) ?? 1) - 1);
      this.wake();
    });
  }

  async #run(kind: JobKind & typeof DEFAULTS, running: Running): Promise<void> {
    const { claim, controller } = running;
    const log = this.#options.log.child({ job: claim.id, kind: claim.kind, attempt: claim.attempt });
    const started = performance.now();
    const stopHeartbeat = this.#heartbeat(running, log);
    const timeout = setTimeout(() => this.abortLocal(claim.id, 'timeout'), kind.timeoutMs);
    let error: unknown;
    let ok = false;
    try {
      const payload = JSON.parse(claim.payload) as unknown;
      await abandonAfterAbort(kind.handle(payload, { jobId: claim.id, attempt: claim.attempt, signal: controller.signal, log }), controller.signal, this.#abandonGrace());
      ok = running.cause === undefined;
      if (!ok) error = new Error(`job ${running.cause}`);
    } catch (err) {
      error = running.cause === 'timeout' ? new Error(`timed out after ${kind.timeoutMs} ms`, { cause: err }) : err;
    } finally {
      clearTimeout(timeout);
      stopHeartbeat();
    }
    const seconds = (performance.now() - started) / 1000;
    try {
      if (running.cause === 'cancelled' || running.cause === 'lease lost') {
        log.info({ cause: running.cause }, 'job stopped; its outcome is not recorded');
        this.#options.onFinished?.(claim.kind, 'lost', seconds);
      } else if (running.cause === 'shutdown') {
        await this.#queue.release(claim);
      } else if (ok) {
        const counted = await this.#queue.succeed(claim);
        if (!counted) log.warn('job finished after its lease was lost; the result is not counted');
        this.#options.onFinished?.(claim.kind, counted ? 'succeeded' : 'lost', seconds);
      } else {
        const retry = !(error instanceof PermanentJobError) && claim.attempt < claim.maxAttempts;
        const retryAt = retry ? Date.now() + backoffDelay(claim.attempt, kind.backoffBaseMs, kind.backoffMaxMs) : undefined;
        const counted = await this.#queue.fail(claim, error, retryAt);
        log[retry ? 'warn' : 'error']({ err: error, retryAt }, retry ? 'job attempt failed; retrying' : 'job failed');
        this.#options.onFinished?.(claim.kind, counted ? (retry ? 'retry' : 'failed') : 'lost', seconds);
      }
    } catch (err) {
      // The lease runs out and another process takes the job over.
      log.error({ err }, 'recording the job outcome failed');
    }
  }

  /** Renews the lease every third of its length; a refused renewal, or none before expiry, aborts the job. */
  #heartbeat(running: Running, log: Logger): () => void {
    const { leaseMs } = this.#options;
    let expiresAt = running.claim.leaseExpiresAt;
    let busy = false;
    const timer = setInterval(() => {
      if (busy) return;
      if (Date.now() >= expiresAt) {
        log.warn('lease not renewed in time; aborting the job');
        this.abortLocal(running.claim.id, 'lease lost');
        return;
      }
      busy = true;
      const at = Date.now();
      this.#queue
        .renew(running.claim, leaseMs, at)
        .then((mine) => {
          if (mine) {
            expiresAt = at + leaseMs;
            return;
          }
          return this.#queue.find(running.claim.id).then((job) => {
            this.abortLocal(running.claim.id, job?.state === 'cancelled' ? 'cancelled' : 'lease lost');
          });
        })
        .catch((err: unknown) => log.warn({ err }, 'lease renewal failed; retrying'))
        .finally(() => {
          busy = false;
        });
    }, Math.max(50, Math.floor(leaseMs / 3)));
    timer.unref();
    return () => clearInterval(timer);
  }
}

function definedOnly(kind: JobKindOptions): Partial<JobKindOptions> {
  const { concurrency, timeoutMs, maxAttempts, backoffBaseMs, backoffMaxMs } = kind;
  const options = { concurrency, timeoutMs, maxAttempts, backoffBaseMs, backoffMaxMs };
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
}

/** The handler's promise, or a rejection `graceMs` after `signal` aborts if the handler ignores it. */
function abandonAfterAbort<T>(work: Promise<T>, signal: AbortSignal, graceMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      timer = setTimeout(() => reject(new Error('the handler ignored its abort signal')), graceMs);
      timer.unref();
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    });
  });
}

async function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const result = await Promise.race([work.then(() => true), timedOut]);
  clearTimeout(timer);
  return result;
}
