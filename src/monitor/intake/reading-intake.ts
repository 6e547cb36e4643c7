// The hot path from a driver to the writer: checks each reading (known keyId, a finite value
// whose stored integer round(value × 10^decimals) is safe, valid ts), counts rejections and
// reports each spell of them once per device and kind (the first of the spell, then its
// count when a good reading ends it), so a broken sensor cannot flood the mail logger.
// Accepted readings go to the writer and to the reading listeners (rules, rollups). No I/O.
//
// A backlog handed over at once (a data logger dumping its memory) is taken in slices of
// `intakeSliceReadings`, one slice per turn of the event loop, and only while the writer has
// room: the writer spills what does not fit in memory to the spool, and the intake waits for
// that instead of dropping. Emits that arrive meanwhile queue behind, so arrival order holds.
import { describeError } from '../../internal/index.js';
import { storedValue } from './scale.js';
import { toMs } from '../storage/readings-queries.js';
import { formatValue } from '../status/format-value.js';
import type { DeviceSpec, DriverReading, KeySpec, MonitorLogger } from '../types.js';

/** Rejection counters since start. */
export interface IntakeCounters {
  accepted: number;
  rejectedNotInteger: number;
  rejectedUnknownKey: number;
  rejectedMalformed: number;
  /** Readings refused for a `ts` in milliseconds or too far in the future. */
  rejectedTimestamp: number;
}

/** The counters before any reading arrived. */
export function emptyIntakeCounters(): IntakeCounters {
  return {
    accepted: 0,
    rejectedNotInteger: 0,
    rejectedUnknownKey: 0,
    rejectedMalformed: 0,
    rejectedTimestamp: 0,
  };
}

/** Per-device counters of the intake: what a status page shows for one device. */
export interface DeviceIntake extends IntakeCounters {
  /** Epoch ms of the last accepted reading, or undefined before the first. */
  lastReadingAt: number | undefined;
}

/**
 * Called with every accepted reading, after it is queued for the database (rules,
 * rollups). Positional arguments: the hot path allocates nothing for it.
 */
export type ReadingListener = (deviceId: number, keyId: number, value: number, tsMs: number) => void;

/** Where accepted readings go: the readings writer. */
export interface ReadingSink {
  push(id: number, keyId: number, value: number, tsMs: number): void;
  /**
   * How many readings push() takes now without dropping any; when none, a promise that
   * settles once the sink made progress (a spill or an insert settled). When nothing under
   * way could make room it answers a large number: push() then drops the oldest, counted.
   */
  room(): number | Promise<void>;
}

/** Most readings the intake handles in one synchronous step (one turn of the event loop). */
export const intakeSliceReadings = 1000;

/**
 * Most readings waiting in the intake (handed over, not yet queued for the database). An
 * emit that would go beyond is dropped whole, counted in `backlogDropped` and reported once
 * per spell; one emit of any size is taken when nothing waits.
 */
export const intakeBacklogLimit = 1_000_000;

/**
 * A `ts` given as a number above this (the year 5138 in seconds) is plainly in
 * milliseconds, as `Date.now()` gives (the same bound as `Scheduler.onceWhen`).
 */
const maxEpochSeconds = 1e11;

/** Intake settings, resolved by the Monitor. */
export interface IntakeSettings {
  /** Most seconds a reading's `ts` may lie ahead of the clock. */
  maxFutureSkewSeconds: number;
}

interface Pending {
  device: DeviceSpec;
  readings: readonly DriverReading[];
  next: number;
  /** Arrival time: the ts of readings that bring none. */
  arrivedAt: number;
}

/** An ongoing run of refused timestamps of one device. */
interface TimestampSpell {
  refused: number;
}

type Rejection = Exclude<keyof IntakeCounters, 'accepted'>;

export class ReadingIntake {
  readonly counters: IntakeCounters = emptyIntakeCounters();
  private readonly perDevice = new Map<number, DeviceIntake>();
  private keys: ReadonlyMap<number, KeySpec> = new Map();
  private readonly failedListeners = new WeakSet<ReadingListener>();
  /** Emits not fully handled yet, oldest first; `pending[0].next` is where to go on. */
  private pending: Pending[] = [];
  private pendingReadings = 0;
  private stepHandle: NodeJS.Immediate | undefined;
  private waiting = false;
  private settled: Array<() => void> = [];
  private backlogLoss: { dropped: number } | undefined;
  private readonly timestampSpells = new Map<number, TimestampSpell>();
  /** Readings dropped because the backlog was over {@link intakeBacklogLimit}. */
  backlogDropped = 0;
  /** Open spells of rejections: `deviceId:counter` → rejections in the spell. */
  private readonly spells = new Map<string, { count: number; device: DeviceSpec }>();

  constructor(
    private readonly sink: ReadingSink,
    private readonly logger: MonitorLogger,
    private readonly now: () => number,
    /** Live set: listeners added or removed later take effect at the next reading. */
    private readonly listeners: ReadonlySet<ReadingListener> = new Set(),
    private readonly settings: IntakeSettings = { maxFutureSkewSeconds: 86_400 },
  ) {}

  /** Swaps the keys in force (a reload). */
  useKeys(keys: ReadonlyMap<number, KeySpec>): void {
    this.keys = keys;
  }

  /** Counters of one device since start, or undefined if it never produced anything. */
  device(id: number): DeviceIntake | undefined {
    return this.perDevice.get(id);
  }

  /** Readings handed over by drivers and not yet checked and queued for the database. */
  get backlog(): number {
    return this.pendingReadings;
  }

  /**
   * Takes a device's readings: at once when nothing waits, the array is small and the
   * writer has room; else behind what waits, in slices (the array must not change after).
   */
  accept(device: DeviceSpec, readings: readonly DriverReading[]): void {
    if (!Array.isArray(readings)) {
      this.reject(
        device,
        this.countsOf(device.id),
        'rejectedMalformed',
        `emitted ${typeof readings} instead of an array of readings`,
      );
      return;
    }
    if (readings.length === 0) return;
    const arrivedAt = this.now();
    if (this.pending.length === 0 && readings.length <= intakeSliceReadings) {
      const room = this.sink.room();
      if (typeof room === 'number' && readings.length <= room) {
        this.handle(device, readings, 0, readings.length, arrivedAt);
        return;
      }
    }
    if (this.pending.length > 0 && this.pendingReadings + readings.length > intakeBacklogLimit) {
      this.backlogDropped += readings.length;
      if (this.backlogLoss) this.backlogLoss.dropped += readings.length;
      else {
        this.backlogLoss = { dropped: readings.length };
        this.logger.alert(
          `reading intake: more than ${intakeBacklogLimit} readings wait to be stored or spooled (the spool's disk is too slow for the drivers); further emits are dropped until they are taken; reported once, with counts when it ends`,
        );
      }
      return;
    }
    this.pending.push({ device, readings, next: 0, arrivedAt });
    this.pendingReadings += readings.length;
    this.schedule();
  }

  /**
   * Resolves once every reading handed over so far is queued for the database (or
   * dropped, counted, when the spool cannot take it). For stop(): call after the drivers
   * are stopped, before the writer closes.
   */
  drain(): Promise<void> {
    if (this.pending.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.settled.push(resolve));
  }

  private schedule(): void {
    if (this.stepHandle !== undefined || this.waiting) return;
    this.stepHandle = setImmediate(() => {
      this.stepHandle = undefined;
      this.step();
    });
  }

  /** One slice: at most intakeSliceReadings readings, while the writer has room. */
  private step(): void {
    let budget = intakeSliceReadings;
    while (budget > 0 && this.pending.length > 0) {
      const room = this.sink.room();
      if (typeof room !== 'number') {
        this.waiting = true;
        void room.then(() => {
          this.waiting = false;
          this.schedule();
        });
        return;
      }
      const head = this.pending[0]!;
      // Up to the budget, and no more than the writer takes without dropping.
      const end = Math.min(head.readings.length, head.next + Math.max(1, Math.min(budget, room)));
      this.handle(head.device, head.readings, head.next, end, head.arrivedAt);
      budget -= end - head.next;
      this.pendingReadings -= end - head.next;
      head.next = end;
      if (head.next === head.readings.length) this.pending.shift();
    }
    if (this.pending.length > 0) {
      this.schedule();
      return;
    }
    if (this.backlogLoss) {
      this.logger.warning(
        `reading intake: the backlog is taken again; ${this.backlogLoss.dropped} reading(s) were dropped while it was over ${intakeBacklogLimit}`,
      );
      this.backlogLoss = undefined;
    }
    for (const resolve of this.settled.splice(0)) resolve();
  }

  private handle(
    device: DeviceSpec,
    readings: readonly DriverReading[],
    from: number,
    to: number,
    arrivedAt: number,
  ): void {
    const counts = this.countsOf(device.id);
    const keys = this.keys;
    const now = this.now();
    const latestMs = now + this.settings.maxFutureSkewSeconds * 1000;
    for (let i = from; i < to; i++) {
      const { keyId, value, ts } = (readings[i] ?? {}) as Partial<DriverReading>;
      if (typeof keyId !== 'number' || !keys.has(keyId)) {
        this.reject(
          device,
          counts,
          'rejectedUnknownKey',
          `reading with keyId ${String(keyId)}, which is not in the keys collection`,
        );
        continue;
      }
      const key = keys.get(keyId)!;
      const stored = storedValue(value, key.decimals ?? 0);
      if (typeof stored !== 'number') {
        this.reject(device, counts, 'rejectedNotInteger', refusalText(value, key, stored));
        continue;
      }
      let tsMs = arrivedAt;
      if (ts !== undefined) {
        try {
          tsMs = toMs(ts, 'ts');
        } catch {
          this.reject(
            device,
            counts,
            'rejectedMalformed',
            `reading for keyId ${keyId} has an invalid ts ${String(ts)}`,
          );
          continue;
        }
        if (typeof ts === 'number' && Math.abs(ts) > maxEpochSeconds) {
          this.refuseTimestamp(
            device,
            counts,
            `ts ${ts} for keyId ${keyId} looks like epoch milliseconds (as Date.now() gives); a number ts is epoch seconds: divide by 1000, or pass a Date`,
          );
          continue;
        }
        if (tsMs > latestMs) {
          this.refuseTimestamp(
            device,
            counts,
            `ts ${new Date(tsMs).toISOString()} for keyId ${keyId} is ${Math.round((tsMs - now) / 1000)} s ahead of the clock (more than maxFutureSkewSeconds, ${this.settings.maxFutureSkewSeconds}); fix the device's clock or the driver's ts`,
          );
          continue;
        }
      }
      if (this.timestampSpells.size > 0) this.timestampsGood(device);
      this.counters.accepted++;
      counts.accepted++;
      counts.lastReadingAt = now;
      if (this.spells.size > 0) this.endSpells(device.id);
      this.sink.push(device.id, keyId, stored, tsMs);
      if (this.listeners.size > 0) this.notify(device.id, keyId, stored, tsMs);
    }
  }

  /** Refused timestamps are a spell: reported when it begins and, with counts, when it ends. */
  private refuseTimestamp(device: DeviceSpec, counts: DeviceIntake, message: string): void {
    this.counters.rejectedTimestamp++;
    counts.rejectedTimestamp++;
    const spell = this.timestampSpells.get(device.id);
    if (spell) {
      spell.refused++;
      return;
    }
    this.timestampSpells.set(device.id, { refused: 1 });
    this.logger.error(
      `device ${device.id} "${device.name}": ${message}; readings with such a ts are refused, not stored; reported once until a reading with a good ts arrives`,
      { deviceId: device.id, code: 'ERR_READING_TS' },
    );
  }

  private timestampsGood(device: DeviceSpec): void {
    const spell = this.timestampSpells.get(device.id);
    if (!spell) return;
    this.timestampSpells.delete(device.id);
    this.logger.warning(
      `device ${device.id} "${device.name}": readings with a good ts again; ${spell.refused} reading(s) were refused for their ts`,
      { deviceId: device.id, rejectedTimestamp: spell.refused },
    );
  }

  private notify(deviceId: number, keyId: number, value: number, tsMs: number): void {
    for (const listener of this.listeners) {
      try {
        listener(deviceId, keyId, value, tsMs);
      } catch (error) {
        // Reported once per listener: a broken hook must not flood the logger nor stop readings.
        if (this.failedListeners.has(listener)) continue;
        this.failedListeners.add(listener);
        this.logger.error(
          `reading listener failed (${describeError(error)}); readings are still stored; further failures of this listener are not reported`,
        );
      }
    }
  }

  private countsOf(id: number): DeviceIntake {
    let counts = this.perDevice.get(id);
    if (!counts) {
      counts = { ...emptyIntakeCounters(), lastReadingAt: undefined };
      this.perDevice.set(id, counts);
    }
    return counts;
  }

  private reject(device: DeviceSpec, counts: DeviceIntake, counter: Rejection, message: string): void {
    this.counters[counter]++;
    const seen = ++counts[counter];
    const id = `${device.id}:${counter}`;
    const spell = this.spells.get(id);
    if (spell) {
      spell.count++;
      return;
    }
    // The first rejection of a spell is reported; the rest are counted until a good reading.
    this.spells.set(id, { count: 1, device });
    this.logger.warning(
      `device ${device.id} "${device.name}": ${message}; rejected (${seen} so far; further rejections of this kind are counted and reported when a good reading arrives)`,
      { deviceId: device.id, [counter]: seen },
    );
  }

  /** A good reading of the device ends its spells of rejections: one line with their counts. */
  private endSpells(deviceId: number): void {
    for (const [id, spell] of this.spells) {
      if (spell.device.id !== deviceId) continue;
      this.spells.delete(id);
      if (spell.count > 1) {
        const { device } = spell;
        this.logger.info(
          `device ${device.id} "${device.name}": a good reading again after ${spell.count} rejected readings (${id.split(':')[1]})`,
          { deviceId: device.id, rejected: spell.count },
        );
      }
    }
  }
}

/** Why a value cannot be stored, naming the value, the key and the fix. */
function refusalText(value: unknown, key: KeySpec, why: 'not-finite' | 'not-safe'): string {
  const shown = typeof value === 'number' ? String(value) : `${String(value)} (${typeof value})`;
  const name = `key ${key.keyId}${key.description ? ` "${key.description}"` : ''} (${key.unit || 'no unit'}, ${key.decimals ?? 0} decimals)`;
  if (why === 'not-finite')
    return `value ${shown} for ${name} is not a finite number; fix the driver or sensor so it reports a number`;
  const limit = formatValue(Number.MAX_SAFE_INTEGER, key);
  return `value ${shown} for ${name} does not fit: round(value × 10^${key.decimals ?? 0}) is not a safe integer (largest ±${limit}); give the key fewer decimals (raspimon keys set ${key.keyId} --decimals N --rescale) or scale the reading in the driver`;
}
