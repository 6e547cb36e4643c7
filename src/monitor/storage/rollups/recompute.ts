// Rollups recomputed from raw readings: one streaming find over a time range (a single
// scan on FerretDB v1, whatever the number of pairs), accumulated per (device, key, hour).
// Used by the monitor after a crash (the open hours) and by `raspimon rollups rebuild`.
import type { Collection, Db } from 'mongodb';
import { RaspimonRangeError } from '../../../errors.js';
import { toMs, type TimeInput } from '../readings-queries.js';
import {
  addReading,
  bucketStartMs,
  mergeInto,
  newAccumulator,
  resolutions,
  rollupDocument,
  type Accumulator,
  type RollupDocument,
} from './bucket-math.js';

const hourMs = 3_600_000;
const dayMs = 86_400_000;

/** Accumulators of one resolution: pair → bucket start (epoch ms) → accumulator. */
export type BucketMap = Map<string, { id: number; keyId: number; buckets: Map<number, Accumulator> }>;

function add(map: BucketMap, id: number, keyId: number, startMs: number, value: number, tsMs: number): void {
  const pair = `${id}:${keyId}`;
  let entry = map.get(pair);
  if (!entry) map.set(pair, (entry = { id, keyId, buckets: new Map() }));
  const acc = entry.buckets.get(startMs);
  if (acc) addReading(acc, value, tsMs);
  else entry.buckets.set(startMs, newAccumulator(value, tsMs));
}

/** Hourly accumulators of every pair from the raw readings with `fromMs ≤ ts < toMs`. */
export async function hourlyFromRaw(readings: Collection, fromMs: number, toMs: number): Promise<BucketMap> {
  const map: BucketMap = new Map();
  const cursor = readings
    .find({ ts: { $gte: new Date(fromMs), $lt: new Date(toMs) } })
    .project<{ id: number; keyId: number; value: unknown; ts: Date }>({
      _id: 0,
      id: 1,
      keyId: 1,
      value: 1,
      ts: 1,
    });
  for await (const doc of cursor) {
    const tsMs = doc.ts.getTime();
    add(map, Number(doc.id), Number(doc.keyId), bucketStartMs(tsMs, 3600), Number(doc.value), tsMs);
  }
  return map;
}

/** Daily accumulators merged from hourly ones. */
export function dailyFromHourly(hourly: BucketMap): BucketMap {
  const map: BucketMap = new Map();
  for (const [pair, { id, keyId, buckets }] of hourly) {
    const days = new Map<number, Accumulator>();
    for (const [start, acc] of buckets) {
      const day = bucketStartMs(start, 86_400);
      const into = days.get(day);
      if (into) mergeInto(into, acc);
      else days.set(day, { ...acc });
    }
    map.set(pair, { id, keyId, buckets: days });
  }
  return map;
}

/** The rollup documents of a bucket map, sorted by start then pair. */
export function documentsOf(map: BucketMap): RollupDocument[] {
  const docs: RollupDocument[] = [];
  for (const { id, keyId, buckets } of map.values())
    for (const [start, acc] of buckets) docs.push(rollupDocument(id, keyId, start, acc));
  return docs.sort((a, b) => a.start.getTime() - b.start.getTime() || a.id - b.id || a.keyId - b.keyId);
}

/** Unordered insertMany that treats duplicate `_id`s (a replay) as already written. */
export async function insertRollups(
  collection: Collection,
  docs: readonly RollupDocument[],
): Promise<number> {
  if (docs.length === 0) return 0;
  try {
    // String _ids (the contract), not ObjectIds: the collection is typed for them here.
    const typed = collection as unknown as Collection<RollupDocument>;
    const result = await typed.insertMany(
      docs.map((d) => ({ ...d })),
      { ordered: false },
    );
    return result.insertedCount;
  } catch (error) {
    const list = (error as { writeErrors?: unknown }).writeErrors;
    const errors = (Array.isArray(list) ? list : list === undefined ? [] : [list]) as Array<{
      code?: number;
    }>;
    if (errors.length > 0 && errors.every((e) => e.code === 11000)) return docs.length - errors.length;
    throw error;
  }
}

/** What a rebuild did. */
export interface RebuildResult {
  /** Start of the rebuilt range (aligned down to a UTC day). */
  from: Date;
  /** End of the rebuilt range (aligned up to a UTC day). */
  to: Date;
  /** Hourly buckets written. */
  hourly: number;
  /** Daily buckets written. */
  daily: number;
  /** Raw readings read. */
  readings: number;
}

/**
 * Recomputes `readings_hourly` and `readings_daily` of a namespace for the whole UTC days
 * covering `[from, to)` (Dates or epoch seconds) from its raw readings, in one scan of
 * them: deletes the buckets in that range, then inserts the recomputed ones. What
 * `raspimon rollups rebuild` and `monitor.rebuildRollups()` run.
 *
 * @example
 * ```ts
 * const result = await rebuildRollups(client.db(namespace), { from: new Date('2026-11-01'), to: new Date('2026-11-08') });
 * console.log(result.hourly, 'hourly buckets');
 * ```
 */
export async function rebuildRollups(
  db: Db,
  range: { from: TimeInput; to: TimeInput },
): Promise<RebuildResult> {
  const fromMs = toMs(range.from, 'from');
  const toMsValue = toMs(range.to, 'to');
  if (toMsValue <= fromMs)
    throw new RaspimonRangeError(
      'ERR_OUT_OF_RANGE',
      `rebuildRollups: to must be after from, got ${new Date(fromMs).toISOString()} to ${new Date(toMsValue).toISOString()}`,
    );
  return rebuild(db, fromMs, toMsValue);
}

async function rebuild(db: Db, fromMs: number, toMs: number): Promise<RebuildResult> {
  const from = Math.floor(fromMs / dayMs) * dayMs;
  const to = Math.ceil(toMs / dayMs) * dayMs;
  const hourly = await hourlyFromRaw(db.collection('readings'), from, to);
  const daily = dailyFromHourly(hourly);
  let readings = 0;
  for (const { buckets } of hourly.values()) for (const acc of buckets.values()) readings += acc.count;
  const range = { start: { $gte: new Date(from), $lt: new Date(to) } };
  const [hourlyRes, dailyRes] = resolutions;
  await db.collection(hourlyRes!.collection).deleteMany(range);
  await db.collection(dailyRes!.collection).deleteMany(range);
  const writtenHourly = await insertRollups(db.collection(hourlyRes!.collection), documentsOf(hourly));
  const writtenDaily = await insertRollups(db.collection(dailyRes!.collection), documentsOf(daily));
  return { from: new Date(from), to: new Date(to), hourly: writtenHourly, daily: writtenDaily, readings };
}

export { hourMs, dayMs };
