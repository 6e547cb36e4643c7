// Bucket statistics for the CLI, which has no monitor memory: whole hours/days from the
// rollup collections up to the newest written hour, raw readings for the rest (and for
// buckets shorter than an hour). One scan of each collection at most.
import type { Db, Document } from 'mongodb';
import { databaseOperation } from './database.js';

/** One bucket as the CLI prints it. */
export interface CliBucket {
  start: Date;
  count: number;
  min: number;
  max: number;
  avg: number;
}

const hourMs = 3_600_000;

interface Acc {
  count: number;
  sum: number;
  min: number;
  max: number;
}

function add(map: Map<number, Acc>, start: number, a: Acc): void {
  const into = map.get(start);
  if (!into) map.set(start, { ...a });
  else {
    into.count += a.count;
    into.sum += a.sum;
    into.min = Math.min(into.min, a.min);
    into.max = Math.max(into.max, a.max);
  }
}

/** Buckets of `bucketSeconds` (epoch-aligned) over `[fromMs, toMs)` for one device and key. */
export async function cliBuckets(
  db: Db,
  query: { id: number; keyId: number; fromMs: number; toMs: number; bucketSeconds: number },
): Promise<{ buckets: CliBucket[]; fromRollups: number; fromRaw: number }> {
  const size = query.bucketSeconds * 1000;
  const map = new Map<number, Acc>();
  const align = (t: number): number => Math.floor(t / size) * size;
  let rawFrom = query.fromMs;
  let fromRollups = 0;
  if (size % hourMs === 0 && query.fromMs % hourMs === 0) {
    const daily = size % 86_400_000 === 0 && query.fromMs % 86_400_000 === 0;
    const collection = db.collection(daily ? 'readings_daily' : 'readings_hourly');
    const newest = await databaseOperation('read the rollups', () =>
      collection.find({}).sort({ start: -1 }).limit(1).project<{ start: Date }>({ start: 1 }).next(),
    );
    if (newest) {
      const through = Math.min(query.toMs, newest.start.getTime() + (daily ? 86_400_000 : hourMs));
      const rows = await databaseOperation('read the rollups', () =>
        collection
          .find({
            id: query.id,
            keyId: query.keyId,
            start: { $gte: new Date(query.fromMs), $lt: new Date(through) },
          })
          .toArray(),
      );
      for (const r of rows as Document[]) {
        fromRollups++;
        add(map, align((r.start as Date).getTime()), {
          count: Number(r.count),
          sum: Number(r.sum),
          min: Number(r.min),
          max: Number(r.max),
        });
      }
      rawFrom = Math.max(rawFrom, through);
    }
  }
  let fromRaw = 0;
  if (rawFrom < query.toMs) {
    const cursor = db
      .collection('readings')
      .find({ id: query.id, keyId: query.keyId, ts: { $gte: new Date(rawFrom), $lt: new Date(query.toMs) } })
      .project<{ value: unknown; ts: Date }>({ _id: 0, value: 1, ts: 1 });
    await databaseOperation('read the readings', async () => {
      for await (const doc of cursor) {
        fromRaw++;
        const v = Number(doc.value);
        add(map, align(doc.ts.getTime()), { count: 1, sum: v, min: v, max: v });
      }
    });
  }
  const buckets = [...map]
    .sort((a, b) => a[0] - b[0])
    .map(([start, a]) => ({
      start: new Date(start),
      count: a.count,
      min: a.min,
      max: a.max,
      avg: a.sum / a.count,
    }));
  return { buckets, fromRollups, fromRaw };
}
