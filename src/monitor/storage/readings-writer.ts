// Batches readings into unordered insertMany calls with client-side _ids. While the
// database is down, readings wait in memory up to `memoryLimit`, then go to the spool;
// on recovery the spool is replayed first (oldest segment first), then memory, so the
// order is kept. A replay after an ambiguous failure re-sends the same _ids: the
// duplicate-key errors it gets back mean "already stored" and are not counted twice.
//
// Memory is bounded in every state: at most `memoryLimit + batchSize` readings wait here.
// When the spool cannot take them (disk full with nothing left to thin, a read-only state
// dir) the oldest in memory are dropped. This file keeps the one queue, its order and its
// bound; what changes for other reasons lives beside it: the insert and its outcomes
// (insert-batch.ts), the database's state and the retry policy (write-outcomes.ts), a spool
// segment's replay (spool-replay.ts), the loss policy and its reports (overflow.ts), the
// stored-readings hand-off (stored-listeners.ts), the scheduler jobs (writer-jobs.ts), the
// settings and the counters (writer-settings.ts, writer-stats.ts).
import { describeError } from '../../internal/index.js';
import type { Collection } from 'mongodb';
import type { MongoModule } from '../peers.js';
import { insertBatch, OidSource } from './insert-batch.js';
import { dropOldest, LossReport, memoryCap } from './overflow.js';
import type { PendingReading, Spool } from './spool.js';
import { replaySegment } from './spool-replay.js';
import { StoredListeners, type StoredListener } from './stored-listeners.js';
import { OneShotJob, withinSchedulerTime } from './writer-jobs.js';
import { WriteOutcomes } from './write-outcomes.js';
import type { WriterSettings } from './writer-settings.js';
import type { WriterCounters, WriterStats } from './writer-stats.js';
import type { MonitorLogger, MonitorScheduler } from '../types.js';

// The writer's types, declared beside their job, are imported from here by the Monitor.
export { writerRetry, type WriterSettings } from './writer-settings.js';
export { emptyWriterStats, type WriterStats } from './writer-stats.js';
export type { StoredListener, StoredReading } from './stored-listeners.js';

export class ReadingsWriter {
  private queue: PendingReading[] = [];
  private inFlight: PendingReading[] = [];
  private draining: Promise<void> | undefined;
  /** A spill started by push() while the drain waits on the database. */
  private spilling: Promise<void> | undefined;
  /** Sends a partial batch once flushSeconds have passed. */
  private readonly flushJob: OneShotJob;
  /** The next attempt after a failed one, on the backoff curve. */
  private readonly retryJob: OneShotJob;
  /** The database's state as the inserts find it, the retry backoff, the counters. */
  private readonly outcomes: WriteOutcomes;
  /** Spills under way (their readings are neither in memory nor counted in the spool). */
  private spills = 0;
  private closing = false;
  private seq: number;
  private readonly counters: WriterCounters = {
    written: 0,
    duplicates: 0,
    dropped: 0,
    spoolDropped: 0,
    memoryDropped: 0,
  };
  /** The ongoing loss conditions, reported when each begins and ends. */
  private readonly losses: LossReport;
  private readonly storedListeners: StoredListeners;
  /** Callers of room() waiting for a spill or an insert to settle. */
  private roomWaiters: Array<() => void> = [];
  private readonly oids = new OidSource();

  constructor(
    private readonly mongo: MongoModule,
    private readonly collection: () => Promise<Collection>,
    private readonly spool: Spool,
    private readonly scheduler: MonitorScheduler,
    private readonly logger: MonitorLogger,
    private readonly settings: WriterSettings,
    /** Live set, as the intake's. */
    listeners: ReadonlySet<StoredListener> = new Set(),
  ) {
    this.flushJob = new OneShotJob(scheduler);
    this.retryJob = new OneShotJob(scheduler);
    this.losses = new LossReport(logger, this.counters);
    this.storedListeners = new StoredListeners(listeners, logger);
    // Continues after what the spool holds, so replay order stays arrival order.
    this.seq = Math.max(spool.lastSeq, scheduler.now() * 1000);
    this.outcomes = new WriteOutcomes(settings, logger, this.counters);
  }

  /** Most readings held in memory: `memoryLimit` plus one batch being written. */
  private get memoryCap(): number {
    return memoryCap(this.settings);
  }

  /** Queues one validated reading; no I/O on the caller's tick. */
  push(id: number, keyId: number, value: number, tsMs: number): void {
    this.queue.push({
      seq: this.seq++,
      oid: this.oids.next(),
      id,
      keyId,
      value,
      tsMs,
    });
    // Memory holds memoryLimit readings while the database is down or busy; beyond, they go to disk.
    if (
      !this.closing &&
      this.queue.length >= this.settings.memoryLimit &&
      (this.outcomes.databaseDown || (this.draining && this.queue.length >= this.settings.batchSize))
    )
      this.spillSoon();
    if (this.queue.length + this.inFlight.length > this.memoryCap)
      this.dropOldest(
        this.outcomes.databaseDown
          ? 'readings arrive faster than they can be spooled while the database is down'
          : 'readings arrive faster than the database stores them',
      );
    if (this.closing) return;
    if (
      this.queue.length >= this.settings.batchSize ||
      (this.outcomes.databaseDown && this.queue.length >= this.settings.memoryLimit)
    )
      this.kick();
    else if (!this.flushJob.pending && !this.retryJob.pending)
      this.flushJob.plan(this.settings.flushSeconds, () => this.kick());
  }

  /**
   * How many readings push() takes now without dropping any. When none: a promise that
   * settles at the next progress (a spill or an insert settled), after starting a spill if
   * one can free memory. When nothing under way could make room (the spool cannot be
   * written, or closing), a large number: push() then drops the oldest, counted.
   */
  room(): number | Promise<void> {
    const free = this.memoryCap - this.queue.length - this.inFlight.length;
    if (free > 0) return free;
    if (this.closing || this.losses.droppingFromMemory) return Number.MAX_SAFE_INTEGER;
    if (!this.spilling && (this.outcomes.databaseDown || this.draining)) this.spillSoon();
    else if (!this.spilling && !this.draining) this.kick();
    if (!this.spilling && !this.draining) return Number.MAX_SAFE_INTEGER;
    return new Promise((resolve) => this.roomWaiters.push(resolve));
  }

  private progressed(): void {
    if (this.roomWaiters.length === 0) return;
    for (const resolve of this.roomWaiters.splice(0)) resolve();
  }

  /**
   * Earliest `ts` (epoch ms) of a reading accepted but not stored yet (the rollups hold
   * its hour open): `-Infinity` while the spool holds readings or a spill is under way,
   * undefined when nothing waits.
   */
  oldestPendingMs(): number | undefined {
    if (this.spool.size > 0 || this.spills > 0) return -Infinity;
    let oldest = Infinity;
    for (const r of this.inFlight) if (r.tsMs < oldest) oldest = r.tsMs;
    for (const r of this.queue) if (r.tsMs < oldest) oldest = r.tsMs;
    return oldest === Infinity ? undefined : oldest;
  }

  stats(): WriterStats {
    return {
      ...this.counters,
      queued: this.queue.length + this.inFlight.length,
      writing: this.inFlight.length,
      spooled: this.spool.size,
      spoolBytes: this.spool.bytes,
      databaseDown: this.outcomes.databaseDown,
    };
  }

  /** Spills memory to the spool now, without waiting for the drain's attempt to fail. */
  private spillSoon(): void {
    if (this.spilling) return;
    this.spilling = this.spillQueue().finally(() => {
      this.spilling = undefined;
      this.progressed();
    });
  }

  /** Starts writing now (replays the spool first); also after a start with a non-empty spool. */
  kick(): void {
    if (this.draining) return;
    this.draining = this.drain().finally(() => {
      this.draining = undefined;
      this.progressed();
    });
  }

  /** Writes everything that can be written now; resolves true when nothing is left. */
  async flush(): Promise<boolean> {
    await this.draining;
    this.retryJob.cancel();
    this.kick();
    await this.draining;
    return this.queue.length === 0 && this.spool.size === 0;
  }

  /**
   * Stops writing: tries to flush for up to `deadlineMs` (scheduler time) unless the database
   * is known to be down, then spools whatever is left, so the next start replays it.
   */
  async close(deadlineMs: number): Promise<void> {
    this.flushJob.cancel();
    this.retryJob.cancel();
    if (!this.outcomes.databaseDown) {
      this.kick();
      await withinSchedulerTime(this.scheduler, this.draining, deadlineMs);
    }
    this.closing = true;
    this.progressed();
    await this.spilling;
    // An insert still in flight may or may not land: spool it too; its _ids make a replay idempotent.
    const left = [...this.inFlight, ...this.queue];
    this.queue = [];
    this.inFlight = [];
    if (left.length > 0 && !(await this.spill(left))) this.losses.lostAtStop(left.length);
    // A spill the drain had begun must be on disk before the process may exit.
    await withinSchedulerTime(this.scheduler, this.draining, deadlineMs);
    this.losses.memoryLossEnded('at stop');
    this.losses.stoppingWhileSpoolFull();
  }

  private async drain(): Promise<void> {
    this.flushJob.cancel();
    for (;;) {
      if (this.closing) return;
      if (this.outcomes.databaseDown && this.queue.length >= this.settings.memoryLimit)
        await this.spillQueue();
      const segment = this.spool.oldest();
      if (segment === undefined) this.losses.spoolLossEnded(this.spool.size);
      if (segment !== undefined) {
        const replayed = await replaySegment(segment, {
          spool: this.spool,
          logger: this.logger,
          batchSize: this.settings.batchSize,
          insert: (batch) => this.insert(batch),
          closing: () => this.closing,
        });
        if (!replayed) {
          await this.spillQueue();
          return this.failed();
        }
        continue;
      }
      if (this.queue.length === 0) return;
      this.inFlight = this.queue.splice(0, this.settings.batchSize);
      const ok = await this.insert(this.inFlight);
      if (this.closing) return;
      if (!ok) {
        this.requeue(this.inFlight);
        this.inFlight = [];
        // Spool now so a crash during the outage loses at most what arrives until the next attempt.
        await this.spillQueue();
        return this.failed();
      }
      this.inFlight = [];
    }
  }

  private failed(): void {
    this.retryJob.plan(this.outcomes.nextRetrySeconds(), () => this.kick());
  }

  /** One unordered insertMany; true when every reading is stored (now or before). */
  private async insert(batch: readonly PendingReading[]): Promise<boolean> {
    if (batch.length === 0) return true;
    try {
      const timeoutMs = this.settings.insertTimeoutMs ?? 30_000;
      const outcome = await insertBatch({ mongo: this.mongo, collection: this.collection, timeoutMs }, batch);
      const settled = this.outcomes.settle(batch.length, outcome, () => this.spool.size + this.queue.length);
      if (settled === 'stored') this.stored(batch);
      return settled !== 'failed';
    } finally {
      this.progressed();
    }
  }

  /** After a stored insert: the memory loss may be over; the listeners get the batch. */
  private stored(batch: readonly PendingReading[]): void {
    if (this.losses.droppingFromMemory && this.queue.length < this.settings.memoryLimit)
      this.losses.memoryLossEnded('now');
    this.storedListeners.notify(batch);
  }

  /**
   * Puts readings that could not be written or spooled back in front of the queue, keeping
   * arrival order (a concurrent spill or insert may have put newer ones back first), so the
   * oldest are the ones a memory drop takes.
   */
  private requeue(front: PendingReading[]): void {
    if (front.length === 0) return;
    const unordered = this.queue.length > 0 && this.queue[0]!.seq < front.at(-1)!.seq;
    this.queue = front.concat(this.queue);
    if (unordered) this.queue.sort((a, b) => a.seq - b.seq);
  }

  private async spillQueue(): Promise<void> {
    const readings = this.queue;
    this.queue = [];
    if (!(await this.spill(readings))) {
      this.requeue(readings);
      if (this.queue.length + this.inFlight.length > this.memoryCap)
        this.dropOldest('the spool cannot take readings');
    }
    this.progressed();
  }

  private async spill(readings: PendingReading[]): Promise<boolean> {
    this.spills++;
    try {
      const loss = await this.spool.append(readings);
      if (loss.thinned + loss.dropped > 0) this.losses.spoolLost(loss.thinned, loss.dropped, this.spool);
      if (this.losses.droppingFromMemory) this.losses.memoryLossEnded('now');
      return true;
    } catch (error) {
      this.losses.memoryLost(
        0,
        `the spool in ${this.spool.dir} cannot be written (${describeError(error)})`,
        this.memoryCap,
      );
      return false;
    } finally {
      this.spills--;
    }
  }

  /** Drops the oldest queued readings down to `memoryLimit`; the batch in flight is left alone. */
  private dropOldest(reason: string): void {
    this.losses.memoryLost(dropOldest(this.queue, this.settings.memoryLimit), reason, this.memoryCap);
  }
}
