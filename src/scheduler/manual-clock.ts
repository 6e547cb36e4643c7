import { setImmediate as realSetImmediate } from 'node:timers';
import { RaspimonRangeError, RaspimonTypeError } from '../errors.js';
import { describeValue } from '../internal/index.js';
import type { Clock } from './clock.js';
import { secondsToMs } from './o-clock.js';

const MAX_TIMER_MS = 2 ** 31 - 1;

// From node:timers, not the global: fake timers (vi.useFakeTimers) replace the global
// one, and must not freeze the yields advance() makes to let promise callbacks run.

function macrotask(): Promise<void> {
  return new Promise((resolve) => realSetImmediate(resolve));
}

/**
 * Lets pending promise callbacks run: all microtasks, and also work a job queued for the
 * next event-loop turn (a setImmediate, or a promise chain resumed by one), which the
 * second turn lets through.
 */
async function settle(): Promise<void> {
  await macrotask();
  await macrotask();
}

interface ManualTimer {
  dueMs: number;
  seq: number;
  callback: () => void;
}

/**
 * A clock for tests that moves only when told to, so a day of schedules runs in
 * milliseconds. Both its wall clock and its monotonic clock start at `start` and move
 * together on {@link ManualClock.advance}; {@link ManualClock.setWallTime} steps the
 * wall clock alone, as NTP does. Pass it as `new Scheduler({ clock })`.
 *
 * @example
 * ```ts
 * const clock = new ManualClock(new Date('2026-01-01T12:00:37.500Z'));
 * const scheduler = new Scheduler({ clock });
 * scheduler.start();
 * scheduler.repeatOClock(60, () => console.log(new Date(clock.now()).toISOString()));
 * await clock.advance(120); // logs 12:01:00.000Z, then 12:02:00.000Z
 * await scheduler.stop();
 * ```
 */
export class ManualClock implements Clock {
  #wallMs: number;
  #monotonicMs = 0;
  #seq = 0;
  readonly #timers = new Set<ManualTimer>();
  readonly #listeners = new Set<() => void>();
  #queue: Promise<void> = Promise.resolve();

  /** @param start - the initial wall time. @default new Date() */
  constructor(start: Date = new Date()) {
    this.#wallMs = ManualClock.#toMs(start, 'start');
  }

  /** Wall-clock time in epoch milliseconds, like `Date.now()`. */
  now(): number {
    return this.#wallMs;
  }

  /** Monotonic milliseconds since the clock was created (advanced only by {@link ManualClock.advance}). */
  monotonic(): number {
    return this.#monotonicMs;
  }

  /** Part of {@link Clock}: the callback runs during an {@link ManualClock.advance} that reaches it. */
  setTimer(callback: () => void, delayMs: number): unknown {
    if (!(delayMs >= 0 && delayMs <= MAX_TIMER_MS)) {
      // Same limit as setTimeout, which would fire a longer delay after 1 ms: a clock
      // user must chunk long delays, and the fake says so instead of hiding it.
      throw new RaspimonRangeError(
        'ERR_OUT_OF_RANGE',
        `ManualClock.setTimer: delayMs must be between 0 and ${MAX_TIMER_MS} (setTimeout's limit), got ${delayMs}.`,
      );
    }
    const timer: ManualTimer = { dueMs: this.#monotonicMs + delayMs, seq: this.#seq++, callback };
    this.#timers.add(timer);
    return timer;
  }

  /** Part of {@link Clock}. */
  clearTimer(handle: unknown): void {
    this.#timers.delete(handle as ManualTimer);
  }

  /**
   * How many timers are due now but not yet fired (they fire on the next
   * {@link ManualClock.advance}, `advance(0)` will do). With the mail-logger daemon's
   * `whenIdle()` it tells a test that nothing more happens until the clock moves.
   *
   * @example
   * ```ts
   * do await clock.advance(0);
   * while (clock.dueTimers() > 0);
   * ```
   */
  dueTimers(): number {
    let due = 0;
    for (const timer of this.#timers) if (timer.dueMs <= this.#monotonicMs) due++;
    return due;
  }

  /** Part of {@link Clock}: `listener` runs synchronously inside {@link ManualClock.setWallTime}. */
  onStep(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Moves both clocks forward by `seconds`, firing due timers in order. Pending promise
   * callbacks (and work queued with `setImmediate`) run before the first firing and
   * between firings, like `vi.advanceTimersByTimeAsync`; a job that never settles does
   * not hold it up.
   * Calls made while one is running queue behind it.
   *
   * @example
   * ```ts
   * await clock.advance(24 * 3600); // a day of schedules, in milliseconds
   * ```
   */
  advance(seconds: number): Promise<void> {
    if (typeof seconds !== 'number' || !(seconds >= 0) || !Number.isFinite(seconds)) {
      throw new RaspimonRangeError(
        'ERR_OUT_OF_RANGE',
        `ManualClock.advance: seconds must be a finite number ≥ 0, got ${describeValue(seconds)}.`,
      );
    }
    // Snapped to whole ms when float noise is all that separates them (0.3 s → 300 ms), so
    // advancing by the same seconds a job was scheduled with lands exactly on its due time.
    const ms = secondsToMs(seconds);
    const run = this.#queue.then(() => this.#advance(ms));
    this.#queue = run;
    return run;
  }

  /**
   * Steps the wall clock to `date` without moving the monotonic clock, as an NTP step
   * does, and tells the clock's listeners (a Scheduler re-plans its wall-clock jobs).
   * Work that became due runs on the next {@link ManualClock.advance} (`advance(0)` will do).
   *
   * @example
   * ```ts
   * clock.setWallTime(new Date(clock.now() + 3_600_000)); // NTP: +1 h
   * await clock.advance(0);
   * ```
   */
  setWallTime(date: Date): void {
    this.#wallMs = ManualClock.#toMs(date, 'date');
    for (const listener of [...this.#listeners]) listener();
  }

  async #advance(ms: number): Promise<void> {
    const targetMs = this.#monotonicMs + ms;
    await settle();
    for (;;) {
      const timer = this.#earliest();
      if (timer === undefined || timer.dueMs > targetMs) break;
      this.#timers.delete(timer);
      this.#moveTo(Math.max(this.#monotonicMs, timer.dueMs));
      timer.callback();
      await settle();
    }
    this.#moveTo(targetMs);
  }

  #moveTo(monotonicMs: number): void {
    this.#wallMs += monotonicMs - this.#monotonicMs;
    this.#monotonicMs = monotonicMs;
  }

  #earliest(): ManualTimer | undefined {
    let earliest: ManualTimer | undefined;
    for (const timer of this.#timers) {
      if (
        earliest === undefined ||
        timer.dueMs < earliest.dueMs ||
        (timer.dueMs === earliest.dueMs && timer.seq < earliest.seq)
      ) {
        earliest = timer;
      }
    }
    return earliest;
  }

  static #toMs(date: Date, name: string): number {
    if (!(date instanceof Date)) {
      throw new RaspimonTypeError(
        'ERR_INVALID_ARG_TYPE',
        `ManualClock: ${name} must be a Date, got ${describeValue(date)}.`,
      );
    }
    const ms = date.getTime();
    if (Number.isNaN(ms))
      throw new RaspimonRangeError('ERR_OUT_OF_RANGE', `ManualClock: ${name} is an invalid Date.`);
    return ms;
  }
}
