// Exponential backoff with full jitter (AWS architecture blog, "Exponential Backoff And
// Jitter"): many Pis that lost the same server do not all come back at the same instant.

/** Bounds of a {@link Backoff}. */
export interface BackoffOptions {
  /** First wait, and the floor of every wait. */
  minSeconds: number;
  /** Ceiling of every wait. */
  maxSeconds: number;
  /** Uniform in [0, 1); inject a constant for deterministic tests. @default Math.random */
  random?: () => number;
}

/**
 * Waits that double after each failure up to a ceiling, each drawn uniformly between
 * `minSeconds` and the current ceiling. `reset()` after a success.
 *
 * @example
 * ```ts
 * const backoff = new Backoff({ minSeconds: 1, maxSeconds: 300 });
 * scheduler.onceAfter(backoff.next(), retry);
 * ```
 */
export class Backoff {
  readonly #min: number;
  readonly #max: number;
  readonly #random: () => number;
  #failures = 0;

  constructor(options: BackoffOptions) {
    this.#min = options.minSeconds;
    this.#max = Math.max(options.minSeconds, options.maxSeconds);
    this.#random = options.random ?? Math.random;
  }

  /** Failures since the last reset. */
  get failures(): number {
    return this.#failures;
  }

  /** Counts a failure and returns the seconds to wait before the next try. */
  next(): number {
    const ceiling = Math.min(this.#max, this.#min * 2 ** Math.min(this.#failures, 52));
    this.#failures += 1;
    return this.#min + (ceiling - this.#min) * this.#random();
  }

  /** After a success: the next failure waits `minSeconds` again. */
  reset(): void {
    this.#failures = 0;
  }
}
