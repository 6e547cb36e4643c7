// The `retention` option: how long each resolution is kept. `retentionDays` (0.1) stays
// an alias of `retention.rawDays`.
import { RaspimonRangeError, RaspimonTypeError } from '../../errors.js';
import { checkPositive, describeValue, isPlainObject } from '../../internal/index.js';

/** Days to keep per resolution; a resolution left out is kept forever. */
export interface RetentionOptions {
  /**
   * Delete raw readings older than this many days (checked hourly). At least 1: the
   * in-memory 24 h and a recomputation after a crash read them.
   * @default undefined (kept)
   */
  rawDays?: number;
  /**
   * Delete `readings_hourly` buckets older than this many days.
   * @default undefined (kept)
   */
  hourlyDays?: number;
  /**
   * Delete `readings_daily` buckets older than this many days.
   * @default undefined (kept)
   */
  dailyDays?: number;
}

/** Resolved retention, in days (undefined: kept). */
export interface ResolvedRetention {
  rawDays: number | undefined;
  hourlyDays: number | undefined;
  dailyDays: number | undefined;
}

/** Validates `options.retention` and the `options.retentionDays` alias. */
export function resolveRetention(retention: unknown, retentionDays: unknown): ResolvedRetention {
  if (retention !== undefined && !isPlainObject(retention))
    throw new RaspimonTypeError(
      'ERR_INVALID_ARG_TYPE',
      `options.retention must be an object like { rawDays: 30, hourlyDays: 365 }, got ${describeValue(retention)}`,
    );
  const given: Record<string, unknown> = retention ?? {};
  const days = (name: string, value: unknown): number | undefined =>
    value === undefined ? undefined : checkPositive(name, value, { unit: 'days' });
  let rawDays = days('options.retention.rawDays', given.rawDays);
  const alias = days('options.retentionDays', retentionDays);
  if (alias !== undefined && rawDays !== undefined && alias !== rawDays)
    throw new RaspimonRangeError(
      'ERR_OUT_OF_RANGE',
      `options.retentionDays (${alias}) and options.retention.rawDays (${rawDays}) disagree; give only retention.rawDays`,
    );
  rawDays ??= alias;
  if (rawDays !== undefined && rawDays < 1)
    throw new RaspimonRangeError(
      'ERR_OUT_OF_RANGE',
      `options.retention.rawDays must be at least 1 day (the last 24 h are answered from memory and recomputed from raw), got ${rawDays}`,
    );
  return {
    rawDays,
    hourlyDays: days('options.retention.hourlyDays', given.hourlyDays),
    dailyDays: days('options.retention.dailyDays', given.dailyDays),
  };
}
