// The newest stored reading of a namespace, kept in a one-document `status` collection so
// a fleet watchdog can read it cheaply: on FerretDB v1 every sort over `readings` is a full
// scan (seconds at 50,000 readings), while a one-document collection answers in
// milliseconds. Written at most once per interval, off the hot path, and a trailing write
// makes the last reading before a silence count. Every write bumps `writes`, so a watchdog
// judges silence by arrival (the counter moved), not by the newest `ts` ever seen: a Pi whose
// clock once ran a day ahead must still be seen alive, and dead, after its clock is fixed.
import type { Db } from 'mongodb';
import type { MonitorScheduler } from '../types.js';

/**
 * Collection and `_id` of the heartbeat document: `{ _id: 'readings', newestTs: Date,
 * updatedAt: Date, writes: number }`; `newestTs` is the newest `ts` stored since the previous
 * write, `writes` counts the writes.
 */
export const heartbeatCollection = 'status';
export const heartbeatId = 'readings';

export class FleetHeartbeat {
  /** Newest ts stored since the last write; -Infinity when nothing was stored since. */
  private newestMs = -Infinity;
  /**
   * The pause after a write (an onceAfter job: monotonic time, so a wall-clock step can
   * neither stall nor hurry the heartbeat); readings stored meanwhile are written when it ends.
   */
  private cooldown: string | undefined;
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
      if (newest === -Infinity) return;
      this.newestMs = newest;
      if (this.cooldown === undefined && !this.writing && !this.stopped) void this.write();
    };
  }

  private async write(): Promise<void> {
    const newest = this.newestMs;
    if (newest === -Infinity || this.stopped || this.writing) return;
    this.newestMs = -Infinity;
    this.writing = true;
    const at = this.scheduler.now();
    try {
      const db = await this.db();
      await db
        .collection<{ _id: string }>(heartbeatCollection)
        .updateOne(
          { _id: heartbeatId },
          { $set: { newestTs: new Date(newest), updatedAt: new Date(at) }, $inc: { writes: 1 } },
          { upsert: true },
        );
    } catch {
      // The database is down: the readings are spooled; written again after the pause.
      this.newestMs = Math.max(this.newestMs, newest);
    } finally {
      this.writing = false;
    }
    if (this.stopped) return;
    this.cooldown = this.scheduler.onceAfter(this.intervalSeconds, () => {
      this.cooldown = undefined;
      return this.write();
    });
  }

  /** Cancels the pending write. */
  stop(): void {
    this.stopped = true;
    if (this.cooldown !== undefined) this.scheduler.remove(this.cooldown);
    this.cooldown = undefined;
  }
}
