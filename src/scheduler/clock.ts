/**
 * Where a {@link Scheduler} gets time and timers from. The default ({@link systemClock})
 * is the real one; {@link ManualClock} is the fake for tests. Write your own to run a
 * scheduler on another time source.
 *
 * @example
 * ```ts
 * // A clock that runs one hour ahead of the system clock.
 * const aheadClock: Clock = {
 *   now: () => Date.now() + 3_600_000,
 *   monotonic: () => performance.now(),
 *   setTimer: (callback, delayMs) => setTimeout(callback, delayMs),
 *   clearTimer: (handle) => clearTimeout(handle as NodeJS.Timeout),
 * };
 * const scheduler = new Scheduler({ clock: aheadClock });
 * ```
 */
export interface Clock {
  /** Wall-clock time in epoch milliseconds, like `Date.now()`. May step (NTP). */
  now(): number;
  /** Monotonic time in milliseconds from an arbitrary origin, like `performance.now()`. Never steps. */
  monotonic(): number;
  /**
   * Calls `callback` once, `delayMs` (0 … 2^31−1, fractions allowed) milliseconds of
   * monotonic time from now, never earlier. Returns a handle for {@link Clock.clearTimer}.
   */
  setTimer(callback: () => void, delayMs: number): unknown;
  /** Cancels a timer from {@link Clock.setTimer} that has not fired yet. */
  clearTimer(handle: unknown): void;
  /**
   * Optional: calls `listener` whenever the wall clock steps, and returns a function
   * that unsubscribes. A clock that has it is never polled for steps (see the
   * `clockCheck` option); one without it is checked every `clockCheck` seconds.
   */
  onStep?(listener: () => void): () => void;
}

// A handle that says which kind of Node timer it wraps, so clearTimer undoes the right one.
interface SystemTimer {
  immediate: boolean;
  timer: unknown;
}

/**
 * The real clock: `Date.now()`, `performance.now()` and `setTimeout`, each looked up on
 * `globalThis` at every call, so a scheduler created before `vi.useFakeTimers()` follows
 * the fake timers too. A delay under one millisecond uses `setImmediate` (Node rounds
 * sub-millisecond timeouts up to 1 ms).
 *
 * @example
 * ```ts
 * const scheduler = new Scheduler({ clock: systemClock }); // the same as new Scheduler()
 * ```
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  setTimer(callback: () => void, delayMs: number): SystemTimer {
    if (delayMs < 1) return { immediate: true, timer: setImmediate(callback) };
    return { immediate: false, timer: setTimeout(callback, delayMs) };
  },
  clearTimer(handle: unknown): void {
    const { immediate, timer } = handle as SystemTimer;
    if (immediate) clearImmediate(timer as NodeJS.Immediate);
    else clearTimeout(timer as NodeJS.Timeout);
  },
};
