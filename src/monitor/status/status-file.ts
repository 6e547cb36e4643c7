// The status file `raspimon status` reads: what the running monitor is doing, written to
// `<stateDir>/status.json` every `statusIntervalSeconds`, within `statusCheckSeconds` of a
// change in health (status-change.ts) and once more on stop, atomically (temp file + rename),
// so a reader never sees half a file.
import { rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describeError } from '../../internal/index.js';
import type { DeviceState } from './device-state.js';
import type { MonitorStats } from './stats.js';
import type { MonitorLogger } from '../types.js';

/** Name of the status file inside the monitor's state dir. */
export const statusFileName = 'status.json';
/**
 * Seconds between two writes of the status file while the monitor runs and its health does
 * not change (a change is written within `statusCheckSeconds`).
 */
export const statusIntervalSeconds = 30;
/** The `format` of the status file this version writes. */
export const statusFormat = 'raspimon-status/1';

/** One device in the status file. */
export interface StatusFileDevice {
  /** The device's id. */
  id: number;
  /** Its name. */
  name: string;
  /** Its driver. */
  driver: string;
  /** When its last reading was accepted (ISO 8601), null before the first. */
  lastReadingAt: string | null;
  /** Readings accepted from it since the monitor started. */
  accepted: number;
  /** Driver failures since the monitor started. */
  errors: number;
  /** Consecutive failures now (0 while it works). */
  failing: number;
  /** Its most recent failure, or null. */
  lastError: {
    /** Which driver call failed: `'start'`, `'read'` or `'stream'`. */
    stage: string;
    /** The error as `Name: message`. */
    message: string;
    /** When (ISO 8601). */
    at: string;
  } | null;
  /** Readings it produced that were not stored, by reason (skipped metrics). */
  rejected: {
    /** The value is not a safe integer. */
    notInteger: number;
    /** The keyId is not in `keys`. */
    unknownKey: number;
    /** Not a reading, or an invalid `ts`. */
    malformed: number;
    /** A `ts` in milliseconds or more than `maxFutureSkewSeconds` ahead (absent from older monitors' files). */
    timestamp?: number;
  };
}

/** The contents of `<stateDir>/status.json`. */
export interface StatusFile {
  /** Always `'raspimon-status/1'` (a later layout gets another). */
  format: typeof statusFormat;
  /** The database namespace. */
  namespace: string;
  /** The monitor's process. */
  pid: number;
  /** `'running'`, or `'stopped'` in the last write of a clean stop. */
  state: 'running' | 'stopped';
  /** When the monitor started (ISO 8601). */
  startedAt: string;
  /** When this file was written (ISO 8601). */
  updatedAt: string;
  /** Seconds between writes while running: older than a few of these means the monitor is gone. */
  intervalSeconds: number;
  /** False when the last database write failed. */
  databaseConnected: boolean;
  /** Readings waiting in the on-disk spool, and its size in bytes. */
  spool: {
    /** Readings in the spool. */
    readings: number;
    /** Bytes it takes on disk. */
    bytes: number;
  };
  /** The monitor's counters (`monitor.stats()`). */
  stats: MonitorStats;
  /** Each running device. */
  devices: StatusFileDevice[];
}

/** What the monitor hands to {@link statusDocument}. */
export interface StatusParts {
  namespace: string;
  state: 'running' | 'stopped';
  startedAt: number;
  now: number;
  stats: { readonly [K in keyof MonitorStats]: MonitorStats[K] };
  devices: readonly DeviceState[];
}

/** The status document. Pure. */
export function statusDocument(parts: StatusParts): StatusFile {
  return {
    format: statusFormat,
    namespace: parts.namespace,
    pid: process.pid,
    state: parts.state,
    startedAt: new Date(parts.startedAt).toISOString(),
    updatedAt: new Date(parts.now).toISOString(),
    intervalSeconds: statusIntervalSeconds,
    databaseConnected: !parts.stats.databaseDown,
    spool: { readings: parts.stats.spooled, bytes: parts.stats.spoolBytes },
    stats: { ...parts.stats },
    devices: parts.devices.map((d) => ({
      id: d.id,
      name: d.name,
      driver: d.driver,
      lastReadingAt: d.lastReadingAt?.toISOString() ?? null,
      accepted: d.accepted,
      errors: d.errors,
      failing: d.failing,
      lastError: d.lastError
        ? { stage: d.lastError.stage, message: d.lastError.message, at: d.lastError.at.toISOString() }
        : null,
      rejected: { ...d.rejected },
    })),
  };
}

/** Writes the status file; a failure is reported once until a write succeeds again. */
export class StatusFileWriter {
  private failing = false;
  private writing: Promise<void> | undefined;

  constructor(
    private readonly file: string,
    private readonly logger: MonitorLogger,
  ) {}

  /** Writes `document` atomically; never rejects. Writes never overlap (a busy write is skipped). */
  write(document: StatusFile): Promise<void> {
    if (this.writing && document.state === 'running') return this.writing;
    const previous = this.writing ?? Promise.resolve();
    const tracked: Promise<void> = previous
      .then(() => this.writeNow(document))
      .finally(() => {
        if (this.writing === tracked) this.writing = undefined;
      });
    this.writing = tracked;
    return tracked;
  }

  private async writeNow(document: StatusFile): Promise<void> {
    const temp = path.join(path.dirname(this.file), `.${path.basename(this.file)}.${process.pid}.tmp`);
    try {
      await writeFile(temp, JSON.stringify(document, null, 2) + '\n', { mode: 0o644 });
      await rename(temp, this.file);
      if (this.failing) this.logger.info(`status file ${this.file} is written again`);
      this.failing = false;
    } catch (error) {
      if (!this.failing)
        this.logger.warning(
          `cannot write the status file ${this.file} (${describeError(error)}); raspimon status shows stale data until it can`,
        );
      this.failing = true;
    }
  }
}
