// `keys set --decimals N --rescale`: rewrites a key's stored history so it keeps its meaning
// under new decimals — readings value × 10^(new − old) in batches, then the hourly and daily
// rollups (multiplied when decimals grow, which is exact; rebuilt from the rescaled readings
// when they shrink, since each reading is rounded on its own).
import type { AnyBulkWriteOperation, Db, Document } from 'mongodb';
import { rebuildRollups } from '../monitor/index.js';
import { storedValue } from '../monitor/intake/scale.js';

/** How a rescale went. */
export interface RescaleResult {
  /** Readings rewritten. */
  readings: number;
  /** Rollup documents rewritten or rebuilt. */
  rollups: number;
}

const int32Min = -(2 ** 31);
const int32Max = 2 ** 31 - 1;

/** The new stored value of an old one: round(old × 10^(to − from)), or undefined when not a safe integer. */
export function rescaled(value: number, fromDecimals: number, toDecimals: number): number | undefined {
  const shift = toDecimals - fromDecimals;
  // Through the decimal string, as the intake scales: 215 → 2150 or 22 exactly.
  const result = storedValue(Number(`${value}e${shift}`), 0);
  return typeof result === 'number' ? result : undefined;
}

/**
 * The first stored value of `keyId` that would not be a safe integer after the rescale, or
 * undefined when all fit (one pass over the key's readings, values only).
 */
export async function firstUnfit(
  db: Db,
  keyId: number,
  fromDecimals: number,
  toDecimals: number,
): Promise<number | undefined> {
  if (toDecimals <= fromDecimals) return undefined;
  const cursor = db.collection('readings').find({ keyId }, { projection: { _id: 0, value: 1 } });
  for await (const doc of cursor) {
    const value = Number(doc.value);
    if (rescaled(value, fromDecimals, toDecimals) === undefined) {
      await cursor.close();
      return value;
    }
  }
  return undefined;
}

/** Rewrites the readings and rollups of `keyId`; `progress` hears after every batch. */
export async function rescaleKey(
  db: Db,
  options: {
    keyId: number;
    fromDecimals: number;
    toDecimals: number;
    Long: { fromNumber(n: number): unknown };
    batchSize?: number;
    progress(done: number, total: number, what: string): void;
  },
): Promise<RescaleResult> {
  const { keyId, fromDecimals, toDecimals, Long } = options;
  const batchSize = options.batchSize ?? 1000;
  const readings = db.collection('readings');
  const total = await readings.countDocuments({ keyId });
  const stored = (n: number): unknown => (n >= int32Min && n <= int32Max ? n : Long.fromNumber(n));
  let done = 0;
  let firstMs = Infinity;
  let lastMs = -Infinity;
  if (toDecimals > fromDecimals) {
    // Growing decimals: $mul by an integer is exact and atomic per document; batches are
    // ranges of _id (on FerretDB v1 every filtered update is a scan: one per batch, not per reading).
    const factor = 10 ** (toDecimals - fromDecimals);
    const bounds: unknown[] = [];
    let n = 0;
    for await (const doc of readings.find({ keyId }, { projection: { _id: 1 } }).sort({ _id: 1 }))
      if (n++ % batchSize === 0) bounds.push(doc._id);
    for (let i = 0; i < bounds.length; i++) {
      const range: Document = { $gte: bounds[i] };
      if (i + 1 < bounds.length) range.$lt = bounds[i + 1];
      await readings.updateMany({ keyId, _id: range }, { $mul: { value: factor } });
      done = Math.min(total, (i + 1) * batchSize);
      options.progress(done, total, 'readings');
    }
  } else {
    let batch: AnyBulkWriteOperation<Document>[] = [];
    const flush = async (): Promise<void> => {
      if (batch.length === 0) return;
      await readings.bulkWrite(batch, { ordered: false });
      done += batch.length;
      batch = [];
      options.progress(done, total, 'readings');
    };
    // Fewer decimals: each reading rounded on its own, written by _id (sorted: a write never
    // moves a document the cursor has yet to visit).
    for await (const doc of readings
      .find({ keyId }, { projection: { _id: 1, value: 1, ts: 1 } })
      .sort({ _id: 1 })) {
      const value = rescaled(Number(doc.value), fromDecimals, toDecimals)!;
      const ts = (doc.ts as Date).getTime();
      firstMs = Math.min(firstMs, ts);
      lastMs = Math.max(lastMs, ts);
      batch.push({ updateOne: { filter: { _id: doc._id }, update: { $set: { value: stored(value) } } } });
      if (batch.length >= batchSize) await flush();
    }
    await flush();
  }
  let rollups = 0;
  if (toDecimals > fromDecimals) {
    const factor = 10 ** (toDecimals - fromDecimals);
    for (const name of ['readings_hourly', 'readings_daily']) {
      const result = await db
        .collection(name)
        .updateMany({ keyId }, { $mul: { sum: factor, min: factor, max: factor } });
      rollups += result.modifiedCount;
      options.progress(rollups, rollups, name);
    }
  } else if (total > 0) {
    const day = 86_400_000;
    const result = await rebuildRollups(db, {
      from: new Date(Math.floor(firstMs / day) * day),
      to: new Date(Math.floor(lastMs / day) * day + day),
    });
    rollups = result.hourly + result.daily;
    options.progress(rollups, rollups, 'rollups rebuilt');
  }
  return { readings: done, rollups };
}
