// The hot path from a driver to the writer: checks each reading (known keyId, safe-integer
// value, valid ts), counts rejections and reports the first of each kind per device, then
// every 1000th, so a broken sensor cannot flood the mail logger. Accepted readings go to
// the writer and to the reading listeners (rules, rollups). No I/O here.
import { describeError } from '../../internal/index.js';
import { toMs } from '../storage/readings-queries.js';
import type { DeviceSpec, DriverReading, KeySpec, MonitorLogger } from '../types.js';

/** Rejection counters since start. */
export interface IntakeCounters {
  accepted: number;
  rejectedNotInteger: number;
  rejectedUnknownKey: number;
  rejectedMalformed: number;
}

/** The counters before any reading arrived. */
export function emptyIntakeCounters(): IntakeCounters {
  return { accepted: 0, rejectedNotInteger: 0, rejectedUnknownKey: 0, rejectedMalformed: 0 };
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
}

type Rejection = Exclude<keyof IntakeCounters, 'accepted'>;

export class ReadingIntake {
  readonly counters: IntakeCounters = emptyIntakeCounters();
  private readonly perDevice = new Map<number, DeviceIntake>();
  private keys: ReadonlyMap<number, KeySpec> = new Map();
  private readonly failedListeners = new WeakSet<ReadingListener>();

  constructor(
    private readonly sink: ReadingSink,
    private readonly logger: MonitorLogger,
    private readonly now: () => number,
    /** Live set: listeners added or removed later take effect at the next reading. */
    private readonly listeners: ReadonlySet<ReadingListener> = new Set(),
  ) {}

  /** Swaps the keys in force (a reload). */
  useKeys(keys: ReadonlyMap<number, KeySpec>): void {
    this.keys = keys;
  }

  /** Counters of one device since start, or undefined if it never produced anything. */
  device(id: number): DeviceIntake | undefined {
    return this.perDevice.get(id);
  }

  accept(device: DeviceSpec, readings: readonly DriverReading[]): void {
    const counts = this.countsOf(device.id);
    if (!Array.isArray(readings)) {
      this.reject(
        device,
        counts,
        'rejectedMalformed',
        `emitted ${typeof readings} instead of an array of readings`,
      );
      return;
    }
    const keys = this.keys;
    const now = this.now();
    for (const reading of readings) {
      const { keyId, value, ts } = (reading ?? {}) as Partial<DriverReading>;
      if (typeof keyId !== 'number' || !keys.has(keyId)) {
        this.reject(
          device,
          counts,
          'rejectedUnknownKey',
          `reading with keyId ${String(keyId)}, which is not in the keys collection`,
        );
        continue;
      }
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
        this.reject(
          device,
          counts,
          'rejectedNotInteger',
          `value ${String(value)} for keyId ${keyId} is not a safe integer (scale it, e.g. millidegrees)`,
        );
        continue;
      }
      let tsMs = now;
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
      }
      this.counters.accepted++;
      counts.accepted++;
      counts.lastReadingAt = now;
      this.sink.push(device.id, keyId, value, tsMs);
      if (this.listeners.size > 0) this.notify(device.id, keyId, value, tsMs);
    }
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
    if (seen === 1 || seen % 1000 === 0) {
      this.logger.warning(`device ${device.id} "${device.name}": ${message}; rejected (${seen} so far)`, {
        deviceId: device.id,
        [counter]: seen,
      });
    }
  }
}
