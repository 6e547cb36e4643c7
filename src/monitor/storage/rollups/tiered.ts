// Bucket statistics from the cheapest source that is exact: the in-memory minute windows
// (the last 24 h since start), then the written rollups (whole hours or days), then raw
// readings only for what neither covers. Every piece boundary except `from`/`to` is a
// bucket boundary, so no bucket is split between two sources.
import type { Collection, Db } from 'mongodb';
import { bucketStats, type BucketStats } from '../readings-queries.js';
import { accumulatorOfRow, bucketStartMs, mergeInto, type Accumulator } from './bucket-math.js';
import type { MinuteWindow } from './minute-window.js';

const minuteMs = 60_000;
const hourMs = 3_600_000;

/** What the tiers need to know about the in-memory and written rollups. */
export interface TierSources {
  /** The pair's minute window, if any. */
  window: MinuteWindow | undefined;
  /** Memory is complete for minutes from here on (epoch ms, minute-aligned). */
  memoryFromMs: number;
  /** Every hour before this is written to the rollup collections… */
  writtenThroughMs: number;
  /** …and from this one on (earlier readings, e.g. before the first run, are only raw). */
  rollupsFromMs: number;
  /** The monitor's clock (readings more than a minute ahead of it are not kept in memory). */
  nowMs: number;
}

/** One bucket query in epoch ms. */
export interface TierQuery {
  id: number;
  keyId: number;
  fromMs: number;
  toMs: number;
  bucketSeconds: number;
}

function upTo(t: number, size: number): number {
  return Math.ceil(t / size) * size;
}

function toStats(start: number, acc: Accumulator): BucketStats {
  return { start: new Date(start), count: acc.count, min: acc.min, max: acc.max, avg: acc.sum / acc.count };
}

/** Buckets of `[fromMs, toMs)` (whole minutes) answered from a minute window (the caller checked coverage). */
export function bucketsFromWindow(
  window: MinuteWindow,
  fromMs: number,
  toMs: number,
  bucketSeconds: number,
): BucketStats[] {
  return window.bucketStats(fromMs / minuteMs, toMs / minuteMs, bucketSeconds / 60);
}

async function bucketsFromRollups(
  collection: Collection,
  q: TierQuery,
  fromMs: number,
  toMs: number,
): Promise<BucketStats[]> {
  const rows = await collection
    .find({ id: q.id, keyId: q.keyId, start: { $gte: new Date(fromMs), $lt: new Date(toMs) } })
    .toArray();
  const buckets = new Map<number, Accumulator>();
  for (const row of rows) {
    const start = (row.start as Date).getTime();
    const acc = accumulatorOfRow(row, start);
    const b = bucketStartMs(start, q.bucketSeconds);
    const into = buckets.get(b);
    if (into) mergeInto(into, acc);
    else buckets.set(b, acc);
  }
  return [...buckets].map(([b, acc]) => toStats(b, acc));
}

/** Count/min/max/avg per bucket over memory, rollups and raw readings (`db` opened only if needed). */
export async function tieredBuckets(
  database: () => Promise<Db>,
  sources: TierSources,
  q: TierQuery,
): Promise<BucketStats[]> {
  const size = q.bucketSeconds * 1000;
  const { fromMs, toMs } = q;
  const pieces: Array<Promise<BucketStats[]>> = [];
  const raw = (a: number, b: number): void => {
    if (b > a)
      pieces.push(
        database().then((db) =>
          bucketStats(db.collection('readings'), {
            ...q,
            from: new Date(a),
            to: new Date(b),
            bucketSeconds: q.bucketSeconds,
          }),
        ),
      );
  };
  // Memory: [memStart, memEnd), when buckets are whole minutes.
  let memStart = toMs;
  let memEnd = toMs;
  if (sources.window && size % minuteMs === 0) {
    const start = Math.max(fromMs, sources.memoryFromMs);
    memStart = start === fromMs && fromMs % minuteMs === 0 ? fromMs : upTo(start, size);
    memEnd = toMs % minuteMs === 0 ? toMs : bucketStartMs(toMs, q.bucketSeconds);
    if (toMs > sources.nowMs + minuteMs)
      memEnd = Math.min(memEnd, bucketStartMs(sources.nowMs, q.bucketSeconds));
    if (memEnd <= memStart) memStart = memEnd = toMs;
  }
  const head = Math.min(memStart, toMs);
  // Rollups: whole hours (or days) in [a, b) before memory and before what is unwritten.
  let a = head;
  let b = head;
  if (size % hourMs === 0) {
    a = Math.max(fromMs % size === 0 ? fromMs : upTo(fromMs, size), upTo(sources.rollupsFromMs, size));
    b = Math.min(head, bucketStartMs(sources.writtenThroughMs, q.bucketSeconds));
    if (b <= a) a = b = head;
  }
  raw(fromMs, a);
  if (b > a) {
    const name = size % 86_400_000 === 0 ? 'readings_daily' : 'readings_hourly';
    pieces.push(database().then((db) => bucketsFromRollups(db.collection(name), q, a, b)));
  }
  raw(b, memStart);
  const memory =
    memEnd > memStart ? bucketsFromWindow(sources.window!, memStart, memEnd, q.bucketSeconds) : [];
  raw(memEnd, toMs);
  if (pieces.length === 0) return memory;
  const all = (await Promise.all(pieces)).flat().concat(memory);
  return all.sort((x, y) => x.start.getTime() - y.start.getTime());
}
