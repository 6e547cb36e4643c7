// Pure bucket arithmetic shared by the in-memory minute windows, the hourly/daily
// accumulators and the rebuild from raw readings: alignment to epoch multiples, one
// accumulator shape (count, sum, min, max, first and last with their times), merging,
// and the insert-only rollup document with its deterministic _id. No I/O here.

/** Statistics of one bucket of readings, as kept in memory and written to the rollups. */
export interface Accumulator {
  /** Readings in the bucket (≥ 1 once anything was added). */
  count: number;
  /** Sum of the values (exact while below 2^53). */
  sum: number;
  /** Smallest value. */
  min: number;
  /** Largest value. */
  max: number;
  /** Value of the earliest reading (by ts; the first one added wins a tie). */
  first: number;
  /** Time of the earliest reading, epoch ms. */
  firstTs: number;
  /** Value of the latest reading (by ts; the last one added wins a tie). */
  last: number;
  /** Time of the latest reading, epoch ms. */
  lastTs: number;
}

/** A rollup resolution: the bucket size and the collection its closed buckets go to. */
export interface Resolution {
  /** `'hourly'` or `'daily'`. */
  name: 'hourly' | 'daily';
  /** Bucket size in seconds (3600, 86400); buckets start at epoch multiples (UTC). */
  seconds: number;
  /** Collection in the namespace, `readings_hourly` or `readings_daily`. */
  collection: string;
}

/** The two written resolutions, coarse last. */
export const resolutions: readonly Resolution[] = [
  { name: 'hourly', seconds: 3600, collection: 'readings_hourly' },
  { name: 'daily', seconds: 86_400, collection: 'readings_daily' },
];

/** Start (epoch ms) of the bucket of `seconds` holding `tsMs`; buckets are epoch-aligned. */
export function bucketStartMs(tsMs: number, seconds: number): number {
  const size = seconds * 1000;
  return Math.floor(tsMs / size) * size;
}

/** A new accumulator holding one reading. */
export function newAccumulator(value: number, tsMs: number): Accumulator {
  return {
    count: 1,
    sum: value,
    min: value,
    max: value,
    first: value,
    firstTs: tsMs,
    last: value,
    lastTs: tsMs,
  };
}

/** Adds one reading to `acc` in place. */
export function addReading(acc: Accumulator, value: number, tsMs: number): void {
  acc.count++;
  acc.sum += value;
  if (value < acc.min) acc.min = value;
  if (value > acc.max) acc.max = value;
  if (tsMs < acc.firstTs) {
    acc.first = value;
    acc.firstTs = tsMs;
  }
  if (tsMs >= acc.lastTs) {
    acc.last = value;
    acc.lastTs = tsMs;
  }
}

/** Adds `from` into `into` in place (bucket merge, e.g. minutes into an hour). */
export function mergeInto(into: Accumulator, from: Accumulator): void {
  into.count += from.count;
  into.sum += from.sum;
  if (from.min < into.min) into.min = from.min;
  if (from.max > into.max) into.max = from.max;
  if (from.firstTs < into.firstTs) {
    into.first = from.first;
    into.firstTs = from.firstTs;
  }
  if (from.lastTs >= into.lastTs) {
    into.last = from.last;
    into.lastTs = from.lastTs;
  }
}

/** Recomputes an accumulator from readings (the oracle of the exactness tests and the rebuild). */
export function accumulate(readings: Iterable<{ value: number; tsMs: number }>): Accumulator | undefined {
  let acc: Accumulator | undefined;
  for (const r of readings) {
    if (acc) addReading(acc, r.value, r.tsMs);
    else acc = newAccumulator(r.value, r.tsMs);
  }
  return acc;
}

/** The deterministic `_id` of a rollup bucket: `"<id>:<keyId>:<bucket start, epoch s>"`. */
export function rollupId(id: number, keyId: number, startMs: number): string {
  return `${id}:${keyId}:${Math.floor(startMs / 1000)}`;
}

/** A document of `readings_hourly` / `readings_daily` (the contract of the "see" issue). */
export interface RollupDocument {
  /** `"<id>:<keyId>:<bucket start, epoch s>"`: a replayed insert is a duplicate-key no-op. */
  _id: string;
  /** Device id. */
  id: number;
  /** Key id. */
  keyId: number;
  /** Start of the bucket. */
  start: Date;
  /** Readings in the bucket. */
  count: number;
  /** Sum of their values. */
  sum: number;
  /** Smallest value. */
  min: number;
  /** Largest value. */
  max: number;
}

/** The rollup document of one closed bucket. */
export function rollupDocument(id: number, keyId: number, startMs: number, acc: Accumulator): RollupDocument {
  return {
    _id: rollupId(id, keyId, startMs),
    id,
    keyId,
    start: new Date(startMs),
    count: acc.count,
    sum: acc.sum,
    min: acc.min,
    max: acc.max,
  };
}

/** The key of a (device, key) pair in maps. */
export function pairKey(id: number, keyId: number): string {
  return `${id}:${keyId}`;
}

/**
 * The accumulator of a stored rollup row (`readings_hourly` / `readings_daily`) starting at
 * `startMs`: the row keeps no first/last, so they stand in as min and max at the start.
 */
export function accumulatorOfRow(row: Record<string, unknown>, startMs: number): Accumulator {
  return {
    count: Number(row.count),
    sum: Number(row.sum),
    min: Number(row.min),
    max: Number(row.max),
    first: Number(row.min),
    firstTs: startMs,
    last: Number(row.max),
    lastTs: startMs,
  };
}
