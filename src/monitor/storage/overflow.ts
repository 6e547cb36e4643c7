// The writer's overflow-and-loss policy: how many readings memory holds, which ones go when it
// overflows (the oldest, amortised), and how the two losses — spool thinning at its byte limit
// or on a full disk, and memory drops when the spool cannot take readings — are reported: each
// is a persistent condition, reported once when it begins and once, with counts, when it ends —
// and counted, in the writer's stats.
import type { PendingReading } from './spool.js';
import type { MonitorLogger } from '../types.js';

/** Most readings held in memory: `memoryLimit` plus one batch being written. */
export function memoryCap(settings: { memoryLimit: number; batchSize: number }): number {
  return settings.memoryLimit + settings.batchSize;
}

/**
 * Drops the oldest queued readings down to `memoryLimit` (one splice, not one by one) and
 * returns how many went. The batch in flight is not in `queue`: it may be stored yet.
 */
export function dropOldest(queue: PendingReading[], memoryLimit: number): number {
  const excess = queue.length - memoryLimit;
  return excess > 0 ? queue.splice(0, excess).length : 0;
}

/** The writer's counts of lost readings (its stats), which a {@link LossReport} adds to. */
export interface LossCounts {
  /** Thinned out of or dropped from the spool. */
  spoolDropped: number;
  /** Dropped from memory. */
  memoryDropped: number;
}

/**
 * The two loss conditions of the writer, each reported once when it begins and when it ends,
 * every lost reading counted in `counts`.
 */
export class LossReport {
  private spoolLoss: { thinned: number; dropped: number } | undefined;
  private memoryLoss: { dropped: number; reason: string } | undefined;

  constructor(
    private readonly logger: MonitorLogger,
    private readonly counts: LossCounts,
  ) {}

  /** Readings are being dropped from memory now. */
  get droppingFromMemory(): boolean {
    return this.memoryLoss !== undefined;
  }

  /** `dropped` readings left memory because of `reason` (at most `cap` are held). */
  memoryLost(dropped: number, reason: string, cap: number): void {
    this.counts.memoryDropped += dropped;
    if (this.memoryLoss) {
      this.memoryLoss.dropped += dropped;
      return;
    }
    this.memoryLoss = { dropped, reason };
    this.logger.alert(
      `readings writer: ${reason}; readings stay in memory, at most ${cap}, the oldest dropped beyond that; reported once, with counts when it ends`,
    );
  }

  /** The spool thinned or dropped readings to stay within `limitBytes` or the disk of `dir`. */
  spoolLost(thinned: number, dropped: number, spool: { limitBytes: number; dir: string }): void {
    this.counts.spoolDropped += thinned + dropped;
    if (this.spoolLoss) {
      this.spoolLoss.thinned += thinned;
      this.spoolLoss.dropped += dropped;
      return;
    }
    this.spoolLoss = { thinned, dropped };
    this.logger.error(
      `readings spool: full (limit ${spool.limitBytes} bytes, or the disk of ${spool.dir}); thinning the oldest readings to keep the newest; reported once, with counts when the spool is empty again`,
    );
  }

  /** Memory drops ended: readings are stored or spooled again (`now`), or the writer stops. */
  memoryLossEnded(when: 'now' | 'at stop'): void {
    const loss = this.memoryLoss;
    if (!loss) return;
    this.memoryLoss = undefined;
    this.logger.warning(
      `readings writer: ${when === 'now' ? 'readings are stored or spooled again' : 'stopping'}; ${loss.dropped} reading(s) were dropped from memory since: ${loss.reason}`,
    );
  }

  /** The spool is empty again (`spoolSize` 0): its loss, if any, ended. */
  spoolLossEnded(spoolSize: number): void {
    if (this.spoolLoss && spoolSize === 0) {
      const { thinned, dropped } = this.spoolLoss;
      this.spoolLoss = undefined;
      this.logger.warning(
        `readings spool: drained; while it was full ${thinned} reading(s) were thinned out and ${dropped} dropped with the oldest segments`,
      );
    }
  }

  /** The writer stops with `lost` readings that neither the database nor the spool took. */
  lostAtStop(lost: number): void {
    this.counts.memoryDropped += lost;
    this.logger.alert(
      `readings writer: stopping with the database unreachable and the spool unwritable; ${lost} reading(s) are lost`,
    );
  }

  /** The writer stops while the spool is still full: what it lost so far. */
  stoppingWhileSpoolFull(): void {
    if (!this.spoolLoss) return;
    const { thinned, dropped } = this.spoolLoss;
    this.logger.warning(
      `readings spool: stopping while full; so far ${thinned} reading(s) were thinned out and ${dropped} dropped with the oldest segments`,
    );
  }
}
