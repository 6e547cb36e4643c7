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
  // Without $group on computed keys (FerretDB v1): one streamed scan of the range, bucketed
  // here. One query, memory per bucket with readings (a query per bucket took seconds).
  const buckets = new Map<number, BucketStats & { sum: number }>();
  const cursor = readings.find(match, { projection: { _id: 0, value: 1, ts: 1 } });
  for await (const doc of cursor) {
    const value = Number(doc.value);
    const start = Math.floor((doc.ts as Date).getTime() / bucketMs) * bucketMs;
    const bucket = buckets.get(start);
    if (bucket) {
      bucket.count++;
      bucket.sum += value;
      if (value < bucket.min) bucket.min = value;
      if (value > bucket.max) bucket.max = value;
    } else
      buckets.set(start, { start: new Date(start), count: 1, sum: value, min: value, max: value, avg: 0 });
  }
  return [...buckets.values()]
    .sort((a, b) => a.start.getTime() - b.start.getTime())
    .map(({ start, count, sum, min, max }) => ({ start, count, min, max, avg: sum / count }));
}
