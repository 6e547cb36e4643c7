// The hot path from a driver to the writer: checks each reading (known keyId, safe-integer
// value, valid ts), counts rejections and reports the first of each kind per device, then
// every 1000th, so a broken sensor cannot flood the mail logger. No I/O here.
import { toMs } from './queries.js';
import type { ReadingsWriter } from './readings-writer.js';
import type { DeviceSpec, DriverReading, KeySpec, MonitorLogger } from './types.js';

/** Rejection counters since start. */
export interface IntakeCounters {
  accepted: number;
  rejectedNotInteger: number;
  rejectedUnknownKey: number;
  rejectedMalformed: number;
}

type Rejection = Exclude<keyof IntakeCounters, 'accepted'>;

export class ReadingIntake {
  readonly counters: IntakeCounters = {
    accepted: 0,
    rejectedNotInteger: 0,
    rejectedUnknownKey: 0,
    rejectedMalformed: 0,
  };
  private readonly reports = new Map<string, number>();

  constructor(
    private readonly writer: ReadingsWriter,
    private readonly logger: MonitorLogger,
    private readonly now: () => number,
    /** The keys in force (swapped by reloads). */
    private readonly keys: () => ReadonlyMap<number, KeySpec>,
  ) {}

  accept(device: DeviceSpec, readings: readonly DriverReading[]): void {
    if (!Array.isArray(readings)) {
      this.reject(device, 'rejectedMalformed', `emitted ${typeof readings} instead of an array of readings`);
      return;
    }
    const keys = this.keys();
    const now = this.now();
    for (const reading of readings) {
      const { keyId, value, ts } = (reading ?? {}) as Partial<DriverReading>;
      if (typeof keyId !== 'number' || !keys.has(keyId)) {
        this.reject(
          device,
          'rejectedUnknownKey',
          `reading with keyId ${String(keyId)}, which is not in the keys collection`,
        );
        continue;
      }
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
        this.reject(
          device,
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
            'rejectedMalformed',
            `reading for keyId ${keyId} has an invalid ts ${String(ts)}`,
          );
          continue;
        }
      }
      this.counters.accepted++;
      this.writer.push(device.id, keyId, value, tsMs);
    }
  }

  private reject(device: DeviceSpec, counter: Rejection, message: string): void {
    this.counters[counter]++;
    const key = `${device.id}:${counter}`;
    const seen = (this.reports.get(key) ?? 0) + 1;
    this.reports.set(key, seen);
    if (seen === 1 || seen % 1000 === 0) {
      this.logger.warning(`device ${device.id} "${device.name}": ${message}; rejected (${seen} so far)`, {
        deviceId: device.id,
        [counter]: seen,
      });
    }
  }
}
