import { Cron } from 'croner';
import { CronPatternError } from './errors.js';

// croner used as a pure parser: no callback, so no timer of its own. One instance per
// pattern + zone, shared by every Scheduler (patterns are few, instances immutable).
const cache = new Map<string, Cron>();

/**
 * The cached croner instance for `pattern` in `timeZone` (undefined: the process's
 * local zone). Throws {@link CronPatternError} for a bad pattern or zone, or a pattern
 * that never matches.
 */
export function cronFor(pattern: string, timeZone: string | undefined): Cron {
  const key = `${timeZone ?? ''}\u0000${pattern}`;
  const cached = cache.get(key);
  if (cached) return cached;
  let cron: Cron;
  try {
    cron = timeZone === undefined ? new Cron(pattern) : new Cron(pattern, { timezone: timeZone });
    // A bad zone only surfaces when a date is computed; a pattern like `0 0 30 2 *`
    // parses but never matches. Both are the caller's mistake: report them now.
    if (cron.nextRun() === null) {
      throw new Error('it never matches a date');
    }
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new CronPatternError(
      `Invalid cron pattern ${JSON.stringify(pattern)}${timeZone === undefined ? '' : ` in time zone ${JSON.stringify(timeZone)}`}: ${reason}. ` +
        `Use 5 fields (minute hour day-of-month month day-of-week) or 6 with seconds first, e.g. '0 8 * * *', and an IANA zone such as 'Europe/Berlin'.`,
      { cause: error },
    );
  }
  cache.set(key, cron);
  return cron;
}

/** The first run of `cron` strictly after `afterMs` (epoch ms), or null if none. */
export function nextCronRun(cron: Cron, afterMs: number): number | null {
  const next = cron.nextRun(new Date(afterMs));
  return next === null ? null : next.getTime();
}

/** The last run of `cron` strictly before `beforeMs` (epoch ms), or null if none. */
export function previousCronRun(cron: Cron, beforeMs: number): number | null {
  const previous = cron.previousRuns(1, new Date(beforeMs))[0];
  return previous === undefined ? null : previous.getTime();
}
