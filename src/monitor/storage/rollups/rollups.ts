// The rollup engine of a running monitor. Fed with readings once the database stored
// them (the writer's hook, so dropped or not-yet-stored readings never count), it keeps
// the last 24 h per (device, key) as minute buckets in memory and the open hourly
// buckets, and writes closed hours to `readings_hourly` (insert-only, deterministic _id)
// once they are past the grace period AND nothing older than their end waits in the
// writer's queue or spool. A day is written to `readings_daily` from its stored hours.
// Open hours are saved in the state dir (`rollups.json`) at a clean stop; after an unclean
// end (kill -9) the hours open at the crash are recomputed from the raw readings instead, so
// every written bucket equals a recomputation from raw. While running, the file is saved
// (marked unclean) only when what a restart reads from it changed (an hour or day written, a
// rebuild, a recovery done): open hours saved mid-run would be ignored after a crash anyway.
import type { Collection } from 'mongodb';
import { describeError } from '../../../internal/index.js';
import type { MonitorLogger, MonitorScheduler } from '../../types.js';
import {
  addReading,
  bucketStartMs,
  newAccumulator,
  rollupDocument,
  type Accumulator,
  type RollupDocument,
} from './bucket-math.js';
import { deleteOldBuckets } from './bucket-retention.js';
import { dayIsWritten, LateCorrections } from './corrections.js';
import { dailyDocumentsOf } from './daily.js';
import type { SavedState } from './saved-state.js';
import { readStateFile, writeStateFile } from './state-file.js';
import { MinuteWindow } from './minute-window.js';
import { dayMs, hourMs, hourlyFromRaw, insertRollups } from './recompute.js';

/** A stored reading as the writer hands it over. */
export interface StoredReading {
  id: number;
  keyId: number;
  value: number;
  tsMs: number;
}

/** What the engine needs from the monitor. */
export interface RollupDeps {
  scheduler: MonitorScheduler;
  logger: MonitorLogger;
  /** A collection of the namespace (`readings`, `readings_hourly`, `readings_daily`). */
  collection: (name: string) => Promise<Collection>;
  /** `<stateDir>/rollups.json`. */
  stateFile: string;
  /** Seconds after an hour ends before it may be written. */
  graceSeconds: number;
  /**
   * Earliest `ts` (epoch ms) of a reading accepted but not stored yet; `-Infinity` when
   * unknown (a spool on disk), `undefined` when nothing waits.
   */
  backlogOldestMs(): number | undefined;
}

/** Counters of the rollups. */
export interface RollupStats {
  /** Hourly buckets written by this process. */
  hourlyWritten: number;
  /** Daily buckets written by this process. */
  dailyWritten: number;
  /**
   * Readings stored after their hour was written (a clock stepped back, a long outage): added
   * to that hour (and its day, if written) by insert-only correction documents.
   */
  late: number;
  /** Bytes of the in-memory minute windows. */
  windowBytes: number;
}

interface Pair {
  id: number;
  keyId: number;
  window: MinuteWindow;
  hours: Map<number, Accumulator>;
}

const futureToleranceMs = 60_000;

export class Rollups {
  private readonly pairs = new Map<number, Map<number, Pair>>();
  private pendingDays = new Set<number>();
  /** Every hour before this is written (or had no readings), set by open(). */
  private writtenThroughMs = -Infinity;
  private rollupsFromMs = Infinity;
  /** Hours in [from, to) to recompute from raw (after an unclean end), once due. */
  private recovery: { fromMs: number; toMs: number } | undefined;
  private closing: Promise<void> | undefined;
  private saving: Promise<void> = Promise.resolve();
  /** What the last save wrote of the state a restart reads (see savedKey()). */
  private savedKey = '';
  private readonly counters = { hourlyWritten: 0, dailyWritten: 0 };
  private readonly corrections: LateCorrections;
  /** Memory answers for minutes from here on (the monitor's start, rounded up). */
  readonly coveredFromMs: number;

  constructor(private readonly deps: RollupDeps) {
    this.coveredFromMs = Math.ceil(deps.scheduler.now() / 60_000) * 60_000;
    this.corrections = new LateCorrections(deps.logger);
  }

  /** Loads the saved open hours; plans a recomputation after an unclean end. */
  async open(): Promise<void> {
    const now = this.deps.scheduler.now();
    const state = await readStateFile(this.deps.stateFile, this.deps.logger);
    const currentHour = bucketStartMs(now, 3600);
    if (state?.version === 1 && state.writtenThroughMs !== null) {
      this.writtenThroughMs = state.writtenThroughMs;
      this.rollupsFromMs = state.coveredFromMs ?? state.writtenThroughMs;
      this.pendingDays = new Set(state.pendingDays);
      if (state.clean) {
        for (const [id, keyId, start, acc] of state.hours) this.pair(id, keyId).hours.set(start, acc);
        this.recovery = state.recovery ?? undefined;
      } else {
        // Readings stored after the last save are in raw but not in the saved hours: every
        // hour not yet written is recomputed from raw once it is due.
        this.recovery = {
          fromMs: this.writtenThroughMs,
          toMs: Math.max(currentHour + hourMs, this.writtenThroughMs),
        };
      }
    } else {
      // First run (or an unreadable state): the current hour may hold readings stored
      // before; earlier hours are left to `raspimon rollups rebuild`.
      this.writtenThroughMs = currentHour;
      this.rollupsFromMs = currentHour;
      this.recovery = { fromMs: currentHour, toMs: currentHour + hourMs };
    }
    await this.save(false);
  }

  /** Hook of the writer: readings the database has just stored (each once). */
  stored(readings: readonly StoredReading[]): void {
    const now = this.deps.scheduler.now();
    for (const r of readings) {
      const pair = this.pair(r.id, r.keyId);
      if (r.tsMs <= now + futureToleranceMs) pair.window.add(r.value, r.tsMs);
      const hour = bucketStartMs(r.tsMs, 3600);
      if (hour < this.writtenThroughMs) {
        this.corrections.add(r, this.rollupsFromMs);
        continue;
      }
      const acc = pair.hours.get(hour);
      if (acc) addReading(acc, r.value, r.tsMs);
      else pair.hours.set(hour, newAccumulator(r.value, r.tsMs));
    }
  }

  /** The minute window of a pair, if it had readings. */
  window(id: number, keyId: number): MinuteWindow | undefined {
    return this.pairs.get(id)?.get(keyId)?.window;
  }

  /** Pairs with a window, sorted. */
  pairList(): Array<{ id: number; keyId: number; window: MinuteWindow }> {
    const list = [...this.pairs.values()].flatMap((m) => [...m.values()]);
    return list.sort((a, b) => a.id - b.id || a.keyId - b.keyId);
  }

  /** Every hour before this (epoch ms) is in `readings_hourly`. */
  get hourlyWrittenThroughMs(): number {
    return this.writtenThroughMs;
  }

  /** The rollup collections are complete for hours from here on (epoch ms). */
  get rollupsCoverFromMs(): number {
    return this.rollupsFromMs;
  }

  /** A rebuild of `[fromMs, toMs)` reaching back before the covered hours extends them. */
  rebuilt(fromMs: number, toMs: number): void {
    if (fromMs < this.rollupsFromMs && toMs >= this.rollupsFromMs) {
      this.rollupsFromMs = fromMs;
      void this.saveIfChanged();
    }
  }

  stats(): RollupStats {
    let windowBytes = 0;
    for (const m of this.pairs.values()) for (const p of m.values()) windowBytes += p.window.bytes;
    return { ...this.counters, late: this.corrections.count, windowBytes };
  }

  /** Writes what is due; concurrent calls share one pass. Never rejects. */
  tick(): Promise<void> {
    this.closing ??= this.closeDue().finally(() => (this.closing = undefined));
    return this.closing;
  }

  /** Writes what is due, then saves the open hours as a clean state. */
  async close(): Promise<void> {
    await this.closing;
    await this.tick();
    // Readings left in the spool may be replayed partly twice after a stop that timed out:
    // then the next start recomputes the unwritten hours from raw instead of trusting these.
    await this.save(this.deps.backlogOldestMs() === undefined);
  }

  /** Deletes buckets older than the given days (undefined keeps them). */
  applyRetention(hourlyDays: number | undefined, dailyDays: number | undefined): Promise<void> {
    const { collection, logger, scheduler } = this.deps;
    return deleteOldBuckets(collection, logger, scheduler.now(), { hourlyDays, dailyDays });
  }

  private recovering(hour: number): boolean {
    return this.recovery !== undefined && hour >= this.recovery.fromMs && hour < this.recovery.toMs;
  }

  private pair(id: number, keyId: number): Pair {
    let byKey = this.pairs.get(id);
    if (!byKey) this.pairs.set(id, (byKey = new Map<number, Pair>()));
    let pair = byKey.get(keyId);
    if (!pair) byKey.set(keyId, (pair = { id, keyId, window: new MinuteWindow(), hours: new Map() }));
    return pair;
  }

  private async closeDue(): Promise<void> {
    const now = this.deps.scheduler.now();
    const backlog = this.deps.backlogOldestMs();
    const limit = Math.min(now - this.deps.graceSeconds * 1000, backlog ?? Infinity);
    if (!Number.isFinite(limit)) return;
    const closeBefore = bucketStartMs(limit, 3600);
    try {
      if (this.recovery && this.recovery.toMs <= closeBefore) await this.recover(this.recovery);
      const docs: RollupDocument[] = [];
      const closed: Array<[Pair, number]> = [];
      for (const byKey of this.pairs.values())
        for (const pair of byKey.values())
          for (const [start, acc] of pair.hours)
            if (start < closeBefore && !this.recovering(start)) {
              docs.push(rollupDocument(pair.id, pair.keyId, start, acc));
              closed.push([pair, start]);
            }
      const through = this.recovery ? Math.min(closeBefore, this.recovery.fromMs) : closeBefore;
      if (docs.length > 0) {
        this.counters.hourlyWritten += await insertRollups(
          await this.deps.collection('readings_hourly'),
          docs,
        );
        for (const [pair, start] of closed) {
          pair.hours.delete(start);
          this.pendingDays.add(bucketStartMs(start, 86_400));
        }
      }
      if (through > (this.writtenThroughMs ?? -Infinity)) {
        // A day whose hours were written by an earlier run, still without its daily bucket.
        if (this.writtenThroughMs !== undefined)
          this.pendingDays.add(bucketStartMs(this.writtenThroughMs, 86_400));
        this.writtenThroughMs = through;
      }
      await this.writeDays(through);
      await this.corrections.write(this.deps.collection, (day) =>
        dayIsWritten(day, this.writtenThroughMs, this.pendingDays),
      );
    } catch (error) {
      this.deps.logger.warning(
        `rollups: cannot write closed buckets (${describeError(error)}); they stay in memory and are written at the next attempt`,
      );
    }
    await this.saveIfChanged();
  }

  /** Replaces the open hours in the recovery range with a recomputation from raw. */
  private async recover(range: { fromMs: number; toMs: number }): Promise<void> {
    const fromRaw = await hourlyFromRaw(await this.deps.collection('readings'), range.fromMs, range.toMs);
    for (const byKey of this.pairs.values())
      for (const pair of byKey.values())
        for (const start of [...pair.hours.keys()])
          if (start >= range.fromMs && start < range.toMs) pair.hours.delete(start);
    for (const { id, keyId, buckets } of fromRaw.values()) {
      const pair = this.pair(id, keyId);
      for (const [start, acc] of buckets) pair.hours.set(start, acc);
    }
    for (let day = bucketStartMs(range.fromMs, 86_400); day < range.toMs; day += dayMs)
      this.pendingDays.add(day);
    this.recovery = undefined;
    this.deps.logger.info(
      `rollups: recomputed the hours ${new Date(range.fromMs).toISOString()} to ${new Date(range.toMs).toISOString()} from the raw readings (the previous run did not stop cleanly)`,
    );
  }

  /** Writes the daily bucket of every pending day whose hours are all written. */
  private async writeDays(through: number): Promise<void> {
    for (const day of [...this.pendingDays].sort((a, b) => a - b)) {
      if (day + dayMs > through) continue;
      const docs = await dailyDocumentsOf(await this.deps.collection('readings_hourly'), day);
      this.counters.dailyWritten += await insertRollups(await this.deps.collection('readings_daily'), docs);
      this.pendingDays.delete(day);
    }
  }

  /**
   * What a restart after a crash reads from the saved state (the open hours are then
   * recomputed from raw): a tick that changed none of it need not save.
   */
  private stateKey(): string {
    const recovery = this.recovery ? `${this.recovery.fromMs}-${this.recovery.toMs}` : '';
    return `${this.writtenThroughMs}|${this.rollupsFromMs}|${recovery}|${[...this.pendingDays].join(',')}`;
  }

  private saveIfChanged(): Promise<void> {
    return this.stateKey() === this.savedKey ? this.saving : this.save(false);
  }

  private save(clean: boolean): Promise<void> {
    // One save at a time, in order: the newest state is the one left on disk.
    const run = this.saving.then(() => this.writeState(clean));
    this.saving = run;
    return run;
  }

  private async writeState(clean: boolean): Promise<void> {
    const hours: SavedState['hours'] = [];
    for (const byKey of this.pairs.values())
      for (const pair of byKey.values())
        for (const [start, acc] of pair.hours) hours.push([pair.id, pair.keyId, start, acc]);
    const state: SavedState = {
      version: 1,
      clean,
      savedAtMs: this.deps.scheduler.now(),
      writtenThroughMs: Number.isFinite(this.writtenThroughMs) ? this.writtenThroughMs : null,
      coveredFromMs: Number.isFinite(this.rollupsFromMs) ? this.rollupsFromMs : null,
      pendingDays: [...this.pendingDays],
      recovery: this.recovery ?? null,
      hours,
    };
    const key = this.stateKey();
    if (await writeStateFile(this.deps.stateFile, state, this.deps.logger)) this.savedKey = key;
  }
}
