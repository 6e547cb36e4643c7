// Retention of the rollup collections: buckets older than the configured days are deleted
// (checked hourly with the raw readings' retention). A failure is warned and retried then.
import type { Collection } from 'mongodb';
import { describeError } from '../../../internal/index.js';
import type { MonitorLogger } from '../../types.js';
import { dayMs } from './recompute.js';

/** Deletes `readings_hourly`/`readings_daily` buckets older than their days (undefined keeps them). */
export async function deleteOldBuckets(
  collection: (name: string) => Promise<Collection>,
  logger: MonitorLogger,
  nowMs: number,
  days: { hourlyDays: number | undefined; dailyDays: number | undefined },
): Promise<void> {
  for (const [name, keep] of [
    ['readings_hourly', days.hourlyDays],
    ['readings_daily', days.dailyDays],
  ] as const) {
    if (keep === undefined) continue;
    try {
      const result = await (
        await collection(name)
      ).deleteMany({ start: { $lt: new Date(nowMs - keep * dayMs) } });
      if (result.deletedCount > 0)
        logger.info(`retention: deleted ${result.deletedCount} ${name} bucket(s) older than ${keep} day(s)`);
    } catch (error) {
      logger.warning(
        `retention: cannot delete old ${name} buckets (${describeError(error)}); will try again`,
      );
    }
  }
}
