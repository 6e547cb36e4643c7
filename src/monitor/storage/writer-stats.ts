// What the readings writer reports about itself: its counters since start, read by the
// Monitor's stats, the status file and the status page.

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

/** The counters the writer keeps itself (the rest of {@link WriterStats} is read off its state). */
export type WriterCounters = Pick<
  WriterStats,
  'written' | 'duplicates' | 'dropped' | 'spoolDropped' | 'memoryDropped'
>;

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
