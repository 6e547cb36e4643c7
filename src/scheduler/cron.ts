import { Cron } from 'croner';
import { describeError } from '../internal/index.js';
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

const SYNTAX_FIX =
  "Use 5 fields (minute hour day-of-month month day-of-week) or 6 with seconds first, e.g. '0 8 * * *', and an IANA zone such as 'Europe/Berlin'.";
const NEVER_FIX = 'Check the day and month fields (e.g. 30 February never comes).';

function invalid(
  pattern: string,
  timeZone: string | undefined,
  reason: string,
  fix: string,
  cause?: unknown,
) {
  const zone = timeZone === undefined ? '' : ` in time zone ${JSON.stringify(timeZone)}`;
  const message = `Invalid cron pattern ${JSON.stringify(pattern)}${zone}: ${reason.replace(/[.\s]+$/, '')}. ${fix}`;
  return new CronPatternError(message, cause === undefined ? undefined : { cause });
}

/** Parses `pattern` in `timeZone`; throws {@link CronPatternError} for a bad one. */
function parse(pattern: string, timeZone: string | undefined): CronRule {
  let cron: Cron;
  let first: Date | null;
  try {
    cron = timeZone === undefined ? new Cron(pattern) : new Cron(pattern, { timezone: timeZone });
    // A bad zone only surfaces when a date is computed, and a never-matching pattern
    // parses fine: both are the caller's mistake, so find out now.
    first = cron.nextRun();
  } catch (error) {
    throw invalid(pattern, timeZone, describeError(error), SYNTAX_FIX, error);
  }
  if (first === null) throw invalid(pattern, timeZone, 'it never matches a date', NEVER_FIX);
  return { cron, askedMs: NaN, answerMs: NaN };
}

// The one cache: rules by zone, then by pattern, shared by every Scheduler (patterns are
// few and a parsed rule is immutable apart from its remembered answer).
const zones = new Map<string | undefined, CronRules>();

/**
 * The parsed cron patterns of one time zone (undefined: the process's local zone), each
 * parsed once and shared by every Scheduler in that zone. A Scheduler keeps its zone's
 * instance, so scheduling a cron job looks the pattern up in one Map.
 */
export class CronRules {
  readonly #byPattern = new Map<string, CronRule>();

  private constructor(readonly timeZone: string | undefined) {}

  /** The rules of `timeZone`; throws {@link CronPatternError} for a zone that is not an IANA name. */
  static of(timeZone: string | undefined): CronRules {
    let rules = zones.get(timeZone);
    if (rules === undefined) {
      const created = new CronRules(timeZone);
      created.get('* * * * *'); // throws CronPatternError for an unknown zone, now
      zones.set(timeZone, created);
      rules = created;
    }
    return rules;
  }

  /** The rule for `pattern` if it was parsed before, else undefined. */
  cached(pattern: string): CronRule | undefined {
    return this.#byPattern.get(pattern);
  }

  /**
   * The rule for `pattern`, parsed on first use. Throws {@link CronPatternError} for a bad
   * pattern or one that never matches (e.g. `0 0 30 2 *`).
   */
  get(pattern: string): CronRule {
    let rule = this.#byPattern.get(pattern);
    if (rule === undefined) {
      rule = parse(pattern, this.timeZone);
      this.#byPattern.set(pattern, rule);
    }
    return rule;
  }
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
