// Replaying one spool segment into the database: the writer's way back from an outage. The
// segment is pinned while it is read and written (so thinning at the spool's limit leaves it
// alone), sent in batches, and removed only once every batch is stored; a segment that cannot
// be read at all is reported and removed, as a torn line in it is reported and skipped.
import { describeError } from '../../internal/index.js';
import type { MonitorLogger } from '../types.js';
import type { PendingReading, Spool } from './spool.js';

/** What a replay writes with, and when it must stop. */
export interface SegmentReplay {
  spool: Spool;
  logger: MonitorLogger;
  batchSize: number;
  /** Stores one batch; true when every reading in it is stored (now or before). */
  insert: (batch: readonly PendingReading[]) => Promise<boolean>;
  /** Whether the writer is closing: the replay stops after the batch under way. */
  closing: () => boolean;
}

/**
 * Replays `segment`; true when it is gone from the spool (stored, or unreadable and dropped),
 * false when a batch could not be stored or the writer is closing (the segment stays).
 */
export async function replaySegment(segment: string, via: SegmentReplay): Promise<boolean> {
  via.spool.pin(segment);
  try {
    return await replayPinned(segment, via);
  } finally {
    via.spool.pin(undefined);
  }
}

async function replayPinned(
  segment: string,
  { spool, logger, batchSize, insert, closing }: SegmentReplay,
): Promise<boolean> {
  let content;
  try {
    content = await spool.read(segment);
  } catch (error) {
    logger.error(`readings spool: cannot read ${segment} (${describeError(error)}); moving on`);
    await spool.remove(segment).catch(() => undefined);
    return true;
  }
  if (content.badLines > 0)
    logger.error(
      `readings spool: ${content.badLines} unreadable line(s) in ${segment} (torn write after a crash?) were skipped`,
    );
  for (let i = 0; i < content.readings.length; i += batchSize) {
    const chunk = content.readings.slice(i, i + batchSize);
    if (!(await insert(chunk))) return false;
    if (closing()) return false;
  }
  await spool.remove(segment);
  return true;
}
