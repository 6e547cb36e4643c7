// Batches readings into unordered insertMany calls with client-side _ids. While the
// database is down, readings wait in memory up to `memoryLimit`, then go to the spool;
// on recovery the spool is replayed first (oldest segment first), then memory, so the
// order is kept. A replay after an ambiguous failure re-sends the same _ids: the
// duplicate-key errors it gets back mean "already stored" and are not counted twice.
import type { Collection, Document } from 'mongodb';
import { describeError } from './errors.js';
import type { MongoModule } from './peers.js';
import type { PendingReading, Spool } from './spool.js';
import type { MonitorLogger, MonitorScheduler } from './types.js';

/** Settings of the writer, resolved by the Monitor. */
export interface WriterSettings {
  batchSize: number;
  flushSeconds: number;
  memoryLimit: number;
  retryMinSeconds: number;
  retryMaxSeconds: number;
}

/** Counters of the writer since start. */
export interface WriterStats {
  /** Readings acknowledged by the database (each counted once). */
  written: number;
  /** Readings a replay found already stored. */
  duplicates: number;
  /** Readings waiting in memory. */
  queued: number;
  /** Readings waiting in the on-disk spool. */
  spooled: number;
  /** Readings given up after repeated rejection by the server (logged). */
  dropped: number;
  /** Whether the last write attempt failed. */
  databaseDown: boolean;
}

const int32Max = 2 ** 31 - 1;
const int32Min = -(2 ** 31);
const maxRejections = 5;

export class ReadingsWriter {
  private queue: PendingReading[] = [];
  private inFlight: PendingReading[] = [];
  private draining: Promise<void> | undefined;
  private flushJob: string | undefined;
  private retryJob: string | undefined;
  private failures = 0;
  private rejections = 0;
  private down = false;
  private closing = false;
  private seq: number;
  private readonly counters = { written: 0, duplicates: 0, dropped: 0 };

  constructor(
    private readonly mongo: MongoModule,
    private readonly collection: () => Promise<Collection>,
    private readonly spool: Spool,
    private readonly scheduler: MonitorScheduler,
    private readonly logger: MonitorLogger,
    private readonly settings: WriterSettings,
  ) {
    this.seq = Math.max(spool.lastSeq, Date.now() * 1000);
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

  stats(): WriterStats {
    return {
      ...this.counters,
      queued: this.queue.length + this.inFlight.length,
      spooled: this.spool.size,
      databaseDown: this.down,
    };
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
   * Stops writing: tries to flush for up to `deadlineMs` unless the database is known to be
   * down, then spools whatever is left, so the next start replays it.
   */
  async close(deadlineMs: number): Promise<void> {
    this.cancelJob('flushJob');
    this.cancelJob('retryJob');
    if (!this.down) {
      this.kick();
      await within(this.draining, deadlineMs);
    }
    this.closing = true;
    // An insert still in flight may or may not land: spool it too; its _ids make a replay idempotent.
    const left = [...this.inFlight, ...this.queue];
    this.queue = [];
    this.inFlight = [];
    if (left.length > 0) await this.spill(left);
    // A spill the drain had begun must be on disk before the process may exit.
    await within(this.draining, deadlineMs);
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
        this.queue = this.inFlight.concat(this.queue);
        this.inFlight = [];
        // Spool now so a crash during the outage loses at most what arrives until the next attempt.
        await this.spillQueue();
        return this.failed();
      }
      this.inFlight = [];
    }
  }

  private failed(): void {
    this.failures++;
    const delay = Math.min(
      this.settings.retryMaxSeconds,
      this.settings.retryMinSeconds * 2 ** (this.failures - 1),
    );
    this.cancelJob('retryJob');
    this.retryJob = this.scheduler.onceAfter(delay, () => {
      this.retryJob = undefined;
      this.kick();
    });
  }

  private async replay(segment: string): Promise<boolean> {
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
      this.recovered();
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
          this.recovered();
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

  private recovered(): void {
    if (this.down)
      this.logger.info(
        `readings writer: database reachable again; ${this.spool.size + this.queue.length} reading(s) still to write`,
      );
    this.down = false;
    this.failures = 0;
    this.rejections = 0;
  }

  private async spillQueue(): Promise<void> {
    const readings = this.queue;
    this.queue = [];
    if (!(await this.spill(readings))) this.queue = readings.concat(this.queue);
  }

  private async spill(readings: PendingReading[]): Promise<boolean> {
    try {
      await this.spool.append(readings);
      return true;
    } catch (error) {
      this.logger.alert(
        `readings spool: cannot write to ${this.spool.dir} (${describeError(error)}); ${readings.length} reading(s) stay in memory`,
      );
      return false;
    }
  }
}

/** Waits for `promise` (if any) at most `ms`. */
async function within(promise: Promise<unknown> | undefined, ms: number): Promise<void> {
  if (!promise) return;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  await Promise.race([promise.catch(() => undefined), deadline]);
  clearTimeout(timer);
}
