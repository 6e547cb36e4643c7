// The newest stored reading of a namespace, kept in a one-document `status` collection so
// a fleet watchdog can read it cheaply: on FerretDB v1 every sort over `readings` is a full
// scan (seconds at 50,000 readings), while a one-document collection answers in
// milliseconds. Written at most once per interval, off the hot path, and a trailing write
// makes the last reading before a silence count.
import type { Db } from 'mongodb';
import type { MonitorScheduler } from '../types.js';

/** Collection and `_id` of the heartbeat document: `{ _id: 'readings', newestTs: Date, updatedAt: Date }`. */
export const heartbeatCollection = 'status';
export const heartbeatId = 'readings';

export class FleetHeartbeat {
  private newestMs = -Infinity;
  private writtenMs = -Infinity;
  private lastWriteAt = -Infinity;
  private job: string | undefined;
  private stopped = false;
  private writing = false;

  /** Pass to the writer's stored-readings listeners. */
  readonly listener: (readings: ReadonlyArray<{ readonly tsMs: number }>) => void;

  constructor(
    private readonly scheduler: MonitorScheduler,
    private readonly db: () => Promise<Db>,
    private readonly intervalSeconds = 60,
  ) {
    this.listener = (readings) => {
      let newest = this.newestMs;
      for (const r of readings) if (r.tsMs > newest) newest = r.tsMs;
      if (newest <= this.newestMs) return;
      this.newestMs = newest;
      this.plan();
    };
  }

  private plan(): void {
    if (this.job !== undefined || this.writing || this.stopped) return;
    const waitMs = this.lastWriteAt + this.intervalSeconds * 1000 - this.scheduler.now();
    if (waitMs <= 0) void this.write();
    else this.job = this.scheduler.onceAfter(waitMs / 1000, () => this.write());
  }

  private async write(): Promise<void> {
    this.job = undefined;
    const newest = this.newestMs;
    if (newest <= this.writtenMs || this.stopped || this.writing) return;
    this.writing = true;
    this.lastWriteAt = this.scheduler.now();
    try {
      const db = await this.db();
      await db
        .collection<{ _id: string }>(heartbeatCollection)
        .updateOne(
          { _id: heartbeatId },
          { $set: { newestTs: new Date(newest), updatedAt: new Date(this.lastWriteAt) } },
          { upsert: true },
        );
      this.writtenMs = Math.max(this.writtenMs, newest);
    } catch {
      // The database is down: the readings are spooled, and so is this; the next batch retries.
    } finally {
      this.writing = false;
    }
    if (this.newestMs > this.writtenMs) this.plan();
  }

  /** Cancels the pending write. */
  stop(): void {
    this.stopped = true;
    if (this.job !== undefined) this.scheduler.remove(this.job);
    this.job = undefined;
  }
}
