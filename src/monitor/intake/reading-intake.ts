// The hot path from a driver to the writer: checks each reading (known keyId, a finite value
// whose stored integer round(value × 10^decimals) is safe, valid ts), counts rejections and
// reports each spell of them once per device and kind (the first of the spell, then its
// count when a good reading ends it), so a broken sensor cannot flood the mail logger.
// Accepted readings go to the writer and to the reading listeners (rules, rollups). No I/O.
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
  /** Open spells of rejections: `deviceId:counter` → rejections in the spell. */
  private readonly spells = new Map<string, { count: number; device: DeviceSpec }>();

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
      const key = keys.get(keyId)!;
      const stored = storedValue(value, key.decimals ?? 0);
      if (typeof stored !== 'number') {
        this.reject(device, counts, 'rejectedNotInteger', refusalText(value, key, stored));
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
      if (this.spells.size > 0) this.endSpells(device.id);
      this.sink.push(device.id, keyId, stored, tsMs);
      if (this.listeners.size > 0) this.notify(device.id, keyId, stored, tsMs);
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
