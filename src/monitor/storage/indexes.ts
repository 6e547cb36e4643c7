import type { Db } from 'mongodb';
import { describeError } from '../../internal/index.js';
import type { MongoModule } from '../peers.js';
import type { MonitorLogger } from '../types.js';

const wanted: ReadonlyArray<[collection: string, keys: Record<string, 1>, unique: boolean]> = [
  ['devices', { id: 1 }, true],
  ['devices', { name: 1 }, true],
  ['keys', { keyId: 1 }, true],
  ['readings', { id: 1, keyId: 1, ts: 1 }, false],
];

/**
 * Creates the namespace's indexes (idempotent). A server refusal (e.g. duplicates already
 * stored, which validation reports per device) is logged and the monitor runs on; a
 * network error propagates, so the connection is retried.
 */
export async function ensureIndexes(mongo: MongoModule, db: Db, logger: MonitorLogger): Promise<void> {
  for (const [collection, keys, unique] of wanted) {
    try {
      await db.collection(collection).createIndex(keys, { unique });
    } catch (error) {
      if (!(error instanceof mongo.MongoServerError)) throw error;
      logger.error(
        `cannot create the ${unique ? 'unique ' : ''}index ${collection}.${Object.keys(keys).join('+')} (${describeError(error)}); if duplicates are stored, fix them; the index is tried again at the next start`,
      );
    }
  }
}
