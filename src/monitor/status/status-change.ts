// When the status file is worth writing again (issue 21: an idle Pi should not rewrite a file
// nobody's view of changed). The monitor looks every `statusCheckSeconds`; it writes at once
// when the monitor's health as `raspimon status` shows it changed (state, database, spool,
// drops, a device added, removed, failing, erroring, skipping readings, or its first reading),
// and otherwise every `statusIntervalSeconds`, which also refreshes the counters that grow
// while all is well (readings accepted and written, the last reading's time) and keeps the
// file young enough for a reader to tell a live monitor from a dead one. Pure: no I/O.
import type { StatusFile } from './status-file.js';

/** Seconds between two looks at what the status file would show. */
export const statusCheckSeconds = 10;

/** Checks between two writes when the health did not change (statusIntervalSeconds ÷ statusCheckSeconds). */
export function checksPerWrite(intervalSeconds: number): number {
  return Math.max(1, Math.round(intervalSeconds / statusCheckSeconds));
}

/** What a reader judges the monitor's health by: the document without its growing counters. */
export function statusHealthKey(doc: StatusFile): string {
  const s = doc.stats;
  return JSON.stringify([
    doc.state,
    doc.databaseConnected,
    doc.spool,
    [s.devices, s.dropped, s.spoolDropped, s.memoryDropped, s.backlogDropped, s.mqttConnected ?? null],
    doc.devices.map((d) => [
      d.id,
      d.name,
      d.driver,
      d.lastReadingAt !== null,
      d.errors,
      d.failing,
      d.lastError,
      d.rejected,
    ]),
  ]);
}

/** The status writes of one run: whether the document of this check is due. */
export class StatusWrites {
  private lastKey: string | undefined;
  private checksSince = 0;

  constructor(private readonly checksBetween: number) {}

  /** True when `doc` should be written now (and counts it as written). */
  due(doc: StatusFile): boolean {
    const key = statusHealthKey(doc);
    this.checksSince++;
    if (key === this.lastKey && this.checksSince < this.checksBetween && doc.state === 'running')
      return false;
    this.lastKey = key;
    this.checksSince = 0;
    return true;
  }
}
