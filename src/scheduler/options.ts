import { describeError } from '../internal/index.js';
import type { Clock } from './clock.js';
import type { JobKind } from './job.js';

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
