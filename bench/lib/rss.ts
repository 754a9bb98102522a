/**
 * Samples a process's resident set size (VmRSS in /proc/<pid>/status) every
 * 100 ms for the whole benchmark; phases ask for the peak between two
 * instants.
 */
import { readFileSync } from 'node:fs';

export interface RssSample {
  /** performance.now() of the sample */
  t: number;
  kib: number;
}

export class RssSampler {
  readonly pid: number;
  readonly #samples: RssSample[] = [];
  readonly #timer: NodeJS.Timeout;

  constructor(pid: number, intervalMs = 100) {
    this.pid = pid;
    this.sample();
    this.#timer = setInterval(() => this.sample(), intervalMs);
    this.#timer.unref();
  }

  /** Takes one sample now (also called by the timer); undefined once the process is gone. */
  sample(): number | undefined {
    const kib = readRssKib(this.pid);
    if (kib !== undefined) this.#samples.push({ t: performance.now(), kib });
    return kib;
  }

  /** Peak RSS in KiB over samples taken in [from, to] (performance.now() times). */
  peak(from: number, to = performance.now()): number | undefined {
    let max: number | undefined;
    for (const s of this.#samples) {
      if (s.t >= from && s.t <= to && (max === undefined || s.kib > max)) max = s.kib;
    }
    return max;
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}

export function readRssKib(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

export function mib(kib: number | undefined): string {
  return kib === undefined ? 'n/a' : `${(kib / 1024).toFixed(0)} MiB`;
}
