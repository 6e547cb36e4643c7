// How the readings writer takes the outcome of each insert: the database is down from the
// first failed insert to the next stored batch (reported once each way), retries while it is
// down follow the backoff curve, and readings the server keeps refusing are given up after a
// few tries, loudly. The counters of written, duplicate and dropped readings are kept here.
import { Backoff, describeError } from '../../internal/index.js';
import type { MonitorLogger } from '../types.js';
import type { InsertOutcome } from './insert-batch.js';
import type { WriterSettings } from './writer-settings.js';
import type { WriterCounters } from './writer-stats.js';

const maxRejections = 5;

/** The database's state as the writer's inserts find it, and what to do next. */
export class WriteOutcomes {
  private down = false;
  private rejections = 0;
  private readonly backoff: Backoff;

  constructor(
    settings: WriterSettings,
    private readonly logger: MonitorLogger,
    private readonly counters: WriterCounters,
  ) {
    this.backoff = new Backoff({
      minSeconds: settings.retryMinSeconds,
      maxSeconds: settings.retryMaxSeconds,
      random: settings.random,
    });
  }

  /** Whether the last insert failed. */
  get databaseDown(): boolean {
    return this.down;
  }

  /** Seconds to wait after a failed attempt before the next one. */
  nextRetrySeconds(): number {
    return this.backoff.next();
  }

  /**
   * Counts the `outcome` of inserting `batchLength` readings: `stored` (now or before),
   * `given up` (refused too often, dropped), or `failed` (to be retried). `waiting` says how
   * many readings are still to write, for the recovery report.
   */
  settle(
    batchLength: number,
    outcome: InsertOutcome,
    waiting: () => number,
  ): 'stored' | 'given up' | 'failed' {
    if (outcome.kind === 'stored') {
      this.counters.written += batchLength - outcome.duplicates;
      this.counters.duplicates += outcome.duplicates;
      if (this.down)
        this.logger.info(`readings writer: database reachable again; ${waiting()} reading(s) still to write`);
      this.down = false;
      this.backoff.reset();
      this.rejections = 0;
      return 'stored';
    }
    // The server answered but refused some documents: retry a few times, then give up loudly.
    if (outcome.kind === 'refused' && ++this.rejections >= maxRejections) {
      this.rejections = 0;
      this.counters.dropped += outcome.refused;
      this.counters.written += batchLength - outcome.refused - outcome.duplicates;
      this.logger.error(
        `readings writer: the database rejected ${outcome.refused} reading(s) ${maxRejections} times (${describeError(outcome.error)}); dropped them`,
      );
      return 'given up';
    }
    if (!this.down)
      this.logger.error(
        `readings writer: database unavailable (${describeError(outcome.error)}); readings wait in memory and in the spool until it returns`,
      );
    this.down = true;
    return 'failed';
  }
}
