// Readings stored after their hour was written (a clock stepped back, a long outage): kept per
// written hour and pair until the next tick adds them by insert-only correction documents, one
// beside the hour's own row (readers merge the rows of a bucket) and one in `readings_daily`
// when that day is written already.
import type { Collection } from 'mongodb';
import type { MonitorLogger } from '../../types.js';
import {
  addReading,
  bucketStartMs,
  mergeInto,
  newAccumulator,
  rollupDocument,
  type Accumulator,
  type RollupDocument,
} from './bucket-math.js';
import { dayMs, insertRollups } from './recompute.js';

interface Correction {
  id: number;
  keyId: number;
  hour: number;
  acc: Accumulator;
}

/** Late readings waiting to be written as corrections; counts them all. */
export class LateCorrections {
  private pending = new Map<string, Correction>();
  private reported = false;
  /** Late readings seen (corrected or older than the rollups' coverage). */
  count = 0;

  constructor(private readonly logger: MonitorLogger) {}

  /** Whether corrections wait to be written. */
  get waiting(): boolean {
    return this.pending.size > 0;
  }

  /** A reading whose hour is written; corrected when its hour is within the coverage. */
  add(r: { id: number; keyId: number; value: number; tsMs: number }, coveredFromMs: number): void {
    this.count++;
    const hour = bucketStartMs(r.tsMs, 3600);
    // Before the rollups' coverage there is no bucket to correct (a rebuild covers those).
    const corrected = hour >= coveredFromMs;
    if (corrected) {
      const key = `${r.id}:${r.keyId}:${hour}`;
      const entry = this.pending.get(key);
      if (entry) addReading(entry.acc, r.value, r.tsMs);
      else this.pending.set(key, { id: r.id, keyId: r.keyId, hour, acc: newAccumulator(r.value, r.tsMs) });
    }
    if (!this.reported) {
      this.reported = true;
      this.logger.warning(
        corrected
          ? `rollups: device ${r.id} key ${r.keyId}: a reading at ${new Date(r.tsMs).toISOString()} was stored after its hour was written (clock stepped back?); such readings are added to their hour and day by correction documents (monitor.stats().rollups.late counts them; reported once)`
          : `rollups: device ${r.id} key ${r.keyId}: a reading at ${new Date(r.tsMs).toISOString()} is older than the rollups cover; it is in the raw readings only (run \`raspimon rollups rebuild\` for that day; reported once)`,
      );
    }
  }

  /**
   * Writes the waiting corrections. The _id is deterministic (the hour, the first late ts and
   * the count), so a retry after a failure does not count twice. `dayWritten(day)` says
   * whether that day's daily bucket is in `readings_daily` already.
   */
  async write(
    collection: (name: string) => Promise<Collection>,
    dayWritten: (day: number) => boolean,
  ): Promise<void> {
    if (this.pending.size === 0) return;
    const taken = this.pending;
    this.pending = new Map();
    const hourly: RollupDocument[] = [];
    const daily: RollupDocument[] = [];
    for (const { id, keyId, hour, acc } of taken.values()) {
      const tag = `late:${acc.firstTs}:${acc.count}`;
      const doc = rollupDocument(id, keyId, hour, acc);
      hourly.push({ ...doc, _id: `${doc._id}:${tag}` });
      const day = bucketStartMs(hour, 86_400);
      if (dayWritten(day)) {
        const dayDoc = rollupDocument(id, keyId, day, acc);
        daily.push({ ...dayDoc, _id: `${dayDoc._id}:${Math.floor(hour / 1000)}:${tag}` });
      }
    }
    try {
      await insertRollups(await collection('readings_hourly'), hourly);
      await insertRollups(await collection('readings_daily'), daily);
    } catch (error) {
      // Retried at the next tick, with what arrived meanwhile merged in (new _ids then).
      for (const [key, entry] of taken) {
        const newer = this.pending.get(key);
        if (newer) mergeInto(entry.acc, newer.acc);
        this.pending.set(key, entry);
      }
      throw error;
    }
  }
}

/** True when a day's hours are all written and its daily bucket is not pending. */
export function dayIsWritten(
  day: number,
  writtenThroughMs: number,
  pendingDays: ReadonlySet<number>,
): boolean {
  return day + dayMs <= writtenThroughMs && !pendingDays.has(day);
}
