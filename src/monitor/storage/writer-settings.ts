// The readings writer's settings, as the Monitor resolves them from its options.

/** Settings of the writer, resolved by the Monitor. */
export interface WriterSettings {
  batchSize: number;
  flushSeconds: number;
  memoryLimit: number;
  retryMinSeconds: number;
  retryMaxSeconds: number;
  /** Jitter source of the retry backoff; a constant in tests. @default Math.random */
  random?: () => number;
  /**
   * Most ms (real time, as a socket timeout) one insertMany may take: an insert sent on a
   * pooled connection to a server that has just been killed was seen to hang for good with
   * the driver's own timeouts set, stalling the writer. A timed-out insert counts as failed
   * and is retried (its client-side _ids make that idempotent). @default 30000
   */
  insertTimeoutMs?: number;
}

/**
 * The writer's retry curve from the device retry option: the same doubling, but capped at
 * 1 s first and 10 s max, so the spool drains soon after the server returns.
 */
export function writerRetry(retry: { minSeconds: number; maxSeconds: number }): {
  retryMinSeconds: number;
  retryMaxSeconds: number;
} {
  return { retryMinSeconds: Math.min(retry.minSeconds, 1), retryMaxSeconds: Math.min(retry.maxSeconds, 10) };
}
