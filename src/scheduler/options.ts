// The Scheduler's options: their types, defaults and checks, resolved in one place.
import { RaspimonTypeError } from '../errors.js';
import { describeError } from '../internal/index.js';
import { checkFunction, checkOptionsObject, checkSeconds, checkString } from './arguments.js';
import { systemClock, type Clock } from './clock.js';
import type { JobKind } from './job.js';
import { secondsToMs } from './o-clock.js';

/**
 * Receives what a failed job threw or rejected with.
 *
 * @example
 * ```ts
 * const onError: ErrorHandler = (error, job) => logger.error(`job ${job.kind} failed: ${String(error)}`);
 * ```
 */
export type ErrorHandler = (error: unknown, job: { id: string; kind: JobKind }) => void;

/**
 * Options of {@link Scheduler}. The object is read once and never modified.
 *
 * @example
 * ```ts
 * const options: SchedulerOptions = { timeZone: 'Europe/Madrid', clockCheck: 5, onError: (e) => logger.error(String(e)) };
 * const scheduler = new Scheduler(options);
 * ```
 */
export interface SchedulerOptions {
  /**
   * Time source: wall clock, monotonic clock and timers. Tests pass a {@link ManualClock}.
   * @default systemClock (Date.now, performance.now and setTimeout, looked up at each call)
   */
  clock?: Clock;
  /**
   * IANA time zone for `repeatCron` patterns, e.g. `'Europe/Berlin'`.
   * @default undefined (the process's local zone, i.e. `TZ`)
   */
  timeZone?: string;
  /**
   * Called with what a job threw or rejected with. Never stops the scheduler.
   * @default writes one line to stderr: `raspimon scheduler: job <id> (<kind>) failed: <error>`
   */
  onError?: ErrorHandler;
  /**
   * Seconds between checks for wall-clock steps (e.g. NTP setting the time of a Pi
   * without RTC), made only while wall-clock jobs (onceWhen, o'clock, cron) are
   * pending and only with a clock that does not report its own steps.
   * @default 10
   */
  clockCheck?: number;
}

/** The default {@link ErrorHandler}: one line on stderr. */
export function writeErrorLine(error: unknown, job: { id: string; kind: JobKind }): void {
  process.stderr.write(`raspimon scheduler: job ${job.id} (${job.kind}) failed: ${describeError(error)}\n`);
}

/** The options with defaults filled in and checked (the caller's object is not touched). */
export interface ResolvedOptions {
  clock: Clock;
  timeZone: string | undefined;
  onError: ErrorHandler;
  clockCheckMs: number;
}

/** Checks `options` and fills in the defaults; throws a type or range error naming the option. */
export function resolveOptions(options: SchedulerOptions): ResolvedOptions {
  checkOptionsObject('new Scheduler', options);
  const { clock = systemClock, timeZone, onError = writeErrorLine, clockCheck = 10 } = options;
  if (
    typeof clock !== 'object' ||
    clock === null ||
    typeof clock.now !== 'function' ||
    typeof clock.monotonic !== 'function' ||
    typeof clock.setTimer !== 'function' ||
    typeof clock.clearTimer !== 'function'
  ) {
    throw new RaspimonTypeError(
      'ERR_INVALID_ARG_TYPE',
      'new Scheduler: options.clock must implement Clock (now, monotonic, setTimer, clearTimer), e.g. new ManualClock().',
    );
  }
  checkFunction('new Scheduler: options.onError', onError);
  const clockCheckMs = secondsToMs(checkSeconds('new Scheduler', 'options.clockCheck', clockCheck));
  if (timeZone !== undefined) checkString('new Scheduler', 'options.timeZone', timeZone);
  return { clock, timeZone, onError, clockCheckMs };
}
