// Batches readings into unordered insertMany calls with client-side _ids. While the
// database is down, readings wait in memory up to `memoryLimit`, then go to the spool;
// on recovery the spool is replayed first (oldest segment first), then memory, so the
// order is kept. A replay after an ambiguous failure re-sends the same _ids: the
// duplicate-key errors it gets back mean "already stored" and are not counted twice.
//
// Memory is bounded in every state: at most `memoryLimit + batchSize` readings wait here.
// When the spool cannot take them (disk full with nothing left to thin, a read-only state
// dir) the oldest in memory are dropped. Both losses (spool thinning, memory drops) are
// persistent conditions: reported once when they begin and once, with counts, when they end
// (that policy, and which readings memory drops, live in overflow.ts). (Over 400 lines on
// purpose: memory, spool and database form one ordering and one bound; split apart they would
// have to share the queue and its invariants.)
import type { Collection, Document } from 'mongodb';
import { Backoff, describeError } from '../../internal/index.js';
import type { MongoModule } from '../peers.js';
import { dropOldest, LossReport, memoryCap } from './overflow.js';
import type { PendingReading, Spool } from './spool.js';
import type { MonitorLogger, MonitorScheduler } from '../types.js';

/** Settings of the writer, resolved by the Monitor. */
export interface WriterSettings {
  batchSize: number;
  flushSeconds: number;
  memoryLimit: number;
  retryMinSeconds: number;
  retryMaxSeconds: number;
  /** Jitter source of the retry backoff; a constant in tests. @default Math.random */
  random?: () => number;
}

/**
 * The writer's retry curve from the device retry option: the same doubling, but capped at
 * 1 s first and 10 s max, so the spool drains soon after the server returns.
 */
export function writerRetry(retry: { minSeconds: number; maxSeconds: number }): {
  retryMinSeconds: number;
  retryMaxSeconds: number;
} {
  return { retryMinSeconds: Math.min(retry.minSeconds, 1), retryMaxSeconds: Math.min(retry.maxSeconds, 10) };
}

/** Counters of the writer since start. */
export interface WriterStats {
  /** Readings acknowledged by the database (each counted once). */
  written: number;
  /** Readings a replay found already stored. */
  duplicates: number;
  /** Readings waiting in memory. */
  queued: number;
  /**
   * Readings of the batch being written now (part of `queued`). With `queued` above 0 and
   * this at 0, nothing is on its way to the database until a flush is due (`flushSeconds`,
   * `batchSize`): a test on a `ManualClock` reads "nothing stored" as final, not late.
   */
  writing: number;
  /** Readings waiting in the on-disk spool. */
  spooled: number;
  /** Bytes the on-disk spool takes. */
  spoolBytes: number;
  /** Readings given up after repeated rejection by the server (logged). */
  dropped: number;
  /** Readings thinned out of or dropped from the spool at its byte limit or on a full disk. */
  spoolDropped: number;
  /** Oldest readings dropped from memory because the spool could not take them. */
  memoryDropped: number;
  /** Whether the last write attempt failed. */
  databaseDown: boolean;
}

/** The counters of a writer that never ran. */
export function emptyWriterStats(): WriterStats {
  return {
    written: 0,
    duplicates: 0,
    queued: 0,
    writing: 0,
    spooled: 0,
    spoolBytes: 0,
    dropped: 0,
    spoolDropped: 0,
    memoryDropped: 0,
    databaseDown: false,
  };
}

/** A reading as stored: what {@link StoredListener}s receive. */
export interface StoredReading {
  /** Device id. */
  readonly id: number;
  /** Key of the reading. */
  readonly keyId: number;
  /** The stored integer. */
  readonly value: number;
  /** Epoch ms. */
  readonly tsMs: number;
}

/**
 * Called with each batch once the database holds it (rollups). Within a run each reading
 * is passed once; a reading found already stored by a replay after a crash may have been
 * passed in the previous run too.
 */
export type StoredListener = (readings: readonly StoredReading[]) => void;

const int32Max = 2 ** 31 - 1;
const int32Min = -(2 ** 31);
const maxRejections = 5;

export class ReadingsWriter {
  private queue: PendingReading[] = [];
  private inFlight: PendingReading[] = [];
  private draining: Promise<void> | undefined;
  /** A spill started by push() while the drain waits on the database. */
  private spilling: Promise<void> | undefined;
  private flushJob: string | undefined;
  private retryJob: string | undefined;
  private readonly backoff: Backoff;
  private rejections = 0;
  /** Spills under way (their readings are neither in memory nor counted in the spool). */
  private spills = 0;
  private down = false;
  private closing = false;
  private seq: number;
  private readonly counters = { written: 0, duplicates: 0, dropped: 0, spoolDropped: 0, memoryDropped: 0 };
  /** The ongoing loss conditions, reported when each begins and ends. */
  private readonly losses: LossReport;
  private readonly failedListeners = new WeakSet<StoredListener>();

  constructor(
    private readonly mongo: MongoModule,
    private readonly collection: () => Promise<Collection>,
    private readonly spool: Spool,
    private readonly scheduler: MonitorScheduler,
    private readonly logger: MonitorLogger,
    private readonly settings: WriterSettings,
    /** Live set, as the intake's. */
    private readonly listeners: ReadonlySet<StoredListener> = new Set(),
  ) {
    this.losses = new LossReport(logger);
    // Continues after what the spool holds, so replay order stays arrival order.
    this.seq = Math.max(spool.lastSeq, scheduler.now() * 1000);
    this.backoff = new Backoff({
      minSeconds: settings.retryMinSeconds,
      maxSeconds: settings.retryMaxSeconds,
      random: settings.random,
    });
  }

  /** Most readings held in memory: `memoryLimit` plus one batch being written. */
  private get memoryCap(): number {
    return memoryCap(this.settings);
  }

  /** Queues one validated reading; no I/O on the caller's tick. */
  push(id: number, keyId: number, value: number, tsMs: number): void {
    this.queue.push({
      seq: this.seq++,
      oid: new this.mongo.ObjectId().toHexString(),
      id,
      keyId,
      value,
      tsMs,
    });
    // Memory holds memoryLimit readings while the database is down or busy; beyond, they go to disk.
    if (
      !this.closing &&
      this.queue.length >= this.settings.memoryLimit &&
      (this.down || (this.draining && this.queue.length >= this.settings.batchSize))
    )
      this.spillSoon();
    if (this.queue.length + this.inFlight.length > this.memoryCap)
      this.dropOldest(
        this.down
          ? 'readings arrive faster than they can be spooled while the database is down'
          : 'readings arrive faster than the database stores them',
      );
    if (this.closing) return;
    if (
      this.queue.length >= this.settings.batchSize ||
      (this.down && this.queue.length >= this.settings.memoryLimit)
    )
      this.kick();
    else if (this.flushJob === undefined && this.retryJob === undefined) {
      this.flushJob = this.scheduler.onceAfter(this.settings.flushSeconds, () => {
        this.flushJob = undefined;
        this.kick();
      });
    }
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
      databaseDown: this.down,
    };
  }

  /** Spills memory to the spool now, without waiting for the drain's attempt to fail. */
  private spillSoon(): void {
    if (this.spilling) return;
    this.spilling = this.spillQueue().finally(() => (this.spilling = undefined));
  }

  /** Starts writing now (replays the spool first); also after a start with a non-empty spool. */
  kick(): void {
    if (this.draining) return;
    this.draining = this.drain().finally(() => (this.draining = undefined));
  }

  /** Writes everything that can be written now; resolves true when nothing is left. */
  async flush(): Promise<boolean> {
    await this.draining;
    this.cancelJob('retryJob');
    this.kick();
    await this.draining;
    return this.queue.length === 0 && this.spool.size === 0;
  }

  /**
   * Stops writing: tries to flush for up to `deadlineMs` (scheduler time) unless the database
   * is known to be down, then spools whatever is left, so the next start replays it.
   */
  async close(deadlineMs: number): Promise<void> {
    this.cancelJob('flushJob');
    this.cancelJob('retryJob');
    if (!this.down) {
      this.kick();
      await this.within(this.draining, deadlineMs);
    }
    this.closing = true;
    await this.spilling;
    // An insert still in flight may or may not land: spool it too; its _ids make a replay idempotent.
    const left = [...this.inFlight, ...this.queue];
    this.queue = [];
    this.inFlight = [];
    if (left.length > 0 && !(await this.spill(left))) {
      this.counters.memoryDropped += left.length;
      this.logger.alert(
        `readings writer: stopping with the database unreachable and the spool unwritable; ${left.length} reading(s) are lost`,
      );
    }
    // A spill the drain had begun must be on disk before the process may exit.
    await this.within(this.draining, deadlineMs);
    this.losses.memoryLossEnded('at stop');
    this.losses.stoppingWhileSpoolFull();
  }

  /** Waits for `promise` at most `ms` of scheduler time (not at all if the scheduler stopped). */
  private async within(promise: Promise<unknown> | undefined, ms: number): Promise<void> {
    if (!promise) return;
    let job: string | undefined;
    const deadline = new Promise<void>((resolve) => {
      try {
        job = this.scheduler.onceAfter(ms / 1000, resolve);
      } catch {
        resolve();
      }
    });
    await Promise.race([promise.catch(() => undefined), deadline]);
    if (job !== undefined) this.scheduler.remove(job);
  }

  private cancelJob(name: 'flushJob' | 'retryJob'): void {
    const id = this[name];
    if (id !== undefined) this.scheduler.remove(id);
    this[name] = undefined;
  }

  private async drain(): Promise<void> {
    this.cancelJob('flushJob');
    for (;;) {
      if (this.closing) return;
      if (this.down && this.queue.length >= this.settings.memoryLimit) await this.spillQueue();
      const segment = this.spool.oldest();
      if (segment === undefined) this.losses.spoolLossEnded(this.spool.size);
      if (segment !== undefined) {
        if (!(await this.replay(segment))) {
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
    const delay = this.backoff.next();
    this.cancelJob('retryJob');
    this.retryJob = this.scheduler.onceAfter(delay, () => {
      this.retryJob = undefined;
      this.kick();
    });
  }

  private async replay(segment: string): Promise<boolean> {
    this.spool.pin(segment);
    try {
      return await this.replayPinned(segment);
    } finally {
      this.spool.pin(undefined);
    }
  }

  private async replayPinned(segment: string): Promise<boolean> {
    let content;
    try {
      content = await this.spool.read(segment);
    } catch (error) {
      this.logger.error(`readings spool: cannot read ${segment} (${describeError(error)}); moving on`);
      await this.spool.remove(segment).catch(() => undefined);
      return true;
    }
    if (content.badLines > 0)
      this.logger.error(
        `readings spool: ${content.badLines} unreadable line(s) in ${segment} (torn write after a crash?) were skipped`,
      );
    for (let i = 0; i < content.readings.length; i += this.settings.batchSize) {
      const chunk = content.readings.slice(i, i + this.settings.batchSize);
      if (!(await this.insert(chunk))) return false;
      if (this.closing) return false;
    }
    await this.spool.remove(segment);
    return true;
  }

  /** One unordered insertMany; true when every reading is stored (now or before). */
  private async insert(batch: readonly PendingReading[]): Promise<boolean> {
    if (batch.length === 0) return true;
    const { ObjectId, Long } = this.mongo;
    const docs: Document[] = batch.map((r) => ({
      _id: ObjectId.createFromHexString(r.oid),
      id: r.id,
      keyId: r.keyId,
      // Int32 when it fits, else Int64: never a double.
      value: r.value >= int32Min && r.value <= int32Max ? r.value : Long.fromNumber(r.value),
      ts: new Date(r.tsMs),
    }));
    try {
      const collection = await this.collection();
      await collection.insertMany(docs, { ordered: false });
      this.counters.written += batch.length;
      this.stored(batch);
      return true;
    } catch (error) {
      const writeErrors = (error as { writeErrors?: Array<{ code?: number }> | { code?: number } })
        .writeErrors;
      const list = writeErrors === undefined ? [] : Array.isArray(writeErrors) ? writeErrors : [writeErrors];
      // A network failure also arrives as MongoBulkWriteError, with no write errors: not stored.
      if (error instanceof this.mongo.MongoBulkWriteError && list.length > 0) {
        const duplicates = list.filter((e) => e.code === 11000).length;
        if (duplicates === list.length) {
          this.counters.written += batch.length - duplicates;
          this.counters.duplicates += duplicates;
          this.stored(batch);
          return true;
        }
        // The server answered but refused some documents: retry a few times, then give up loudly.
        if (++this.rejections >= maxRejections) {
          this.rejections = 0;
          this.counters.dropped += list.length - duplicates;
          this.counters.written += batch.length - list.length;
          this.logger.error(
            `readings writer: the database rejected ${list.length - duplicates} reading(s) ${maxRejections} times (${describeError(error)}); dropped them`,
          );
          return true;
        }
      }
      if (!this.down)
        this.logger.error(
          `readings writer: database unavailable (${describeError(error)}); readings wait in memory and in the spool until it returns`,
        );
      this.down = true;
      return false;
    }
  }

  /** After a successful insert: recovery bookkeeping and the stored listeners. */
  private stored(batch: readonly PendingReading[]): void {
    if (this.down)
      this.logger.info(
        `readings writer: database reachable again; ${this.spool.size + this.queue.length} reading(s) still to write`,
      );
    this.down = false;
    this.backoff.reset();
    this.rejections = 0;
    if (this.losses.droppingFromMemory && this.queue.length < this.settings.memoryLimit)
      this.losses.memoryLossEnded('now');
    for (const listener of this.listeners) {
      try {
        listener(batch);
      } catch (error) {
        if (this.failedListeners.has(listener)) continue;
        this.failedListeners.add(listener);
        this.logger.error(
          `stored-readings listener failed (${describeError(error)}); readings are stored; further failures of this listener are not reported`,
        );
      }
    }
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
  }

  private async spill(readings: PendingReading[]): Promise<boolean> {
    this.spills++;
    try {
      const loss = await this.spool.append(readings);
      if (loss.thinned + loss.dropped > 0) this.spoolLost(loss.thinned, loss.dropped);
      if (this.losses.droppingFromMemory) this.losses.memoryLossEnded('now');
      return true;
    } catch (error) {
      this.memoryLost(0, `the spool in ${this.spool.dir} cannot be written (${describeError(error)})`);
      return false;
    } finally {
      this.spills--;
    }
  }

  /** Drops the oldest queued readings down to `memoryLimit`; the batch in flight is left alone. */
  private dropOldest(reason: string): void {
    this.memoryLost(dropOldest(this.queue, this.settings.memoryLimit), reason);
  }

  private memoryLost(dropped: number, reason: string): void {
    this.counters.memoryDropped += dropped;
    this.losses.memoryLost(dropped, reason, this.memoryCap);
  }

  private spoolLost(thinned: number, dropped: number): void {
    this.counters.spoolDropped += thinned + dropped;
    this.losses.spoolLost(thinned, dropped, this.spool);
  }
}
