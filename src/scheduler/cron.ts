import { Cron } from 'croner';
import { CronPatternError } from './errors.js';

/**
 * A parsed cron pattern in one time zone, with the last answer of
 * {@link nextCronRun} remembered: jobs that share a pattern (and each re-planning of one
 * job) mostly ask the same question again, and croner's search costs microseconds.
 */
export interface CronRule {
  /** croner used as a pure parser: no callback, so no timer of its own. */
  readonly cron: Cron;
  /** The last asked "after" time (epoch ms) and its answer. */
  askedMs: number;
  answerMs: number;
}

// One rule per pattern + zone, shared by every Scheduler (patterns are few and the
// parsed form is immutable).
const cache = new Map<string, CronRule>();

/**
 * The cached rule for `pattern` in `timeZone` (undefined: the process's local zone).
 * Throws {@link CronPatternError} for a bad pattern or zone, or a pattern that never
 * matches (e.g. `0 0 30 2 *`).
 */
export function cronFor(pattern: string, timeZone: string | undefined): CronRule {
  const key = `${timeZone ?? ''}\u0000${pattern}`;
  const cached = cache.get(key);
  if (cached) return cached;
  let cron: Cron;
  try {
    cron = timeZone === undefined ? new Cron(pattern) : new Cron(pattern, { timezone: timeZone });
    // A bad zone only surfaces when a date is computed, and a never-matching pattern
    // parses fine: both are the caller's mistake, so find out now.
    if (cron.nextRun() === null) throw new Error('it never matches a date');
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).replace(/[.\s]+$/, '');
    const zone = timeZone === undefined ? '' : ` in time zone ${JSON.stringify(timeZone)}`;
    const fix =
      reason === 'it never matches a date'
        ? 'Check the day and month fields (e.g. 30 February never comes).'
        : "Use 5 fields (minute hour day-of-month month day-of-week) or 6 with seconds first, e.g. '0 8 * * *', and an IANA zone such as 'Europe/Berlin'.";
    throw new CronPatternError(`Invalid cron pattern ${JSON.stringify(pattern)}${zone}: ${reason}. ${fix}`, {
      cause: error,
    });
  }
  const rule: CronRule = { cron, askedMs: NaN, answerMs: NaN };
  cache.set(key, rule);
  return rule;
}

/**
 * The first run of `rule` strictly after `afterMs` (epoch ms), or null if none.
 *
 * croner answers with the first match at or after the next whole second following the
 * asked time; so if nothing matches between an earlier asked time and its answer, every
 * time in between has that same answer, and the remembered one is returned.
 */
export function nextCronRun(rule: CronRule, afterMs: number): number | null {
  if (afterMs >= rule.askedMs && afterMs < rule.answerMs) return rule.answerMs;
  const next = rule.cron.nextRun(new Date(afterMs));
  rule.askedMs = afterMs;
  rule.answerMs = next === null ? NaN : next.getTime();
  return next === null ? null : rule.answerMs;
}

/** The last run of `rule` strictly before `beforeMs` (epoch ms), or null if none. */
export function previousCronRun(rule: CronRule, beforeMs: number): number | null {
  const previous = rule.cron.previousRuns(1, new Date(beforeMs))[0];
  return previous === undefined ? null : previous.getTime();
}
