// What a status page or `raspimon status` shows per device: the runner's health and the
// intake's counters, merged. Pure: no I/O.
import type { DeviceFleet } from '../intake/running-devices.js';
import type { ReadingIntake } from '../intake/reading-intake.js';

/** Health and counters of one running device since the monitor started. */
export interface DeviceState {
  /** The device's id. */
  id: number;
  /** The device's name. */
  name: string;
  /** The driver that reads it. */
  driver: string;
  /** When its last reading was accepted (scheduler time), or undefined before the first. */
  lastReadingAt: Date | undefined;
  /** Readings accepted from it. */
  accepted: number;
  /** Driver failures (start, read or stream) since the monitor started. */
  errors: number;
  /** Consecutive failures now: 0 while it works, > 0 while it is retried with backoff. */
  failing: number;
  /** Its most recent failure, if any. */
  lastError:
    | {
        /** Which driver call failed: `'start'`, `'read'` or `'stream'`. */
        stage: string;
        /** The error as `Name: message`. */
        message: string;
        /** When it failed (scheduler time). */
        at: Date;
      }
    | undefined;
  /** Readings it produced that were not stored, by reason ("skipped metrics"). */
  rejected: {
    /** The value is not a safe integer. */
    notInteger: number;
    /** The keyId is not in `keys`. */
    unknownKey: number;
    /** Not a reading, or an invalid `ts`. */
    malformed: number;
  };
}

/** The state of every running device, by id. */
export function deviceStates(fleet: DeviceFleet, intake: ReadingIntake): DeviceState[] {
  return fleet.states().map((runner) => {
    const { id, name, driver } = runner.device;
    const counts = intake.device(id);
    const lastError = runner.lastError;
    return {
      id,
      name,
      driver,
      lastReadingAt: counts?.lastReadingAt === undefined ? undefined : new Date(counts.lastReadingAt),
      accepted: counts?.accepted ?? 0,
      errors: runner.errors,
      failing: runner.failing,
      lastError: lastError && {
        stage: lastError.stage,
        message: lastError.message,
        at: new Date(lastError.at),
      },
      rejected: {
        notInteger: counts?.rejectedNotInteger ?? 0,
        unknownKey: counts?.rejectedUnknownKey ?? 0,
        malformed: counts?.rejectedMalformed ?? 0,
      },
    };
  });
}
