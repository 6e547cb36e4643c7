import { RaspimonError, RaspimonRangeError } from '../errors.js';

/**
 * A `Scheduler` method was called in a state that does not allow it: scheduling
 * before `start()` (`code: 'ERR_SCHEDULER_NOT_STARTED'`) or after `stop()`
 * (`code: 'ERR_SCHEDULER_STOPPED'`).
 *
 * @example
 * ```ts
 * const scheduler = new Scheduler();
 * try {
 *   scheduler.onceAfter(1, job);
 * } catch (e) {
 *   if (e instanceof SchedulerStateError) scheduler.start(); // e.code === 'ERR_SCHEDULER_NOT_STARTED'
 * }
 * ```
 */
export class SchedulerStateError extends RaspimonError {}

/**
 * A cron pattern croner cannot parse, or one that never matches (e.g. `0 0 30 2 *`),
 * or a time zone that is not an IANA name. `code: 'ERR_INVALID_CRON'`; also
 * `instanceof RangeError`.
 *
 * @example
 * ```ts
 * try {
 *   scheduler.repeatCron('61 * * * *', job);
 * } catch (e) {
 *   if (e instanceof CronPatternError) console.error(e.message);
 * }
 * ```
 */
export class CronPatternError extends RaspimonRangeError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_INVALID_CRON', message, options);
  }
}
