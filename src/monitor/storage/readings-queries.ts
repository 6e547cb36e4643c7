// Read helpers over the readings collection that run on MongoDB and on FerretDB v1.
// FerretDB v1 implements $group with $sum only (no $min/$max/$first, no date arithmetic),
// so the bucket statistics try the one-pipeline form first and fall back to per-bucket
// queries (count, a $group $sum, sort+limit for min/max) when the server answers
// NotImplemented.
import type { Collection, Document } from 'mongodb';
import { RaspimonRangeError, RaspimonTypeError } from '../../errors.js';

/** A stored reading. */
export interface Reading {
  /** Id of the device that produced it. */
  id: number;
  /** What was measured: a `keyId` of the `keys` collection. */
  keyId: number;
  /** The stored integer, in the key's unit (e.g. millidegrees). */
  value: number;
  /** When it was measured (or received, if the driver gave no time). */
  ts: Date;
}

/** Statistics of one time bucket (only buckets with readings are returned). */
export interface BucketStats {
  /** Start of the bucket (aligned to epoch multiples of the bucket size). */
  start: Date;
  /** Readings in the bucket (at least 1). */
  count: number;
  /** Smallest value in the bucket. */
  min: number;
  /** Largest value in the bucket. */
  max: number;
  /** Mean of the values in the bucket (not rounded). */
  avg: number;
}

/** A time given to the public API: a `Date` or epoch seconds. */
export type TimeInput = Date | number;

/** Epoch ms of a Date or epoch-seconds input; throws a clear error for anything else. */
export function toMs(value: TimeInput, name: string): number {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value * 1000 : NaN;
  if (!Number.isFinite(ms))
    throw new RaspimonTypeError(
      'ERR_INVALID_ARG_TYPE',
      `${name} must be a Date or epoch seconds, got ${String(value)}`,
    );
  return ms;
}

function toReading(doc: Document): Reading {
  return { id: Number(doc.id), keyId: Number(doc.keyId), value: Number(doc.value), ts: doc.ts as Date };
}

/** Readings of one device and key with `from ≤ ts < to`, oldest first. */
export async function findReadings(
  readings: Collection,
  query: { id: number; keyId: number; from: TimeInput; to: TimeInput; limit?: number },
): Promise<Reading[]> {
  const cursor = readings
    .find({
      id: query.id,
      keyId: query.keyId,
      ts: { $gte: new Date(toMs(query.from, 'from')), $lt: new Date(toMs(query.to, 'to')) },
    })
    .sort({ ts: 1 })
    .project({ _id: 0, id: 1, keyId: 1, value: 1, ts: 1 });
  if (query.limit !== undefined) cursor.limit(query.limit);
  return (await cursor.toArray()).map(toReading);
}

/** The newest reading of every (device, key) pair, optionally of one device. */
export async function latestReadings(readings: Collection, query: { id?: number } = {}): Promise<Reading[]> {
  const match = query.id === undefined ? {} : { id: query.id };
  const pairs = await readings
    .aggregate<{ _id: { id: number; keyId: number } }>([
      { $match: match },
      { $group: { _id: { id: '$id', keyId: '$keyId' }, n: { $sum: 1 } } },
    ])
    .toArray();
  const latest = await Promise.all(
    pairs.map(({ _id }) =>
      readings.find({ id: _id.id, keyId: _id.keyId }).sort({ ts: -1 }).limit(1).project({ _id: 0 }).next(),
    ),
  );
  return latest
    .filter((doc): doc is Document => doc !== null)
    .map(toReading)
    .sort((a, b) => a.id - b.id || a.keyId - b.keyId);
}

const maxBuckets = 10_000;

/** The single-pipeline form (MongoDB ≥ 4): bucket start = ts − (ts mod size). */
export function bucketPipeline(match: Document, bucketMs: number): Document[] {
  const ms = { $toLong: '$ts' };
  return [
    { $match: match },
    {
      $group: {
        _id: { $subtract: [ms, { $mod: [ms, bucketMs] }] },
        count: { $sum: 1 },
        min: { $min: '$value' },
        max: { $max: '$value' },
        avg: { $avg: '$value' },
      },
    },
    { $sort: { _id: 1 } },
  ];
}

function isNotImplemented(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown };
  return e.code === 238 || (typeof e.message === 'string' && /not implemented/i.test(e.message));
}

/**
 * Count, min, max and average per bucket of `bucketSeconds` (e.g. 3600 for hourly) for one
 * device and key over `from ≤ ts < to`.
 */
export async function bucketStats(
  readings: Collection,
  query: { id: number; keyId: number; from: TimeInput; to: TimeInput; bucketSeconds: number },
): Promise<BucketStats[]> {
  const fromMs = toMs(query.from, 'from');
  const toMsValue = toMs(query.to, 'to');
  if (!(query.bucketSeconds > 0) || !Number.isFinite(query.bucketSeconds)) {
    throw new RaspimonRangeError(
      'ERR_OUT_OF_RANGE',
      `bucketSeconds must be a positive number, got ${query.bucketSeconds}`,
    );
  }
  const bucketMs = Math.round(query.bucketSeconds * 1000);
  const match = {
    id: query.id,
    keyId: query.keyId,
    ts: { $gte: new Date(fromMs), $lt: new Date(toMsValue) },
  };
  try {
    const rows = await readings
      .aggregate<{ _id: number; count: number; min: number; max: number; avg: number }>(
        bucketPipeline(match, bucketMs),
      )
      .toArray();
    return rows.map((r) => ({
      start: new Date(Number(r._id)),
      count: r.count,
      min: Number(r.min),
      max: Number(r.max),
      avg: r.avg,
    }));
  } catch (error) {
    if (!isNotImplemented(error)) throw error;
  }
  const first = Math.floor(fromMs / bucketMs) * bucketMs;
  const count = Math.ceil((toMsValue - first) / bucketMs);
  if (count > maxBuckets)
    throw new RaspimonRangeError(
      'ERR_OUT_OF_RANGE',
      `${count} buckets requested (more than ${maxBuckets}); use a larger bucketSeconds or a shorter range`,
    );
  const starts = Array.from({ length: Math.max(0, count) }, (_, i) => first + i * bucketMs);
  const stats = await Promise.all(
    starts.map((start) =>
      oneBucket(
        readings,
        query.id,
        query.keyId,
        Math.max(start, fromMs),
        Math.min(start + bucketMs, toMsValue),
        start,
      ),
    ),
  );
  return stats.filter((s): s is BucketStats => s !== undefined);
}

async function oneBucket(
  readings: Collection,
  id: number,
  keyId: number,
  fromMs: number,
  toMsValue: number,
  start: number,
): Promise<BucketStats | undefined> {
  const filter = { id, keyId, ts: { $gte: new Date(fromMs), $lt: new Date(toMsValue) } };
  const count = await readings.countDocuments(filter);
  if (count === 0) return undefined;
  // One accumulator per $group: FerretDB v1 computes only the first of several (verified on 1.24.2).
  const [sums, low, high] = await Promise.all([
    readings
      .aggregate<{ sum: number }>([{ $match: filter }, { $group: { _id: null, sum: { $sum: '$value' } } }])
      .next(),
    readings.find(filter).sort({ value: 1 }).limit(1).project({ value: 1 }).next(),
    readings.find(filter).sort({ value: -1 }).limit(1).project({ value: 1 }).next(),
  ]);
  return {
    start: new Date(start),
    count,
    min: Number(low?.value),
    max: Number(high?.value),
    avg: Number(sums?.sum) / count,
  };
}
