/**
 * Severity of a record, from least to most severe. ALERT is something very bad;
 * ERROR is bad but recoverable (seed).
 *
 * @example
 * ```ts
 * logger.config(Level.INFO, Schedule.DAILY);
 * ```
 */
export const Level = {
  /** Detail for debugging; silent by default. */
  DEBUG: 'DEBUG',
  /** Normal events; in the daily digest by default. */
  INFO: 'INFO',
  /** Something unexpected but harmless so far; mailed at once by default. */
  WARNING: 'WARNING',
  /** Bad but recoverable; mailed at once by default. */
  ERROR: 'ERROR',
  /** Something very bad that needs a person; mailed at once by default. */
  ALERT: 'ALERT',
} as const;
export type Level = (typeof Level)[keyof typeof Level];

/**
 * When the daemon mails a record: never, in the daily or weekly digest, or at once
 * (grouped within `groupWait`, rate-limited by `maxInstantMails` per `groupInterval`).
 *
 * @example
 * ```ts
 * logger.config(logger.levels.WARNING, logger.schedule.INSTANTANEOUSLY);
 * ```
 */
export const Schedule = {
  /** Never mailed: the client drops the record without sending it to the daemon. */
  SILENTLY: 'SILENTLY',
  /** Collected into the daily digest (cron option `daily`, default 08:00). */
  DAILY: 'DAILY',
  /** Collected into the weekly digest (cron option `weekly`, default Monday 08:00). */
  WEEKLY: 'WEEKLY',
  /** Mailed at once, grouped with records arriving together and rate-limited. */
  INSTANTANEOUSLY: 'INSTANTANEOUSLY',
} as const;
export type Schedule = (typeof Schedule)[keyof typeof Schedule];

/** Levels in increasing severity; the index is the rank. */
export const LEVELS: readonly Level[] = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'ALERT'];
export const SCHEDULES: readonly Schedule[] = ['SILENTLY', 'DAILY', 'WEEKLY', 'INSTANTANEOUSLY'];

/** 0 (DEBUG) .. 4 (ALERT); -1 for anything that is not a level. */
export function levelRank(level: string): number {
  return (LEVELS as readonly string[]).indexOf(level);
}

// Not `level in {...}`: "__proto__", "constructor" and "toString" are in every object.
export function isLevel(value: unknown): value is Level {
  return typeof value === 'string' && (LEVELS as readonly string[]).includes(value);
}

export function isSchedule(value: unknown): value is Schedule {
  return typeof value === 'string' && (SCHEDULES as readonly string[]).includes(value);
}

/** The seed's defaults: DEBUG silent, INFO daily, WARNING/ERROR/ALERT instant. */
export function defaultSchedules(): Record<Level, Schedule> {
  return {
    DEBUG: 'SILENTLY',
    INFO: 'DAILY',
    WARNING: 'INSTANTANEOUSLY',
    ERROR: 'INSTANTANEOUSLY',
    ALERT: 'INSTANTANEOUSLY',
  };
}
