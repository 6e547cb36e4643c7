// One unordered insertMany of a batch of readings, as the writer sends it: the client-side
// _ids each reading got at arrival (so a re-sent batch is idempotent: its duplicate-key errors
// mean "already stored"), each value an Int32 when it fits, else an Int64, never a double, and
// a timeout of its own. The answer is sorted into what the writer's retry policy tells apart.
import { randomBytes } from 'node:crypto';
import type { Collection, Document } from 'mongodb';
import type { MongoModule } from '../peers.js';
import type { PendingReading } from './spool.js';

/**
 * Client-side ObjectId hex strings without an ObjectId (and its buffer) per reading: the
 * same layout (4-byte seconds, 5 random bytes, 3-byte counter), with a fresh timestamp and
 * random part whenever the counter wraps, so ids stay unique and, within one run, rise in
 * arrival order.
 */
export class OidSource {
  private prefix = '';
  private counter = 0;

  /** The next id, 24 hex digits. */
  next(): string {
    if (this.counter === 0) {
      const seconds = Math.floor(Date.now() / 1000) >>> 0;
      this.prefix = seconds.toString(16).padStart(8, '0') + randomBytes(5).toString('hex');
    }
    const oid = this.prefix + this.counter.toString(16).padStart(6, '0');
    this.counter = (this.counter + 1) & 0xffffff;
    return oid;
  }
}

/** What became of one insertMany. */
export type InsertOutcome =
  /** Every reading is stored; `duplicates` of them were stored before (a replay). */
  | { kind: 'stored'; duplicates: number }
  /**
   * The server answered but refused `refused` readings for another reason than a duplicate
   * key; `duplicates` were stored before, the rest now.
   */
  | { kind: 'refused'; refused: number; duplicates: number; error: unknown }
  /** Nothing is known stored: the database is unreachable, gave no answer in time, or failed. */
  | { kind: 'failed'; error: unknown };

const int32Max = 2 ** 31 - 1;
const int32Min = -(2 ** 31);
const duplicateKey = 11000;

/** How the writer inserts: the driver module, the collection, the timeout. */
export interface BatchInsertTarget {
  mongo: MongoModule;
  collection: () => Promise<Collection>;
  /** Most ms (real time) the insertMany may take before it counts as failed. */
  timeoutMs: number;
}

/** Inserts `batch` (not empty) with one unordered insertMany and says what became of it. */
export async function insertBatch(
  target: BatchInsertTarget,
  batch: readonly PendingReading[],
): Promise<InsertOutcome> {
  const { ObjectId, Long } = target.mongo;
  const docs: Document[] = batch.map((r) => ({
    _id: ObjectId.createFromHexString(r.oid),
    id: r.id,
    keyId: r.keyId,
    value: r.value >= int32Min && r.value <= int32Max ? r.value : Long.fromNumber(r.value),
    ts: new Date(r.tsMs),
  }));
  try {
    const collection = await target.collection();
    await timed(collection.insertMany(docs, { ordered: false }), target.timeoutMs);
    return { kind: 'stored', duplicates: 0 };
  } catch (error) {
    const writeErrors = (error as { writeErrors?: Array<{ code?: number }> | { code?: number } }).writeErrors;
    const list = writeErrors === undefined ? [] : Array.isArray(writeErrors) ? writeErrors : [writeErrors];
    // A network failure also arrives as MongoBulkWriteError, with no write errors: not stored.
    if (!(error instanceof target.mongo.MongoBulkWriteError) || list.length === 0)
      return { kind: 'failed', error };
    const duplicates = list.filter((e) => e.code === duplicateKey).length;
    return duplicates === list.length
      ? { kind: 'stored', duplicates }
      : { kind: 'refused', refused: list.length - duplicates, duplicates, error };
  }
}

/** `operation`, or a rejection once `ms` went by (the operation is then abandoned). */
function timed<T>(operation: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`insertMany gave no answer within ${ms} ms (the server died under it?)`)),
      ms,
    );
  });
  operation.catch(() => undefined);
  return Promise.race([operation, timeout]).finally(() => clearTimeout(timer));
}
