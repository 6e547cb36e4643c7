// The hand-off of stored readings to their listeners (the rollups): each batch once the
// database holds it. A listener that throws must not stop the writer or the other listeners,
// and is reported once, not at every batch.
import { describeError } from '../../internal/index.js';
import type { MonitorLogger } from '../types.js';

/** A reading as stored: what {@link StoredListener}s receive. */
export interface StoredReading {
  /** Device id. */
  readonly id: number;
  /** Key of the reading. */
  readonly keyId: number;
  /** The stored integer. */
  readonly value: number;
  /** Epoch ms. */
  readonly tsMs: number;
}

/**
 * Called with each batch once the database holds it (rollups). Within a run each reading
 * is passed once; a reading found already stored by a replay after a crash may have been
 * passed in the previous run too.
 */
export type StoredListener = (readings: readonly StoredReading[]) => void;

/** Passes stored batches to a live set of listeners, reporting each failing listener once. */
export class StoredListeners {
  private readonly failed = new WeakSet<StoredListener>();

  constructor(
    /** Live set, as the intake's: listeners added later get the later batches. */
    private readonly listeners: ReadonlySet<StoredListener>,
    private readonly logger: MonitorLogger,
  ) {}

  /** Hands `batch`, now stored, to every listener. */
  notify(batch: readonly StoredReading[]): void {
    for (const listener of this.listeners) {
      try {
        listener(batch);
      } catch (error) {
        if (this.failed.has(listener)) continue;
        this.failed.add(listener);
        this.logger.error(
          `stored-readings listener failed (${describeError(error)}); readings are stored; further failures of this listener are not reported`,
        );
      }
    }
  }
}
